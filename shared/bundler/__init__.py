"""Paste-ready single files (bundle), and the checks HubSpot's runtime would fail (check)."""
from shared.bundler.bundle import bundle, bundle_text, bundled_hash, recorded_hash, verify
from shared.bundler.check import Finding, check
from shared.bundler.errors import BundleError, BundleWriteError, HelperError

__all__ = [
    "BundleError", "BundleWriteError", "Finding", "HelperError", "bundle", "bundle_text",
    "bundled_hash", "check", "recorded_hash", "verify",
]

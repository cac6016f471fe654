"""Paste-ready single files (bundle), and the checks HubSpot's runtime would fail (check)."""
from hs_actions.bundler.bundle import bundle, bundle_text, bundled_hash, recorded_hash, verify
from hs_actions.bundler.check import Finding, check
from hs_actions.bundler.errors import BundleError, BundleWriteError, HelperError

__all__ = [
    "BundleError", "BundleWriteError", "Finding", "HelperError", "bundle", "bundle_text",
    "bundled_hash", "check", "recorded_hash", "verify",
]

"""Paste-ready single files (bundle). The checks HubSpot's runtime would fail are hs_actions.check."""
from hs_actions.bundler.bundle import bundle, bundle_text, bundled_hash, recorded_hash, verify
from hs_actions.bundler.errors import BundleError, BundleWriteError, HelperError

__all__ = [
    "BundleError", "BundleWriteError", "HelperError", "bundle", "bundle_text",
    "bundled_hash", "recorded_hash", "verify",
]

"""The bundle-size rule. HubSpot documents no size limit for custom code; this warns of a
bundle far above any real action rather than guess a limit."""
from __future__ import annotations

from hs_actions.bundler.bundle import header
from hs_actions.bundler.errors import BundleError
from hs_actions.check.registry import BUNDLE, WARNING, Finding, rule

# All of shared/helpers inlined is about 15 kB.
BUNDLE_SIZE_WARNING = 200_000


@rule("bundle-size", WARNING, f"a bundle over {BUNDLE_SIZE_WARNING:,} bytes", takes=BUNDLE)
def bundle_size(subject) -> list[Finding]:
    """The size of the bundle as `hs-actions bundle` would write it, header included."""
    try:
        code = subject.inlined()
    except BundleError:
        return []             # reported by helpers.inlining
    action, helpers = subject.source, subject.helpers
    size = len((header(subject.folder.name, action, helpers, subject.manifest, code) + code).encode("utf-8"))
    if size <= BUNDLE_SIZE_WARNING:
        return []
    return [Finding(
        action.display, 1, "bundle-size",
        f"the bundle is {size:,} bytes, over {BUNDLE_SIZE_WARNING:,} (a warning: HubSpot documents no "
        f"size limit, but code this large is unusual for one action)",
        "move data out of the code (into HubSpot properties, or fetched) or split the action", WARNING)]

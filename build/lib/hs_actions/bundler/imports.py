"""What an import in action code refers to in HubSpot's runtime: the standard library, one of
HubSpot's libraries, a helper (inlined by the bundler), or something HubSpot does not have."""
from __future__ import annotations

from pathlib import Path

from hs_actions.core import hubspot_runtime
from hs_actions.core.tomlfile import tomllib


HELPERS_PACKAGE = "shared.helpers"
# Top-level packages of this repository: importable locally, absent in HubSpot.
LOCAL_PACKAGES = ("shared", "actions", "hs_actions")

STDLIB: frozenset[str] = frozenset(
    tomllib.loads(Path(__file__).with_name("stdlib.toml").read_text())["python"][hubspot_runtime.PYTHON]["modules"]
)
LIBRARY_IMPORTS: dict[str, str] = {
    **{module: f"{lib.distribution} (which brings it)" for lib in hubspot_runtime.LIBRARIES for module in lib.brings},
    **{module: lib.distribution for lib in hubspot_runtime.LIBRARIES for module in lib.imports},
}

STANDARD = "standard library"
LIBRARY = "HubSpot library"
HELPER = "helper"
LOCAL = "local"
UNAVAILABLE = "unavailable"


def classify(module: str) -> str:
    """STANDARD, LIBRARY, HELPER (shared.helpers and below), LOCAL (the rest of this repository,
    relative imports as "."), or UNAVAILABLE."""
    top = module.split(".")[0]
    if module == HELPERS_PACKAGE or module.startswith(HELPERS_PACKAGE + "."):
        return HELPER
    if not top or top in LOCAL_PACKAGES:
        return LOCAL
    if top in STDLIB:
        return STANDARD
    if top in LIBRARY_IMPORTS:
        return LIBRARY
    return UNAVAILABLE


def available() -> str:
    """A one-line list of what HubSpot's runtime can import, for messages."""
    libraries = ", ".join(f"{lib.distribution} {lib.version}" for lib in hubspot_runtime.LIBRARIES)
    return f"the Python {hubspot_runtime.PYTHON} standard library, {libraries}"

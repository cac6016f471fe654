"""Where things are in the repository, and the settings under [tool.hs-actions] in pyproject.toml."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ROOT / "actions"
ENV_FILE = ROOT / ".env"
ENV_EXAMPLE = ROOT / ".env.example"
STATE = ROOT / ".hs-actions"          # prepared runtime, portal database: never committed
RUNTIME_ENV = STATE / "runtime"

DEFAULTS = {
    "portal_id": 1234567,
    "runtime_python": "",             # a Python 3.9 to build the runtime from; found when empty
}


@functools.cache
def settings() -> dict:
    """[tool.hs-actions] from pyproject.toml over DEFAULTS; HS_ACTIONS_<KEY> env vars win."""
    merged = dict(DEFAULTS)
    try:
        data = tomllib.loads((ROOT / "pyproject.toml").read_text())
        merged.update(data.get("tool", {}).get("hs-actions", {}))
    except FileNotFoundError:
        pass
    for key, default in DEFAULTS.items():
        value = os.environ.get(f"HS_ACTIONS_{key.upper()}")
        if value:
            merged[key] = type(default)(value)
    return merged

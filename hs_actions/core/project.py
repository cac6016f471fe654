"""Where things are in the repository, and the settings under [tool.hs-actions] in pyproject.toml."""
from __future__ import annotations

import functools
import os
from pathlib import Path

from hs_actions.core.errors import ToolkitError
from hs_actions.core.tomlfile import tomllib


ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ROOT / "actions"
ENV_FILE = ROOT / ".env"
ENV_EXAMPLE = ROOT / ".env.example"
STATE = ROOT / ".hs-actions"          # prepared runtime, portal database: never committed
RUNTIME_ENV = STATE / "runtime"

DEFAULTS = {
    "portal_id": 1234567,
    "runtime_python": "",             # a Python 3.9 to build the runtime from; found when empty
    "allow_return_none": False,       # accept a main that returns None (HubSpot: undocumented)
    "sandbox": "auto",                # auto | off | required: kernel isolation for runs (harness/sandbox)
}
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


@functools.cache
def settings() -> dict:
    """[tool.hs-actions] from pyproject.toml over DEFAULTS; HS_ACTIONS_<KEY> env vars win."""
    merged = dict(DEFAULTS)
    try:
        data = tomllib.loads((ROOT / "pyproject.toml").read_text())
        merged.update(data.get("tool", {}).get("hs-actions", {}))
    except FileNotFoundError:
        pass
    for key in DEFAULTS:
        value = os.environ.get(f"HS_ACTIONS_{key.upper()}")
        if value:
            merged[key] = value
    given = portal_id = merged["portal_id"]
    if isinstance(portal_id, str) and portal_id.isdigit():
        merged["portal_id"] = portal_id = int(portal_id)
    if not isinstance(portal_id, int) or isinstance(portal_id, bool) or portal_id <= 0:
        raise ToolkitError(f"portal_id = {given!r} (pyproject.toml [tool.hs-actions] or HS_ACTIONS_PORTAL_ID): "
                           f"a HubSpot portal id is a positive whole number, e.g. 1234567")
    if not isinstance(merged["runtime_python"], str):
        raise ToolkitError("runtime_python (pyproject.toml [tool.hs-actions]) must be a path, as a string")
    allow = merged["allow_return_none"]
    merged["allow_return_none"] = _BOOLEANS.get(allow.lower()) if isinstance(allow, str) else allow
    if not isinstance(merged["allow_return_none"], bool):
        raise ToolkitError(f"allow_return_none = {allow!r} (pyproject.toml [tool.hs-actions] or "
                           f"HS_ACTIONS_ALLOW_RETURN_NONE): write true or false")
    return merged


def shown(path: Path) -> str:
    """A path as the person running a command sees it: relative to the current directory
    when it is below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

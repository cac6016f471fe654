"""The project a command works on, where its things are, and its settings.

A project is the nearest folder, from the working directory up, whose pyproject.toml has a
[tool.hs-actions] table: this repository (the toolkit's home and its example project), or a
team's own repository made by `hs-actions init`. HS_ACTIONS_PROJECT names one explicitly (the
toolkit's own tests pin it, so a test may change directory freely).

Paths are looked up when a command needs them, never when a module is imported: `hs-actions init`
and `--version` run where there is no project yet.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core.errors import ToolkitError
from hs_actions.core.tomlfile import tomllib

TABLE = "hs-actions"                   # [tool.hs-actions] marks a project's pyproject.toml
PROJECT_ENV = "HS_ACTIONS_PROJECT"

DEFAULTS = {
    "portal_id": 1234567,
    "runtime_python": "",             # a Python 3.9 to build the runtime from; found when empty
    "allow_return_none": False,       # accept a main that returns None (HubSpot: undocumented)
    "sandbox": "auto",                # auto | off | required: kernel isolation for runs (harness/sandbox)
    "string_outputs": "text",         # text | strict: a list or number for a string output (harness/outputs.py)
}
STRING_OUTPUTS = ("text", "strict")
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class NoProject(ToolkitError):
    """No folder from here up is an hs-actions project."""


@dataclass(frozen=True)
class Project:
    """A project's folders and files, by the layout every project shares."""

    root: Path

    @property
    def actions(self) -> Path:
        return self.root / "actions"

    @property
    def helpers(self) -> Path:
        """shared/helpers: the code actions may import, inlined by the bundler."""
        return self.root / "shared" / "helpers"

    @property
    def env_file(self) -> Path:
        return self.root / ".env"

    @property
    def env_example(self) -> Path:
        return self.root / ".env.example"

    @property
    def state(self) -> Path:
        """.hs-actions: the prepared runtime and the portal database, never committed."""
        return self.root / ".hs-actions"

    @property
    def runtime_env(self) -> Path:
        return self.state / "runtime"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    def table(self) -> dict:
        """Its [tool.hs-actions] table."""
        return table_of(self.pyproject) or {}


def table_of(pyproject: Path) -> dict | None:
    """The [tool.hs-actions] table of a pyproject.toml; None when the file or the table is
    missing. A file that is there but not TOML stops the command, naming it."""
    try:
        seen = pyproject.stat()
    except OSError:
        return None
    return _parsed(str(pyproject), seen.st_mtime_ns, seen.st_size)


@functools.lru_cache(maxsize=32)
def _parsed(pyproject: str, mtime_ns: int, size: int) -> dict | None:
    # Keyed by the file's time and size: a command asks for its settings many times, and a
    # test (or an editor) may change the file in between.
    try:
        data = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ToolkitError(f"{pyproject}: not valid TOML ({error}); fix it, or remove its [tool.{TABLE}] table") from None
    table = data.get("tool", {}).get(TABLE) if isinstance(data.get("tool"), dict) else None
    return table if isinstance(table, dict) else None


def find(start: Path | None = None) -> Project | None:
    """The project the folder `start` (default: the working directory) is in, or None."""
    pinned = os.environ.get(PROJECT_ENV)
    if pinned:
        root = Path(pinned).resolve()
        if table_of(root / "pyproject.toml") is None:
            raise NoProject(f"{PROJECT_ENV}={pinned}: no pyproject.toml with a [tool.{TABLE}] table there")
        return Project(root)
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if table_of(folder / "pyproject.toml") is not None:
            return Project(folder)
    return None


def current() -> Project:
    """The project of the working directory; NoProject (exit 2) saying how to make one."""
    found = find()
    if found is None:
        raise NoProject(f"no hs-actions project here: no pyproject.toml with a [tool.{TABLE}] table in "
                        f"{Path.cwd()} or a folder above it. Run the command inside your project, or make one "
                        f"with `hs-actions init`")
    return found


def settings() -> dict:
    """[tool.hs-actions] of the current project over DEFAULTS (DEFAULTS alone outside a
    project); HS_ACTIONS_<KEY> environment variables win."""
    found = find()
    merged = dict(DEFAULTS)
    if found is not None:
        merged.update(found.table())
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
    if merged["string_outputs"] not in STRING_OUTPUTS:
        raise ToolkitError(f"string_outputs = {merged['string_outputs']!r} (pyproject.toml [tool.hs-actions] or "
                           f"HS_ACTIONS_STRING_OUTPUTS): write \"text\" (HubSpot stores str(value)) or \"strict\"")
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

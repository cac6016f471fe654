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
import re
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import text
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
    "flows_api": "v4",                # the Automation API version pull and deploy call (FLOWS_API)
}
STRING_OUTPUTS = ("text", "strict")
# [tool.hs-actions.accounts.NAME]: the HubSpot accounts (portals) a project pulls from and deploys to.
ACCOUNT_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
ACCOUNT_NAME_RULE = "lower-case letters, digits, _ and -, starting with a letter, up to 40"
HUBSPOT_API_BASE = "https://api.hubapi.com"
TOKEN_VARIABLE = "HUBSPOT_ACCESS_TOKEN"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The workflows API's versions: v4 (/automation/v4/flows, what HubSpot documents as current), or a
# date version such as 2026-09-beta (/automation/v4/2026-09-beta/flows, HubSpot's spec collection).
FLOWS_API = re.compile(r"v4|20\d\d-\d\d(-beta)?")
FLOWS_API_RULE = 'write "v4" (the default) or a date version such as "2026-09-beta"'
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
    # getcwd() is already the real path: resolving it again would cost every run a look at
    # each folder above it.
    here = Path(start).resolve() if start else Path(os.getcwd())
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
    if not isinstance(merged["flows_api"], str) or not FLOWS_API.fullmatch(merged["flows_api"]):
        raise ToolkitError(f"flows_api = {text.printable(text.cut(repr(merged['flows_api'])))} (pyproject.toml "
                           f"[tool.hs-actions] or HS_ACTIONS_FLOWS_API): {FLOWS_API_RULE}")
    allow = merged["allow_return_none"]
    merged["allow_return_none"] = _BOOLEANS.get(allow.lower()) if isinstance(allow, str) else allow
    if not isinstance(merged["allow_return_none"], bool):
        raise ToolkitError(f"allow_return_none = {allow!r} (pyproject.toml [tool.hs-actions] or "
                           f"HS_ACTIONS_ALLOW_RETURN_NONE): write true or false")
    return merged


@dataclass(frozen=True)
class Account:
    """A HubSpot account of the project: where its API is, which variable holds its token, and
    whether commands use it when no --account is given."""

    name: str
    api_base: str | None = None       # None: HS_ACTIONS_API_BASE, else HubSpot's
    token_env: str = TOKEN_VARIABLE
    default: bool = False
    flows_api: str = "v4"


def accounts(pyproject: Path | None = None) -> dict[str, Account]:
    """The project's [tool.hs-actions.accounts.NAME] tables, by name ({} with none, or outside a
    project); ToolkitError (exit 2) naming pyproject.toml and the key for a table that is not one."""
    if pyproject is None:
        found = find()
        if found is None:
            return {}
        pyproject = found.pyproject
    top = table_of(pyproject) or {}
    tables = top.get("accounts", {})
    where = f"{shown(pyproject)} [tool.{TABLE}.accounts"

    def fail(key: str, problem: str) -> ToolkitError:
        return ToolkitError(f"{where}{key}]: {problem}")

    if not isinstance(tables, dict):
        raise fail("", "must be a table of accounts, e.g. [tool.hs-actions.accounts.sandbox]")
    found_accounts = {}
    for name, table in tables.items():
        if not ACCOUNT_NAME.fullmatch(name):
            raise fail(f".{text.printable(repr(name))[1:-1]}", f"{text.printable(repr(name))} is not an account name: "
                                                             f"use {ACCOUNT_NAME_RULE}")
        if not isinstance(table, dict):
            raise fail(f".{name}", f"must be a table (api_base, token_env, default, flows_api), not {text.kind(table, 'toml')}")
        unknown = sorted(set(table) - {"api_base", "token_env", "default", "flows_api"})
        if unknown:
            raise fail(f".{name}", f"unknown key {text.printable(repr(unknown[0]))}: an account takes api_base, "
                                   f"token_env, default and flows_api")
        api_base = table.get("api_base")
        if api_base is not None and (not isinstance(api_base, str) or not api_base.startswith(("https://", "http://"))):
            raise fail(f".{name}", f"api_base = {text.printable(text.cut(repr(api_base)))} is not a URL: give one such "
                                   f"as {HUBSPOT_API_BASE} (HubSpot's, the default)")
        token_env = table.get("token_env", TOKEN_VARIABLE)
        if not isinstance(token_env, str) or not _VARIABLE.fullmatch(token_env):
            raise fail(f".{name}", f"token_env = {text.printable(text.cut(repr(token_env)))} is not the name of an "
                                   f"environment variable, e.g. \"HUBSPOT_SANDBOX_TOKEN\"")
        default = table.get("default", False)
        if not isinstance(default, bool):
            raise fail(f".{name}", f"default = {text.printable(text.cut(repr(default)))}: write true or false")
        flows_api = table.get("flows_api", top.get("flows_api", DEFAULTS["flows_api"]))   # else the project's
        if not isinstance(flows_api, str) or not FLOWS_API.fullmatch(flows_api):
            raise fail(f".{name}", f"flows_api = {text.printable(text.cut(repr(flows_api)))}: {FLOWS_API_RULE}")
        found_accounts[name] = Account(name, api_base.rstrip("/") if api_base else None, token_env, default, flows_api)
    defaults = [a.name for a in found_accounts.values() if a.default]
    if len(defaults) > 1:
        raise ToolkitError(f"{where}]: {' and '.join(defaults)} are both marked default = true: mark one")
    return found_accounts


def default_account(configured: dict[str, Account]) -> Account | None:
    """The account commands use without --account: the one marked default, else the only one;
    None when there is no such account (the environment's, as without accounts)."""
    marked = [a for a in configured.values() if a.default]
    if marked:
        return marked[0]
    return next(iter(configured.values())) if len(configured) == 1 else None


def shown(path: Path) -> str:
    """A path as the person running a command sees it: relative to the current directory
    when it is below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

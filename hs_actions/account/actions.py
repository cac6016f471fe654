"""The account's custom-code actions next to the repository's: finding, comparing, fetching.

What pull, deploy and status share: which folder holds which HubSpot action (by the
[hubspot] table of its action.toml), the hashes that tell an edit made in HubSpot from a local
change, and reading flows with a clear error for an unknown id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import project
from hs_actions.account import mapping
from hs_actions.account.connection import AccountError, Connection, NotFound
from hs_actions.bundler.bundle import bundle_text
from hs_actions.core import text
from hs_actions.core.errors import ToolkitError
from hs_actions.action import folder as action_module
from hs_actions.action import manifest as manifest_module
from hs_actions.core.tomlfile import tomllib

FLOW_ID = re.compile(r"[0-9]{1,20}")


@dataclass
class Local:
    """An action folder, with what its code and fields are now, seen from one account:
    `account` (None: the environment's) and whether it is the default one."""

    folder: Path
    manifest: manifest_module.Manifest
    account: str | None = None
    default: bool = True

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def origin(self) -> manifest_module.Origin | None:
        """Where it lives in this account, or None when it is not linked there."""
        return self.manifest.record(self.account, self.default)

    def code_hash(self, helpers_dir: Path | None = None) -> str:
        """The hash of the code its bundle would put into HubSpot now."""
        helpers_dir = helpers_dir or project.current().helpers
        return mapping.source_hash(bundle_text(self.folder, helpers_dir))

    def fields_hash(self) -> str:
        return mapping.fields_hash(mapping.fields_from(self.manifest))


@dataclass
class Broken:
    """An action folder whose action.toml does not load: the account commands name it and go on
    with the others. `origin` is its (flow id, action id) when its [hubspot] table can still be
    read, so that pull does not write a second folder for the same action."""

    folder: Path
    problem: str
    origin: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return self.folder.name


def read_actions(actions_dir: Path, connection: Connection | None = None) -> tuple[list[Local], list[Broken]]:
    """Every action folder: those whose action.toml loads, and those whose does not, seen from
    the account of `connection` (None: the environment's)."""
    account, default = (connection.account, connection.default) if connection else (None, True)
    found, broken = [], []
    for folder in action_module.discover(actions_dir):
        path = folder / manifest_module.FILENAME
        try:
            found.append(Local(folder, manifest_module.load(path), account, default))
        except ToolkitError as error:
            broken.append(Broken(folder, str(error), _raw_origin(path, account, default)))
    return found, broken


def _raw_origin(path: Path, account: str | None, default: bool) -> tuple[str, str] | None:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("hubspot")
    except (OSError, ValueError):
        return None
    if isinstance(table, dict) and account and isinstance(table.get(account), dict):
        table = table[account]
    elif account and not default:
        return None
    if isinstance(table, dict) and isinstance(table.get("flow_id"), str) and isinstance(table.get("action_id"), str):
        return table["flow_id"], table["action_id"]
    return None


def flow_path(flow_id, flows: str = "/automation/v4/flows") -> str:
    """The URL path of a workflow under `flows` (a connection's), for an id that is one:
    HubSpot's flow ids are numbers, and anything else (a path, a query) must never reach the URL."""
    if not isinstance(flow_id, str) or not FLOW_ID.fullmatch(flow_id):
        raise ToolkitError(f"{text.cut(repr(flow_id))} is not a workflow id: HubSpot's are numbers, e.g. 1234567 "
                           f"(the number in the workflow's address in HubSpot)")
    return f"{flows}/{flow_id}"


def normalized_fields(flow: dict, action: dict) -> dict:
    """HubSpot's fields as action.toml would declare them: what a local one is compared with."""
    toml = mapping.manifest_text(flow, action, dict.fromkeys(("flow_id", "action_id", "revision", "code_hash",
                                                              "fields_hash"), "-"))
    return mapping.fields_from(manifest_module.parse(tomllib.loads(toml), source="its fields in HubSpot"))


def fetch_flow(connection: Connection, flow_id: str) -> dict:
    """The workflow, as a JSON object; AccountError for an unknown id or an answer that is not one."""
    try:
        flow = connection.get(flow_path(flow_id, connection.flows))
    except NotFound:
        raise AccountError(f"no workflow with id {flow_id} in this account ({connection.base}): "
                           f"`hs-actions pull --all` pulls every workflow's Python actions") from None
    if not isinstance(flow, dict) or not isinstance(flow.get("actions", []), list):
        raise AccountError(f"GET {flow_path(flow_id, connection.flows)}: HubSpot's answer is not a workflow ({text.kind(flow)}); "
                           f"nothing was changed: try again later")
    return flow


def find_action(flow: dict, action_id: str) -> dict | None:
    return next((a for a in mapping.custom_code_actions(flow) if str(a.get("actionId")) == action_id), None)

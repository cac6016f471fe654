"""The account's custom-code actions next to the repository's: finding, comparing, fetching.

What pull, deploy and status share: which folder holds which HubSpot action (by the
[hubspot] table of its action.toml), the hashes that tell an edit made in HubSpot from a local
change, and reading flows with a clear error for an unknown id.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import project
from hs_actions.account import mapping
from hs_actions.account.connection import AccountError, Connection, NotFound
from hs_actions.bundler.bundle import bundle_text
from hs_actions.core.errors import ToolkitError
from hs_actions.action import folder as action_module
from hs_actions.action import manifest as manifest_module
from hs_actions.core.tomlfile import tomllib

FLOWS = "/automation/v4/flows"


@dataclass
class Local:
    """An action folder, with what its code and fields are now."""

    folder: Path
    manifest: manifest_module.Manifest

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def origin(self) -> manifest_module.Origin | None:
        return self.manifest.origin

    def code_hash(self, helpers_dir: Path | None = None) -> str:
        """The hash of the code its bundle would put into HubSpot now."""
        helpers_dir = helpers_dir or project.current().helpers
        return mapping.source_hash(bundle_text(self.folder, helpers_dir))

    def fields_hash(self) -> str:
        return mapping.fields_hash(mapping.fields_from(self.manifest))


def local_actions(actions_dir: Path) -> list[Local]:
    """Every action folder whose action.toml loads (a broken one is reported by list and check)."""
    found = []
    for folder in action_module.discover(actions_dir):
        try:
            found.append(Local(folder, manifest_module.load(folder / manifest_module.FILENAME)))
        except ToolkitError:
            continue
    return found


def by_origin(actions_dir: Path) -> dict[tuple[str, str], Local]:
    return {(a.origin.flow_id, a.origin.action_id): a for a in local_actions(actions_dir) if a.origin}


def normalized_fields(flow: dict, action: dict) -> dict:
    """HubSpot's fields as action.toml would declare them: what a local one is compared with."""
    text = mapping.manifest_text(flow, action, dict.fromkeys(("flow_id", "action_id", "revision", "code_hash",
                                                              "fields_hash"), "-"))
    return mapping.fields_from(manifest_module.parse(tomllib.loads(text)))


def fetch_flow(connection: Connection, flow_id: str) -> dict:
    try:
        return connection.get(f"{FLOWS}/{flow_id}")
    except NotFound:
        raise AccountError(f"no workflow with id {flow_id} in this account ({connection.base}): "
                           f"`hs-actions pull --all` pulls every workflow's Python actions") from None


def find_action(flow: dict, action_id: str) -> dict | None:
    return next((a for a in mapping.custom_code_actions(flow) if str(a.get("actionId")) == action_id), None)

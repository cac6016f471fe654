"""`hs-actions pull`: the account's Python custom-code actions, written as action folders.

Each CUSTOM_CODE action with runtime PYTHON39 becomes actions/<workflow>_<action id>/:
action.py (the sourceCode exactly, less the toolkit's bundle header when it has one),
action.toml (its secrets, inputs, outputs, object type, and a [hubspot] table recording where
it lives and the hashes of its code and fields as pulled), a sample event, a starter test, and
its secrets in .env.example (and .env). Node actions are skipped and named. Pulling again
updates a folder, but never over local changes that were not deployed, unless forced.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.report import Console, Report
from hs_actions.account import mapping
from hs_actions.account.actions import FLOWS, Local, by_origin, fetch_flow, normalized_fields
from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.progress import Progress
from hs_actions.bundler.bundle import strip_header, write_atomic
from hs_actions.scaffold import add_secret_placeholder

BATCH = 100
# A record of each standard type in the default seed, for the starter test's run.
_SAMPLE_RECORDS = {"CONTACT": 1, "COMPANY": 301, "DEAL": 361, "TICKET": 481}
TEST_TEMPLATE = '''"""Starter test written by `hs-actions pull`: runs the action as it is in HubSpot on a sample record
of the local portal. Add tests for what it should do (see README, "Test it")."""
import pytest

TOKEN = "local-test-token"


@pytest.fixture
def record_id(portal):
    portal.seed_default()     # the local portal's sample data; seed your own with portal.seed({...})
    portal.add_token(TOKEN)   # every scope; give it only the scopes the private app has, to test those
    return {record_id}


def test_runs_on_a_sample_record(run_action, record_id):
    result = run_action("{name}", object_id=record_id, secrets={secrets})
    assert result.ok, result.error
'''


@dataclass
class Pulled:
    """What a pull did, action by action."""
    written: list[str] = field(default_factory=list)     # "name: created" / "name: updated" ...
    skipped: list[str] = field(default_factory=list)     # Node actions, flows without custom code
    refused: list[str] = field(default_factory=list)     # local changes in the way

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0

    def report(self) -> Report:
        return Report([*self.written, *(f"skipped {s}" for s in self.skipped), *(f"not pulled: {r}" for r in self.refused)]
                      or ["no Python custom-code actions found"], self.exit_code)


def pull(connection: Connection, flow_ids: list[str] | None = None, *, force: bool = False,
         console: Console | None = None) -> Report:
    """`hs-actions pull`: pull_actions into the project's actions/, its progress on the console's
    progress stream; exit 1 when local changes kept an action from being pulled."""
    return pull_actions(connection, flow_ids, force=force, progress=(console or Console()).progress).report()


def pull_actions(connection: Connection, flow_ids: list[str] | None = None, *, force: bool = False,
                 actions_dir: Path | None = None, helpers_dir: Path | None = None,
                 env_example: Path | None = None, env_file: Path | None = None,
                 progress=None) -> Pulled:
    """Pull the named flows (every flow when `flow_ids` is None). `progress` is the stream the
    progress of reading every flow goes to (stderr by default)."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    env_example = env_example or project.current().env_example
    env_file = env_file or project.current().env_file
    pulled = Pulled()
    named = flow_ids is not None
    flows = [fetch_flow(connection, flow_id) for flow_id in flow_ids] if named else _every_flow(connection, progress)
    existing = by_origin(actions_dir)
    taken = {p.name for p in actions_dir.iterdir()} if actions_dir.is_dir() else set()
    for flow in flows:
        actions = mapping.custom_code_actions(flow)
        if not actions and named:
            raise AccountError(f"workflow {flow['id']} ({flow.get('name', '')!r}) has no custom-code action to pull")
        for action in actions:
            where = f"action {action.get('actionId')} of workflow {flow['id']} ({flow.get('name', '')!r})"
            if not mapping.is_python(action):
                pulled.skipped.append(f"{where}: runtime {action.get('runtime')}; hs-actions works with Python actions")
                continue
            local = existing.get((str(flow["id"]), str(action["actionId"])))
            name = local.name if local else _free_name(mapping.action_name(flow, action), taken)
            taken.add(name)
            report_line = _write(flow, action, name, local, force, actions_dir, helpers_dir)
            (pulled.written if not report_line.startswith("refused") else pulled.refused).append(
                f"{name}: {report_line.removeprefix('refused: ')}")
            for secret in action.get("secretNames") or []:
                add_secret_placeholder(secret, env_example)
                if env_file.exists():
                    add_secret_placeholder(secret, env_file)
    return pulled


def _every_flow(connection: Connection, progress) -> list[dict]:
    ids = [listing["id"] for listing in connection.pages(FLOWS, {"limit": 100})]
    flows = []
    with Progress("reading workflows", len(ids), progress) as shown:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            answer = connection.post(f"{FLOWS}/batch/read", {"inputs": [{"flowId": i, "type": "FLOW_ID"} for i in chunk]},
                                     read=True)
            flows += answer.get("results", [])
            shown.advance(len(chunk))
    return sorted(flows, key=lambda f: int(f["id"]) if str(f["id"]).isdigit() else 0)


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _write(flow: dict, action: dict, name: str, local: Local | None, force: bool, actions_dir: Path,
           helpers_dir: Path) -> str:
    """Write (or update) one action folder; what happened, or "refused: why"."""
    source = action.get("sourceCode") or ""
    origin = {"flow_id": str(flow["id"]), "action_id": str(action["actionId"]), "revision": str(flow.get("revisionId", "")),
              "code_hash": mapping.source_hash(source),
              "fields_hash": mapping.fields_hash(normalized_fields(flow, action))}
    if local is not None:
        changed = [what for what, now, then in (("code", local.code_hash(helpers_dir), local.origin.code_hash),
                                                 ("fields", local.fields_hash(), local.origin.fields_hash)) if now != then]
        if changed and not force:
            return (f"refused: local changes to its {' and '.join(changed)} were never deployed; deploy them "
                    f"(hs-actions deploy {name}) or pull --force to overwrite them")
        same_code = local.code_hash(helpers_dir) == origin["code_hash"]
        toml_text = mapping.manifest_text(flow, action, origin, local.manifest.description or None)
        old_toml = (local.folder / "action.toml").read_text(encoding="utf-8")
        if same_code and toml_text == old_toml:
            return "unchanged"
        if not same_code:   # the code in HubSpot is not what the repository would deploy: take it
            write_atomic(local.folder / "action.py", strip_header(source))
        write_atomic(local.folder / "action.toml", toml_text)
        return f"updated ({'code and ' if not same_code else ''}action.toml)"
    folder = actions_dir / name
    actions_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=actions_dir))
    try:
        kind = mapping.object_type(flow.get("objectTypeId", ""))
        (staging / "action.py").write_text(strip_header(source), encoding="utf-8")
        (staging / "action.toml").write_text(mapping.manifest_text(flow, action, origin), encoding="utf-8")
        (staging / "events").mkdir()
        event = {"object": {"objectType": kind, "objectId": _SAMPLE_RECORDS.get(kind, 1)}, "inputFields": {}}
        (staging / "events" / "default.json").write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")
        secrets = {secret: "TOKEN" for secret in action.get("secretNames") or []}
        test = (TEST_TEMPLATE.replace("{record_id}", str(_SAMPLE_RECORDS.get(kind, 1))).replace("{name}", name)
                .replace("{secrets}", "{" + ", ".join(f"{json.dumps(s)}: TOKEN" for s in secrets) + "}"))
        (staging / f"test_{name}.py").write_text(test, encoding="utf-8")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return "created"


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
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import files, project, text
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report
from hs_actions.account import mapping
from hs_actions.account.actions import FLOW_ID, Local, fetch_flow, flow_path, normalized_fields, read_actions
from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.progress import Progress
from hs_actions.bundler.bundle import strip_header
from hs_actions.portal import models
from hs_actions.portal.portal import LOCAL_TOKEN

BATCH = 100
STAGING_PREFIX = ".hs-actions-pulling-"   # a new folder is built under this name, then renamed
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
    failed: list[str] = field(default_factory=list)      # what could not be pulled or read, and why

    @property
    def exit_code(self) -> int:
        return 1 if self.refused or self.failed else 0

    def report(self) -> Report:
        return Report([*self.written, *(f"skipped {s}" for s in self.skipped), *(f"not pulled: {r}" for r in self.refused),
                       *(f"not pulled: {f}" for f in self.failed)] or ["no Python custom-code actions found"],
                      self.exit_code)


def pull(connection: Connection, flow_ids: list[str] | None = None, *, force: bool = False,
         into: str | None = None, console: Console | None = None) -> Report:
    """`hs-actions pull`: pull_actions into the project's actions/, its progress on the console's
    progress stream; exit 1 when an action was not pulled (local changes, or it cannot become
    a folder), 2 when the account cannot be read at all."""
    return pull_actions(connection, flow_ids, force=force, into=into,
                        progress=(console or Console()).progress).report()


def pull_actions(connection: Connection, flow_ids: list[str] | None = None, *, force: bool = False,
                 into: str | None = None, actions_dir: Path | None = None, helpers_dir: Path | None = None,
                 env_example: Path | None = None, env_file: Path | None = None,
                 progress=None) -> Pulled:
    """Pull the named flows (every flow when `flow_ids` is None). `progress` is the stream the
    progress of reading every flow goes to (stderr by default).

    An action not yet linked to a folder in this account is linked to the folder `into` (one
    workflow, one Python action), or, for a named account, to the one local folder whose code
    is the action's (the same action in another account): its record for this account is
    added and its files are kept, the differences said. Otherwise it becomes a new folder.

    Every file is written whole or not at all (a temporary file, then a rename); the secrets
    of every action pulled are added to .env.example (and .env) in one write each, at the end,
    so an interrupted pull leaves each file as it was or complete. An action that cannot
    become a folder is named with the reason and skipped; the others are pulled."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    env_example = env_example or project.current().env_example
    env_file = env_file or project.current().env_file
    pulled = Pulled()
    named = flow_ids is not None
    for flow_id in flow_ids or []:
        flow_path(flow_id)          # every id checked before the first call
    if into is not None and (not named or len(flow_ids) != 1):
        raise ToolkitError("pull --into NAME links one workflow's action: give it with one --flow ID")
    flows = [fetch_flow(connection, flow_id) for flow_id in flow_ids] if named else _every_flow(connection, progress, pulled)
    _remove_leftovers(actions_dir, env_example, env_file)
    locals_, broken = read_actions(actions_dir, connection)
    links = _Links(locals_, helpers_dir, connection, into, flows)
    existing = {(a.origin.flow_id, a.origin.action_id): a for a in locals_ if a.origin}
    unreadable = {b.origin: b for b in broken if b.origin}
    for b in broken:
        if not b.origin:
            pulled.failed.append(f"{b.name}: its action.toml does not load, so it was not compared: {b.problem}")
    taken = {p.name for p in actions_dir.iterdir()} if actions_dir.is_dir() else set()
    secrets: list[str] = []
    for flow in flows:
        actions = mapping.custom_code_actions(flow)
        if not actions and named:
            raise AccountError(f"workflow {flow['id']} ({text.printable(repr(flow.get('name', '')))}) has no "
                               f"custom-code action to pull")
        ids = [a.get("actionId") for a in actions]
        for action in actions:
            where = f"action {_said(action.get('actionId'))} of workflow {flow['id']} ({_said(flow.get('name', ''), True)})"
            if not mapping.is_python(action):
                pulled.skipped.append(f"{where}: runtime {_said(action.get('runtime'))}; "
                                      f"hs-actions works with Python actions")
                continue
            why = ("its actionId is used by another action of the workflow too, so no folder could be told "
                   "apart from the other" if isinstance(ids[0], str) and ids.count(action.get("actionId")) > 1
                   else mapping.problem(flow, action))
            key = (str(flow["id"]), str(action.get("actionId")))
            if why is None and key in unreadable:
                why = (f"actions/{unreadable[key].name} holds it, and its action.toml does not load: "
                       f"{unreadable[key].problem}; fix it, then pull again")
            if why is not None:
                pulled.failed.append(f"{where}: {why}")
                continue
            local = existing.get(key)
            try:
                if local is None and links.wanted(flow, action):
                    line, name = _link(flow, action, links.folder_for(flow, action), connection, helpers_dir)
                else:
                    name = local.name if local else _free_name(mapping.action_name(flow, action), taken)
                    line = _write(flow, action, name, local, force, actions_dir, helpers_dir, connection)
            except (ToolkitError, ValueError, OSError) as error:
                pulled.failed.append(f"{where}: {text.printable(error)}")
                continue
            taken.add(name)
            (pulled.written if not line.startswith("refused") else pulled.refused).append(
                f"{name}: {line.removeprefix('refused: ')}")
            secrets += action.get("secretNames") or []
    for env in (env_example, env_file):
        if env is env_example or env.exists():
            try:
                files.add_variables(env, secrets, LOCAL_TOKEN)
            except OSError as error:
                raise ToolkitError(f"cannot write {project.shown(env)} ({error.strerror or error}): it is as it was; "
                                   f"the actions were pulled: add their secrets to it by hand, or pull again") from None
    return pulled


def _every_flow(connection: Connection, progress, pulled: Pulled) -> list[dict]:
    listed = list(connection.pages(connection.flows, {"limit": 100}))
    ids = []
    for listing in listed:
        flow_id = listing.get("id") if isinstance(listing, dict) else None
        if isinstance(flow_id, str) and FLOW_ID.fullmatch(flow_id):
            ids.append(flow_id)
        else:
            pulled.failed.append(f"a workflow listed with the id {text.printable(text.cut(repr(flow_id)))}, which is "
                                 f"not a workflow id: not read")
    flows = []
    with Progress("reading workflows", len(ids), progress) as shown:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            answer = connection.post(f"{connection.flows}/batch/read", {"inputs": [{"flowId": i, "type": "FLOW_ID"} for i in chunk]},
                                     read=True)
            results = answer.get("results") if isinstance(answer, dict) else None
            flows += [f for f in results or [] if isinstance(f, dict) and str(f.get("id")) in chunk
                      and isinstance(f.get("actions", []), list)]
            shown.advance(len(chunk))
    read = {str(f["id"]) for f in flows}
    pulled.failed += [f"workflow {i}: listed, but not in the answer to the batch read (deleted meanwhile?); "
                      f"`hs-actions pull --flow {i}` tries it alone" for i in ids if i not in read]
    unique = {str(f["id"]): f for f in flows}
    return sorted(unique.values(), key=lambda f: int(f["id"]))


def _said(value, quoted: bool = False) -> str:
    """A name or id from the account as a line shows it: as it is when it is a plain word,
    else quoted and escaped (a newline or a terminal's escape sequence must not reach it)."""
    if isinstance(value, str) and not quoted and re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", value):
        return value
    return text.printable(text.cut(repr(value), 80))


def _remove_leftovers(actions_dir: Path, *env_files: Path) -> None:
    """What a pull killed by kill -9 was building (a folder, a .env not yet renamed): never
    an action or a setting, never kept."""
    if actions_dir.is_dir():
        for leftover in actions_dir.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
    for env in env_files:
        for leftover in env.parent.glob(f".{env.name}.*{files.PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _origin(flow: dict, action: dict) -> dict:
    """The record of where an action lives, and its code's and fields' hashes, as HubSpot has them."""
    return {"flow_id": str(flow["id"]), "action_id": str(action["actionId"]), "revision": str(flow.get("revisionId", "")),
            "code_hash": mapping.source_hash(action.get("sourceCode") or ""),
            "fields_hash": mapping.fields_hash(normalized_fields(flow, action))}


def _write(flow: dict, action: dict, name: str, local: Local | None, force: bool, actions_dir: Path,
           helpers_dir: Path, connection: Connection) -> str:
    """Write (or update) one action folder; what happened, or "refused: why"."""
    source = action.get("sourceCode") or ""
    origin = _origin(flow, action)
    whose = dict(account=connection.account, default=connection.default)
    if local is not None:
        # A local change is one made since the last pull or deploy that HubSpot does not have:
        # an update a killed pull had half made (action.py written, action.toml not) is none.
        changed = [what for what, now, then, there in (
            ("code", local.code_hash(helpers_dir), local.origin.code_hash, origin["code_hash"]),
            ("fields", local.fields_hash(), local.origin.fields_hash, origin["fields_hash"])) if now not in (then, there)]
        if changed and not force:
            return (f"refused: local changes to its {' and '.join(changed)} were never deployed; deploy them "
                    f"(hs-actions deploy {name}{connection.option}) or pull --force to overwrite them")
        same_code = local.code_hash(helpers_dir) == origin["code_hash"]
        old_toml = (local.folder / "action.toml").read_text(encoding="utf-8")
        toml_text = mapping.manifest_text(flow, action, origin, local.manifest.description or None,
                                          local.manifest.budget, **whose, records=old_toml)
        if same_code and toml_text == old_toml:
            return "unchanged"
        if not same_code:   # the code in HubSpot is not what the repository would deploy: take it
            files.write_atomic(local.folder / "action.py", strip_header(source))
        files.write_atomic(local.folder / "action.toml", toml_text)
        return f"updated ({'code and ' if not same_code else ''}action.toml)"
    folder = actions_dir / name
    actions_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{name}-", dir=actions_dir))
    try:
        kind = mapping.object_type(flow.get("objectTypeId", ""))
        (staging / "action.py").write_text(strip_header(source), encoding="utf-8")
        (staging / "action.toml").write_text(mapping.manifest_text(flow, action, origin, **whose), encoding="utf-8")
        (staging / "events").mkdir()
        sample = models.default_record(kind)      # a record of the default seed, for the starter test's run
        record_id = int(sample["id"]) if sample else 1
        event = {"object": {"objectType": kind, "objectId": record_id}, "inputFields": {}}
        (staging / "events" / "default.json").write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")
        secrets = {secret: "TOKEN" for secret in action.get("secretNames") or []}
        test = (TEST_TEMPLATE.replace("{record_id}", str(record_id)).replace("{name}", name)
                .replace("{secrets}", "{" + ", ".join(f"{json.dumps(s)}: TOKEN" for s in secrets) + "}"))
        (staging / f"test_{name}.py").write_text(test, encoding="utf-8")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return "created"



class _Links:
    """Which local folder an action not yet linked in this account is linked to, if any."""

    def __init__(self, locals_: list[Local], helpers_dir: Path, connection: Connection, into: str | None,
                 flows: list[dict]):
        self.unlinked = [local for local in locals_ if local.origin is None]
        self.helpers_dir = helpers_dir
        self.by_code = connection.account is not None     # a project without accounts pulls as it always has
        self.into = into
        self.account, self.option = connection.account, connection.option
        if into is not None:
            pythons = [a for f in flows for a in mapping.custom_code_actions(f) if mapping.is_python(a)]
            if len(pythons) != 1:
                raise ToolkitError(f"pull --into {into}: workflow {flows[0]['id']} has {len(pythons)} Python "
                                   f"custom-code actions; --into links exactly one")
            if not any(local.name == into for local in locals_):
                raise ToolkitError(f"pull --into {text.printable(repr(into))}: no action folder of that name whose "
                                   f"action.toml loads in actions/; `hs-actions list` shows them")
        self._hashes: dict[str, str] = {}

    def wanted(self, flow: dict, action: dict) -> bool:
        return self.into is not None or (self.by_code and self._same_code(action) != [])

    def folder_for(self, flow: dict, action: dict) -> Local:
        """The folder to link to; ToolkitError when it cannot be told (or is linked elsewhere)."""
        if self.into is not None:
            local = next((local for local in self.unlinked if local.name == self.into), None)
            if local is None:
                raise ToolkitError(f"actions/{self.into} is linked to another action of {self._said()} already "
                                   f"(its action.toml's [hubspot] record); not linked")
            self.unlinked.remove(local)
            return local
        same = self._same_code(action)
        if len(same) > 1:
            raise ToolkitError(f"its code is that of {', '.join(local.name for local in same)}, so which folder is "
                               f"its could not be told: hs-actions pull --flow {flow['id']} --into NAME"
                               f"{self.option} links it to one")
        self.unlinked.remove(same[0])
        return same[0]

    def _same_code(self, action: dict) -> list[Local]:
        code = mapping.source_hash(action.get("sourceCode") or "")
        return [local for local in self.unlinked if self._hash(local) == code]

    def _hash(self, local: Local) -> str | None:
        if local.name not in self._hashes:
            try:
                self._hashes[local.name] = local.code_hash(self.helpers_dir)
            except ToolkitError:            # cannot be bundled: its code is no one's
                self._hashes[local.name] = None
        return self._hashes[local.name]

    def _said(self) -> str:
        return f"the account {self.account!r}" if self.account else "this account"


def _link(flow: dict, action: dict, local: Local, connection: Connection, helpers_dir: Path) -> tuple[str, str]:
    """Add the record of where `action` lives in this account to the folder `local`, whose files
    are otherwise kept; ("linked ...: what differs", its name)."""
    origin = _origin(flow, action)
    differs = []
    if local.code_hash(helpers_dir) != origin["code_hash"]:
        differs.append("its code")
    there, here = normalized_fields(flow, action), mapping.fields_from(local.manifest)
    differs += [key for key in ("secretNames", "inputFields", "outputFields") if there[key] != here[key]]
    kind = mapping.object_type(flow.get("objectTypeId", ""))
    if kind != local.manifest.object_type:
        differs.append(f"object_type ({text.printable(kind)} there, {local.manifest.object_type} here)")
    toml = local.folder / "action.toml"
    files.write_atomic(toml, mapping.with_origin(toml.read_text(encoding="utf-8"), origin, connection.account,
                                                 connection.default))
    where = f"action {origin['action_id']} of workflow {origin['flow_id']} in {connection.said}"
    if not differs:
        return f"linked to {where}: same code and fields", local.name
    deploy = f"hs-actions deploy {local.name}{connection.option}"
    return (f"linked to {where}; {', '.join(differs)} differ there: the folder is kept as it is, and `{deploy}` "
            f"writes it there"), local.name

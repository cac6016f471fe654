"""`hs-actions deploy NAME`: the action's verified bundle, written into its workflow.

Bundle and verify (the action's tests must pass against the bundle), read the flow, replace
only that action's sourceCode, secretNames, inputFields, outputFields and runtime, and write
the flow back with the revisionId that was read. HubSpot's PUT replaces the whole flow, so
every other field read (of the flow, of this action, of its other actions) goes back exactly
as read, and a field of this action whose value did not change is sent as HubSpot had it.

Refused (exit 1), with the diff, unless forced: code or fields edited in HubSpot since the last
pull or deploy (neither that nor this deploy's). Refused always: a flow HubSpot has not
finished creating (crmObjectCreationStatus not COMPLETE). Nothing new: no write at all.

A write whose answer is lost (a 5xx, a timeout, a dropped connection) or cannot be read is
read back: the toolkit's own write is recognised by the hashes of the code and fields it
sent, and recorded. Exit codes: 0 deployed (or nothing to do), 1 refused or not verified,
2 could not run (nothing written), 3 written but not confirmed (run `hs-actions status`).
"""
from __future__ import annotations

import difflib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import files, project, text
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Report
from hs_actions.account import mapping
from hs_actions.account.actions import Local, fetch_flow, find_action, flow_path, normalized_fields
from hs_actions.account.connection import AccountError, AnswerLost, Conflict, Connection, OddAnswer
from hs_actions.bundler.bundle import bundle_text, strip_header, verify
from hs_actions.check import check, has_errors
from hs_actions.action import folder as action_module
from hs_actions.action import manifest as manifest_module

COMPLETE = "COMPLETE"
_FIELDS = ("runtime", "secretNames", "inputFields", "outputFields")


class NotConfirmed(AccountError):
    """A write was sent and may have landed, but nothing confirms it (exit 3)."""

    exit_code = 3


@dataclass
class Ours:
    """What this deploy would put into HubSpot, and the hashes that recognise it there."""

    text: str
    fields: dict
    code_hash: str
    fields_hash: str

    def is_in(self, flow, action_id: str) -> bool:
        """Whether `flow` (an answer, or a flow read back: any JSON) holds this write."""
        action = find_action(flow, action_id) if isinstance(flow, dict) and isinstance(flow.get("actions"), list) else None
        if action is None or mapping.problem(flow, action) is not None:
            return False
        try:
            return _hashes(flow, action) == (self.code_hash, self.fields_hash)
        except ToolkitError:        # fields action.toml cannot declare: not what this deploy sent
            return False


def deploy(connection: Connection, ref: str, *, dry_run: bool = False, force: bool = False,
           actions_dir: Path | None = None, helpers_dir: Path | None = None) -> Report:
    """What was deployed (or, dry run, what would change and whether it verifies), exit 0; why
    not, exit 1 (refused or not verified). AccountError (exit 2) when the account cannot be read
    or refuses the write, NotConfirmed (exit 3) when a write may have landed unconfirmed."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    said: list[str] = []
    out = said.append
    folder = action_module.load(ref, actions_dir).folder
    local = Local(folder, manifest_module.load(folder / manifest_module.FILENAME), connection.account,
                  connection.default)
    origin = local.origin
    if origin is None and connection.account:
        raise AccountError(f"{local.name}: action.toml has no record for the account {connection.account!r} "
                           f"([hubspot.{connection.account}]), so it is not linked to a workflow action there: "
                           f"`hs-actions pull --account {connection.account} --flow ID --into {local.name}` links it "
                           f"to the workflow's custom-code action (make the workflow in HubSpot first)")
    if origin is None:
        raise AccountError(f"{local.name}: action.toml has no [hubspot] table, so it is not linked to a workflow "
                           f"action: `hs-actions pull --flow ID` writes the actions of a workflow with it")
    toml = project.shown(folder / manifest_module.FILENAME)
    if not mapping.ACTION_ID.fullmatch(origin.action_id):
        raise AccountError(f"{toml}: [hubspot] action_id {text.cut(repr(origin.action_id))} is not an action id: "
                           f"pull the workflow again to restore it")
    try:
        flow_path(origin.flow_id)
    except ToolkitError as error:
        raise AccountError(f"{toml}: [hubspot] flow_id: {error}; pull the workflow again to restore it") from None
    findings = check([folder], helpers_dir)
    if has_errors(findings):
        out("\n".join(map(str, findings)))
        out(f"{local.name}: not deployed: fix the problems above first")
        return Report(said, 1)
    bundle = bundle_text(folder, helpers_dir)
    fields = mapping.fields_from(local.manifest)
    ours = Ours(bundle, fields, mapping.source_hash(bundle), mapping.fields_hash(fields))
    flow = fetch_flow(connection, origin.flow_id)
    where = (f"action {origin.action_id} of workflow {origin.flow_id} ({text.printable(repr(flow.get('name', '')))})"
             + (f" in the account {connection.account!r}" if connection.account else ""))
    ready = flow.get("crmObjectCreationStatus")
    if ready != COMPLETE:
        out(f"{local.name}: not deployed: HubSpot has not finished creating workflow {origin.flow_id} (its "
            f"crmObjectCreationStatus is {text.printable(text.cut(repr(ready)))}, not {COMPLETE}), and refuses "
            f"updates until it has. Nothing was written: deploy again in a while")
        return Report(said, 1)
    action = find_action(flow, origin.action_id)
    if action is None:
        raise AccountError(f"{local.name}: workflow {origin.flow_id} has no custom-code action {origin.action_id} any "
                           f"more (deleted in HubSpot?): pull the workflow again")
    if mapping.problem(flow, action) is not None:
        raise AccountError(f"{local.name}: {where} cannot be read as an action ({mapping.problem(flow, action)}); "
                           f"nothing was written")
    code_there, fields_there = _hashes(flow, action)
    edited = [what for what, there, then, now in (("code", code_there, origin.code_hash, ours.code_hash),
                                                   ("fields", fields_there, origin.fields_hash, ours.fields_hash))
              if there not in (then, now)]
    if edited and not force:
        out(f"{local.name}: not deployed: its {' and '.join(edited)} in HubSpot changed since it was last pulled or "
            f"deployed (HubSpot is at revision {mapping.revision(flow)}; this action's record says "
            f"{origin.revision}). HubSpot's against this bundle:")
        out("\n".join(_changes(action, normalized_fields(flow, action), ours, "in HubSpot", "this bundle")))
        out(f"Bring the edit into actions/{local.name}/ (hs-actions pull --flow {origin.flow_id}{connection.option} --force takes "
            f"HubSpot's), or deploy --force to overwrite it")
        return Report(said, 1)
    if (code_there, fields_there) == (ours.code_hash, ours.fields_hash):
        # Nothing new (a deploy whose answer was lost, or one run twice): no revision for nothing.
        try:
            recorded = not dry_run and _record(local, flow, ours, connection)
        except OSError as error:
            raise AccountError(f"{local.name}: already deployed, but its [hubspot] record could not be written "
                               f"({error.strerror or error}); nothing was written to HubSpot") from None
        out(f"{local.name}: already deployed: {where} has this code and these fields (revision "
            f"{mapping.revision(flow)}); nothing written" + ("; its [hubspot] record brought up to date" if recorded else ""))
        return Report(said)
    updated = _updated(flow, action, ours)
    changes = _changes(action, normalized_fields(flow, action), ours, "in HubSpot", "deployed")
    ok, verdict = _verified(folder, bundle)
    if dry_run:
        out(f"{local.name}: dry run, nothing written; {verdict}. Changes to {where}, revision {mapping.revision(flow)}:")
        out("\n".join(changes))
        return Report(said, 0 if ok else 1)
    if not ok:
        out(f"{local.name}: not deployed: {verdict}")
        return Report(said, 1)
    body = dict(flow)       # everything read goes back: a PUT replaces the whole flow
    body["actions"] = [updated if a is action else a for a in flow.get("actions", [])]
    path = flow_path(origin.flow_id, connection.flows)
    try:
        written = connection.put(path, body)
        how = "" if ours.is_in(written, origin.action_id) else \
            f"HubSpot's answer ({text.kind(written)}) does not show the action as sent"
    except Conflict:
        raise AccountError(f"{local.name}: workflow {origin.flow_id} was changed by someone else while deploying "
                           f"(its revision is no longer {mapping.revision(flow)}): nothing was written; run "
                           f"`hs-actions status`, then deploy again") from None
    except (AnswerLost, OddAnswer) as error:
        written, how = None, error.why
    except AccountError as error:
        raise AccountError(f"{local.name}: HubSpot refused the write, nothing was written: {error}") from None
    if how:
        written = _read_back(connection, local, origin.flow_id, flow, ours, how)
        how = f"; HubSpot's answer was lost or unreadable ({how}), and reading the workflow back shows this write landed"
    try:
        _record(local, written, ours, connection)
    except OSError as error:
        raise NotConfirmed(f"{local.name}: deployed to {where} (now revision {mapping.revision(written)}), but its "
                           f"[hubspot] record could not be written ({error.strerror or error}): the next deploy "
                           f"recognises this write and records it") from None
    out(f"{local.name}: deployed to {where}, now revision {mapping.revision(written)}; {verdict}{how}")
    out("\n".join(changes))
    return Report(said)


def _hashes(flow: dict, action: dict) -> tuple[str, str]:
    return (mapping.source_hash(action.get("sourceCode") or ""),
            mapping.fields_hash(normalized_fields(flow, action)))


def _updated(flow: dict, action: dict, ours: Ours) -> dict:
    """The action with this deploy's code and fields; every other key, and every field whose
    value is unchanged, as HubSpot has it (what TOML cannot hold, a null, is not lost)."""
    there = normalized_fields(flow, action)
    updated = {**action, "sourceCode": ours.text}
    for key in _FIELDS:
        if there[key] == ours.fields[key]:
            continue
        if key in ("inputFields", "outputFields"):
            # HubSpot's entry where it reads as ours: an unchanged input keeps HubSpot's spelling.
            as_read = {json.dumps(n, sort_keys=True): raw for n, raw in zip(there[key], action.get(key) or [])}
            updated[key] = [as_read.get(json.dumps(entry, sort_keys=True), entry) for entry in ours.fields[key]]
        else:
            updated[key] = ours.fields[key]
    return updated


def _read_back(connection: Connection, local: Local, flow_id: str, read: dict, ours: Ours, how: str) -> dict:
    """The flow as it is after a write whose answer was lost: it, when it holds this write;
    else AccountError (not written) or NotConfirmed (it could not be read)."""
    try:
        now = fetch_flow(connection, flow_id)
    except AccountError as error:
        raise NotConfirmed(f"{local.name}: written, not confirmed: the write to workflow {flow_id} may have landed "
                           f"(HubSpot's answer: {how}), and reading it back failed ({error}). Run `hs-actions status`: "
                           f"a later deploy recognises this write and records it") from None
    action_id = local.origin.action_id
    if ours.is_in(now, action_id) and str(now.get("revisionId")) != str(read.get("revisionId")):
        return now
    raise AccountError(f"{local.name}: not written: HubSpot's answer was lost or unreadable ({how}), and workflow "
                       f"{flow_id} read back does not hold this deploy (revision {mapping.revision(now)}): nothing "
                       f"changed; deploy again")


def _record(local: Local, flow: dict, ours: Ours, connection: Connection) -> bool:
    """Write the [hubspot] record of what HubSpot has now; False when it already says so."""
    origin = local.origin
    record = {"flow_id": origin.flow_id, "action_id": origin.action_id, "revision": str(flow.get("revisionId", "")),
              "code_hash": ours.code_hash, "fields_hash": ours.fields_hash}
    moved = connection.account is not None and connection.account not in local.manifest.records
    if not moved and (origin.revision, origin.code_hash, origin.fields_hash) == (record["revision"], ours.code_hash,
                                                                                  ours.fields_hash):
        return False
    toml = local.folder / manifest_module.FILENAME
    files.write_atomic(toml, mapping.with_origin(toml.read_text(encoding="utf-8"), record, connection.account,
                                                 connection.default))
    return True


def _verified(folder: Path, bundle: str) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="hs-actions-deploy-") as scratch:
        candidate = Path(scratch) / f"{folder.name}.py"
        files.write_atomic(candidate, bundle)
        return verify(folder, candidate)


def _changes(action: dict, there: dict, ours: Ours, old_name: str, new_name: str) -> list[str]:
    """HubSpot's code and fields against this deploy's: a diff of the code, a line per field."""
    lines = []
    if mapping.source_hash(action.get("sourceCode") or "") != ours.code_hash:
        lines.append(_diff(strip_header(action.get("sourceCode") or ""), strip_header(ours.text), old_name, new_name))
    for key in _FIELDS:
        if there[key] != ours.fields[key]:
            lines.append(f"  {key}: {json.dumps(there[key])} -> {json.dumps(ours.fields[key])}")
    return lines or ["  none"]


def _diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff, every character a terminal would act on escaped (the code is HubSpot's)."""
    return text.printable("".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                                       old_name, new_name)).rstrip("\n"))

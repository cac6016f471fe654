"""`hs-actions deploy NAME`: the action's verified bundle, written into its workflow.

Bundle and verify (the action's tests must pass against the bundle), read the flow, replace
only that action's sourceCode, secretNames, inputFields, outputFields and runtime, and write
the flow back with the revisionId that was read; everything else in the workflow is sent back
exactly as read. It refuses when the code in HubSpot is neither what was last pulled or
deployed nor the current bundle (someone edited it in HubSpot's editor), unless forced.
"""
from __future__ import annotations

import difflib
import json
import tempfile
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.report import Report
from hs_actions.account import mapping
from hs_actions.account.actions import FLOWS, Local, fetch_flow, find_action, normalized_fields
from hs_actions.account.connection import AccountError, Conflict, Connection
from hs_actions.bundler.bundle import bundle_text, strip_header, verify, write_atomic
from hs_actions.check import check, has_errors
from hs_actions.action import folder as action_module
from hs_actions.action import manifest as manifest_module

# What a PUT of a flow carries, by flow type (HubSpot's ApiContactFlowPutRequest and
# ApiPlatformFlowPutRequest): everything read but what HubSpot owns (id, dates, ...).
_PUT_KEYS = {
    "CONTACT_FLOW": ("actions", "blockedDates", "canEnrollFromSalesforce", "customProperties", "description",
                     "enrollmentCriteria", "enrollmentSchedule", "eventAnchor", "goalFilterBranch", "isEnabled",
                     "name", "revisionId", "startActionId", "suppressionListIds", "timeWindows", "type",
                     "unEnrollmentSetting", "uuid"),
    "PLATFORM_FLOW": ("actions", "blockedDates", "customProperties", "description", "enrollmentCriteria",
                      "enrollmentSchedule", "isEnabled", "name", "revisionId", "startActionId",
                      "suppressionFilterBranch", "timeWindows", "type", "uuid"),
}


def deploy(connection: Connection, ref: str, *, dry_run: bool = False, force: bool = False,
           actions_dir: Path | None = None, helpers_dir: Path | None = None) -> Report:
    """What was deployed (or, dry run, what would change), exit 0; why not, exit 1 (refused or
    not verified). AccountError (exit 2) when the account cannot be read or written."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    said: list[str] = []
    out = said.append
    folder = action_module.load(ref, actions_dir).folder
    local = Local(folder, manifest_module.load(folder / manifest_module.FILENAME))
    origin = local.origin
    if origin is None:
        raise AccountError(f"{local.name}: action.toml has no [hubspot] table, so it is not linked to a workflow "
                           f"action: `hs-actions pull --flow ID` writes the actions of a workflow with it")
    findings = check([folder], helpers_dir)
    if has_errors(findings):
        out("\n".join(map(str, findings)))
        out(f"{local.name}: not deployed: fix the problems above first")
        return Report(said, 1)
    text = bundle_text(folder, helpers_dir)
    flow = fetch_flow(connection, origin.flow_id)
    action = find_action(flow, origin.action_id)
    if action is None:
        raise AccountError(f"{local.name}: workflow {origin.flow_id} has no custom-code action {origin.action_id} any "
                           f"more (deleted in HubSpot?): pull the workflow again")
    in_hubspot = mapping.source_hash(action.get("sourceCode") or "")
    ours = mapping.source_hash(text)
    if in_hubspot not in (origin.code_hash, ours) and not force:
        out(f"{local.name}: not deployed: its code in HubSpot was edited since it was last pulled or deployed "
            f"(it is {in_hubspot}; pulled or deployed was {origin.code_hash}; this bundle is {ours}):")
        out(_diff(strip_header(action.get("sourceCode") or ""), strip_header(text), "in HubSpot", "this bundle"))
        out(f"Bring the edit into actions/{local.name}/action.py (hs-actions pull --flow {origin.flow_id} --force "
            f"takes HubSpot's code), or deploy --force to overwrite it")
        return Report(said, 1)
    new_fields = mapping.fields_from(local.manifest)
    updated = {**action, **new_fields, "sourceCode": text}
    changes = _changes(action, updated)
    if dry_run:
        out(f"{local.name}: dry run, nothing written. Changes to action {origin.action_id} of workflow "
            f"{origin.flow_id} ({flow.get('name', '')!r}), revision {flow.get('revisionId')}:")
        out("\n".join(changes) if changes else "  none: HubSpot already has this code and these fields")
        return Report(said)
    ok, verdict = _verified(folder, text)
    if not ok:
        out(f"{local.name}: not deployed: {verdict}")
        return Report(said, 1)
    body = {k: v for k, v in flow.items() if k in _PUT_KEYS.get(flow.get("type"), _PUT_KEYS["PLATFORM_FLOW"])}
    body["actions"] = [updated if a is action else a for a in flow.get("actions", [])]
    try:
        written = connection.put(f"{FLOWS}/{origin.flow_id}", body)
    except Conflict:
        raise AccountError(f"{local.name}: workflow {origin.flow_id} was changed by someone else while deploying "
                           f"(its revision is no longer {flow.get('revisionId')}): nothing was written; run "
                           f"`hs-actions status`, then deploy again") from None
    toml = folder / manifest_module.FILENAME
    write_atomic(toml, mapping.with_origin(toml.read_text(encoding="utf-8"), {
        "flow_id": origin.flow_id, "action_id": origin.action_id, "revision": str(written.get("revisionId", "")),
        "code_hash": ours, "fields_hash": mapping.fields_hash(normalized_fields(written, find_action(written, origin.action_id)))}))
    out(f"{local.name}: deployed to action {origin.action_id} of workflow {origin.flow_id} "
        f"({flow.get('name', '')!r}), now revision {written.get('revisionId')}; {verdict}")
    out("\n".join(changes) if changes else "  (code and fields were already the same)")
    return Report(said)


def _verified(folder: Path, text: str) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="hs-actions-deploy-") as scratch:
        candidate = Path(scratch) / f"{folder.name}.py"
        write_atomic(candidate, text)
        return verify(folder, candidate)


def _changes(before: dict, after: dict) -> list[str]:
    lines = []
    if mapping.source_hash(before.get("sourceCode") or "") != mapping.source_hash(after["sourceCode"]):
        lines.append(_diff(strip_header(before.get("sourceCode") or ""), strip_header(after["sourceCode"]), "in HubSpot", "deployed"))
    for key in ("runtime", "secretNames", "inputFields", "outputFields"):
        if before.get(key) != after.get(key):
            lines.append(f"  {key}: {json.dumps(before.get(key))} -> {json.dumps(after.get(key))}")
    return lines


def _diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_name, new_name)).rstrip("\n")

"""`hs-actions portal pull`: the account's schema, and optionally sample records, as a seed file.

What the token's scopes allow is copied: custom object schemas, property definitions that the
local portal's catalogue lacks or has differently, pipelines, association labels (with the
account's own type ids, which code may name), owners, HubDB tables with their rows, the live
forms (forms v3: their fields, labels and submit text), and with --records N the first N records
of each object type with the associations between them. With --anonymize, every string value of
the records, owners, HubDB rows and forms is replaced by a fake of its kind,
consistent across the file (anonymize.py). The file is loaded into
a fresh portal before it is written, so a file that `portal seed` would refuse is never written.
What cannot be read (a scope the token lacks) is skipped and named.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from hs_actions.core import project
from hs_actions.account import anonymize as anonymizing
from hs_actions.account import mapping
from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.progress import Progress
from hs_actions.bundler.bundle import write_atomic
from hs_actions.core.errors import SeedError
from hs_actions.core.report import Console, Report
from hs_actions.portal.models import load

SEED_FILE = Path("tests") / "account_seed.json"   # in the project: what its tests seed from
BATCH = 100
# Keys of a property definition that say what it is (not when it was made or its order).
_DEFINITION = ("name", "label", "type", "fieldType", "groupName", "description", "options", "hasUniqueValue",
               "calculated", "externalOptions", "hidden", "formField", "referencedObjectType", "hubspotDefined")
# What makes a definition behave differently in the portal (labels and descriptions do not).
_BEHAVIOUR = ("type", "fieldType", "options", "hasUniqueValue", "calculated", "externalOptions", "readOnlyValue",
              "referencedObjectType")


def copy_schema(connection: Connection, out: Path | None = None, *, records: int = 0, anonymize: bool = False,
                console: Console | None = None) -> Report:
    """Write the seed file (the project's SEED_FILE when `out` is None); a summary of what it holds and what
    was skipped. The progress of reading definitions goes to the console's progress stream."""
    from hs_actions.portal.portal import Portal

    out = project.current().root / SEED_FILE if out is None else out
    key = anonymizing.project_key() if anonymize else None   # before reading: a bad key fails at once
    local = Portal(db=":memory:")
    try:
        seed, skipped = _read(connection, local.backend, records, (console or Console()).progress)
        if anonymize:
            anonymizing.anonymize(seed, local.backend, key)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        seed = {"comment": f"Copied from the account at {connection.base} on {stamp} by `hs-actions portal pull`"
                           + (", personal data anonymized" if anonymize else "") + ". Load it with "
                           "`hs-actions portal seed FILE` or portal.seed(json.load(...)) in tests.", **seed}
        local.reset()
        try:
            counts = local.seed(seed)
        except SeedError as error:
            raise AccountError(f"the copied schema does not load into a local portal, so {out} was not written: {error}") \
                from None
    finally:
        local.close()
    write_atomic(Path(out), json.dumps(seed, indent=1, ensure_ascii=False) + "\n")
    held = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing"
    lines = [f"Wrote {out}: {held}."] + [f"  skipped {s}" for s in skipped]
    if not anonymize and (counts.get("owners") or records):
        # The file is meant to be committed: say so before real people's names and emails are.
        lines.append("note: it holds the account's real owners' names and emails (and records' personal data); "
                     "before committing it, pull again with --anonymize")
    return Report(lines)


def _read(connection: Connection, backend, records: int, progress) -> tuple[dict, list[str]]:
    seed: dict = {}
    skipped: list[str] = []
    lacking: dict[str, list[str]] = {}    # missing scopes -> what they kept from being read

    def attempt(what: str, read):
        try:
            return read()
        except AccountError as error:
            scopes = [s for e in (getattr(error, "body", None) or {}).get("errors") or []
                      for s in (e.get("context") or {}).get("requiredGranularScopes", [])]
            if getattr(error, "status", None) == 403 and scopes:
                lacking.setdefault(", ".join(scopes), []).append(what)
                return None
            if getattr(error, "status", None) in (403, 404):
                skipped.append(f"{what}: {error}")
                return None
            raise

    schemas = attempt("custom objects", lambda: connection.get("/crm/v3/schemas").get("results", []))
    seed["schemas"] = [_schema(s) for s in schemas or []]
    pipelines = {}
    for name in ("deals", "tickets"):
        listed = attempt(f"{name} pipelines", lambda: connection.get(f"/crm/v3/pipelines/{name}"))
        if listed:
            pipelines[name] = [{"id": p["id"], "label": p["label"], "displayOrder": p.get("displayOrder", 0),
                                "stages": [{"id": s["id"], "label": s["label"], "metadata": s.get("metadata", {})}
                                           for s in p.get("stages", [])]} for p in listed.get("results", [])]
    seed["pipelines"] = pipelines
    owners = attempt("owners", lambda: list(connection.pages("/crm/v3/owners/", {"limit": 100})))
    seed["owners"] = [{k: o[k] for k in ("id", "email", "firstName", "lastName", "userId", "teams", "archived")
                       if o.get(k) is not None} for o in owners or []]
    # Definitions are compared with a portal that has the account's custom objects and pipelines
    # already (pipeline and stage options follow the pipelines), so only real differences remain.
    backend.seed({"schemas": seed["schemas"], "pipelines": pipelines})   # before labels: they may use them
    custom_names = [s["name"] for s in seed["schemas"]]
    standard = [ot for ot in backend.types.values() if not ot.custom]
    properties = {}
    with Progress("reading property definitions", len(standard), progress) as shown:
        for ot in standard:
            listed = attempt(f"properties of {ot.name}", lambda: connection.get(f"/crm/v3/properties/{ot.name}"))
            shown.advance()
            if listed is None:
                continue
            catalogue = {p.name: _behaviour(p.to_dict()) for p in backend.defs[ot.type_id].values()}
            differ = [_essentials(p) for p in listed.get("results", []) if catalogue.get(p["name"]) != _behaviour(p)]
            if differ:
                properties[ot.name] = differ
    seed["properties"] = properties
    seed["labels"] = _labels(connection, backend, custom_names, attempt)
    seed["hubdb"] = _hubdb(connection, attempt, skipped)
    seed["forms"] = _forms(connection, backend, seed["properties"], attempt, skipped)
    if records:
        seed["records"], seed["associations"] = _records(connection, backend, [ot.name for ot in standard] + custom_names,
                                                         seed, records, attempt)
    skipped[:0] = [f"for lack of the scope(s) {scopes}: {', '.join(what)}" for scopes, what in lacking.items()]
    return {k: v for k, v in seed.items() if v}, skipped


# Labels are read between these types (and custom objects): where HubSpot lets accounts make them.
_LABELLED = ("contacts", "companies", "deals", "tickets")


def _labels(connection: Connection, backend, custom_names: list[str], attempt) -> list[dict]:
    """USER_DEFINED association labels, both directions paired. HubSpot lists each direction of a
    label under its own pair of types; the two are matched in type id order (an inference: the
    API does not link them)."""
    names = [*_LABELLED, *custom_names]
    labels = []
    for i, first in enumerate(names):
        for second in names[i:]:
            def read(a, b):
                listed = attempt(f"association labels {a} -> {b}",
                                 lambda: connection.get(f"/crm/v4/associations/{a}/{b}/labels"))
                return sorted((t for t in (listed or {}).get("results", []) if t.get("category") == "USER_DEFINED"),
                              key=lambda t: int(t["typeId"]))
            forward = read(first, second)
            if first == second:
                pairs = list(zip(forward[0::2], forward[1::2]))
            else:
                pairs = list(zip(forward, read(second, first)))
            for there, back in pairs:
                labels.append({"from": first, "to": second, "label": there.get("label") or "",
                               "inverseLabel": back.get("label") or there.get("label") or "",
                               "typeId": int(there["typeId"]), "inverseTypeId": int(back["typeId"])})
    return [label for label in labels if label["label"]]


def _hubdb(connection: Connection, attempt, skipped: list[str]) -> list[dict]:
    """Published HubDB tables with their rows; a table the local portal cannot hold is skipped, named."""
    from hs_actions.portal.portal import Portal

    listed = attempt("HubDB tables", lambda: list(connection.pages("/cms/v3/hubdb/tables", {"limit": 1000})))
    tables = []
    for table in listed or []:
        rows = list(connection.pages(f"/cms/v3/hubdb/tables/{table['id']}/rows", {"limit": 1000}))
        copied = {"id": int(table["id"]), "name": table["name"], "label": table.get("label", table["name"]),
                  "columns": [{"name": c["name"], "type": c["type"], "label": c.get("label", c["name"]),
                               **({"options": [o["name"] for o in c["options"]]} if c.get("options") else {})}
                              for c in table.get("columns", [])],
                  "rows": [{"id": int(r["id"]), "path": r.get("path"), "name": r.get("name"),
                            "values": {k: _hubdb_value(v) for k, v in (r.get("values") or {}).items()}}
                           for r in rows]}
        scratch = Portal(db=":memory:")
        try:
            scratch.seed({"hubdb": [copied]})
            tables.append(copied)
        except SeedError as error:
            skipped.append(f"HubDB table {table['name']!r}: the local portal cannot hold it ({error})")
        finally:
            scratch.close()
    return tables


def _forms(connection: Connection, backend, properties: dict[str, list[dict]], attempt, skipped: list[str]) -> list[dict]:
    """The live forms (forms v3, HubSpot forms: the only kind the local portal serves) as the
    seed's `forms`. A form with a field filling a property the local portal will not have (the
    catalogue's, the custom objects' and the copied definitions) is skipped, named: a seed
    naming one is refused whole."""
    listed = attempt("forms", lambda: list(connection.pages("/marketing/v3/forms", {"limit": 100})))
    known = {ot.type_id: set(backend.defs[ot.type_id]) for ot in backend.types.values()}
    for name, listed_defs in properties.items():
        known.setdefault(backend.object_type(name).type_id, set()).update(p["name"] for p in listed_defs)
    allowed = set(load("forms.json")["v3FieldTypesAllowed"])
    forms = []
    for form in listed or []:
        fields = [f for group in form.get("fieldGroups") or [] for f in group.get("fields") or []]
        lacking = [f"{f.get('objectTypeId', '0-1')}/{f.get('name')}" for f in fields
                   if f.get("name") not in known.get(f.get("objectTypeId", "0-1"), ())]
        if lacking:
            skipped.append(f"form {form.get('name')!r}: its field(s) {', '.join(lacking)} fill properties the local "
                           f"portal does not have")
            continue
        copied = {"id": str(form["id"]).lower(), "name": form["name"],
                  **{k: form[k] for k in ("createdAt", "updatedAt") if form.get(k)},
                  "fields": [{"name": f["name"], "objectTypeId": f.get("objectTypeId", "0-1"),
                              **({"label": f["label"]} if f.get("label") else {}),
                              **({"fieldType": f["fieldType"]} if f.get("fieldType") in allowed else {}),
                              "required": bool(f.get("required")), "hidden": bool(f.get("hidden"))} for f in fields]}
        submit = (form.get("displayOptions") or {}).get("submitButtonText")
        if submit:
            copied["submitText"] = submit
        forms.append(copied)
    return forms


def _hubdb_value(value):
    """A row value as a seed gives it: an option (or options) by name, anything else as sent."""
    if isinstance(value, dict) and "name" in value:
        return value["name"]
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return [v["name"] for v in value]
    return value


def _schema(schema: dict) -> dict:
    """A schema as the seed's `schemas` entry: what the local portal needs to serve the object."""
    return {"name": schema["name"], "objectTypeId": schema["objectTypeId"], "labels": schema.get("labels") or {},
            **({"primaryDisplayProperty": schema["primaryDisplayProperty"]} if schema.get("primaryDisplayProperty") else {}),
            "associatedObjects": sorted({mapping.object_type(a["toObjectTypeId"]) for a in schema.get("associations", [])
                                         if not str(a.get("toObjectTypeId", "")).startswith("2-")}),
            "properties": [_essentials(p) for p in schema.get("properties", [])]}


def _essentials(definition: dict) -> dict:
    kept = {k: definition[k] for k in _DEFINITION if definition.get(k) not in (None, "", [], False)}
    if "options" in kept:
        kept["options"] = [{"label": o.get("label"), "value": o.get("value")} for o in kept["options"]]
    kept["readOnlyValue"] = bool((definition.get("modificationMetadata") or {}).get("readOnlyValue")
                                 or definition.get("readOnlyValue"))
    if not kept["readOnlyValue"]:
        del kept["readOnlyValue"]
    return kept


def _behaviour(definition: dict) -> dict:
    essentials = _essentials(definition)
    behaviour = {k: essentials.get(k) for k in _BEHAVIOUR}
    behaviour["options"] = sorted(o["value"] for o in essentials.get("options", []))
    return behaviour


def _records(connection: Connection, backend, type_names: list[str], seed: dict, limit: int, attempt):
    copied: dict[str, list[dict]] = {}
    local_props = {ot.name: ot for ot in backend.types.values()}
    for name in type_names:
        # Paged past HubSpot's 100 a page, and read back in batches of as many.
        listed = attempt(f"{name} records", lambda: connection.first(f"/crm/v3/objects/{name}", limit))
        if not listed:
            continue
        ids = [r["id"] for r in listed]
        defined = [p["name"] for p in seed.get("properties", {}).get(name, [])]
        ot = local_props.get(name)
        known = list(backend.defs[ot.type_id]) if ot else []
        for schema in seed["schemas"]:
            if schema["name"] == name:
                known = [p["name"] for p in schema["properties"]]
        wanted = sorted(set(known) | set(defined))
        if not ids:
            continue
        results = []
        for chunk in _batches(ids):
            results += connection.post(f"/crm/v3/objects/{name}/batch/read",
                                       {"inputs": [{"id": i} for i in chunk], "properties": wanted}, read=True).get("results", [])
        skip = {"hs_object_id"} | ({ot.modified_property} if ot else set())
        copied[name] = [{"id": r["id"], "createdAt": r.get("createdAt"), "updatedAt": r.get("updatedAt"),
                         "properties": {k: v for k, v in (r.get("properties") or {}).items()
                                        if v not in (None, "") and k not in skip}}
                        for r in results]
    associations = []
    names = list(copied)
    for i, from_name in enumerate(names):
        for to_name in names[i + 1:]:
            targets = {r["id"] for r in copied[to_name]}
            try:
                answers = [connection.post(f"/crm/v4/associations/{from_name}/{to_name}/batch/read",
                                           {"inputs": [{"id": r["id"]} for r in chunk]}, read=True)
                           for chunk in _batches(copied[from_name])]
            except AccountError as error:   # a pair without association types, or not readable
                if getattr(error, "status", None) in (400, 403, 404):
                    continue
                raise
            for result in (result for answer in answers for result in answer.get("results", [])):
                for to in result.get("to", []):
                    if str(to["toObjectId"]) in targets:
                        associations.append({"from": f"{from_name}/{result['from']['id']}",
                                             "to": f"{to_name}/{to['toObjectId']}"})
    return copied, associations


def _batches(items: list) -> list[list]:
    """items in runs of BATCH, the most one batch call of HubSpot's takes."""
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]

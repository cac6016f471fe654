"""A workflow's CUSTOM_CODE action (Automation v4 JSON) and an action folder, each read as the other.

    inputFields  OBJECT_PROPERTY {propertyName}  <->  name = "property"
                 STATIC_VALUE {staticValue}      <->  name = { value = "..." }
                 any other value type            <->  name = { hubspot = {...the value as HubSpot has it...} }
    outputFields {name, type, options?}          <->  [outputs] name = "type" | { type, options }
    secretNames                                  <->  secrets
    flow objectTypeId                            <->  object_type

Values of the other kinds (data from an earlier action, dates relative to now, ...) cannot be
computed by a local run: they are null there unless given with --input, and deploy writes
them back exactly as they were pulled.
"""
from __future__ import annotations

import hashlib
import json
import re

import tomlkit

from hs_actions.core import hubspot_runtime, text
from hs_actions.bundler.bundle import code_hash, strip_header
from hs_actions.action.manifest import Budget, Manifest
from hs_actions.portal.models import load

_API_TYPES = {api: name for name, api in hubspot_runtime.OUTPUT_TYPES_API.items()}
_API_TYPES["BOOL"] = "boolean"
ACTION_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def revision(flow: dict) -> str:
    """A flow's revisionId as a message shows it: escaped, since it comes from the account."""
    return text.printable(text.cut(str(flow.get("revisionId")), 40))


def custom_code_actions(flow: dict) -> list[dict]:
    return [a for a in flow.get("actions", []) if isinstance(a, dict) and a.get("type") == "CUSTOM_CODE"]


def is_python(action: dict) -> bool:
    return action.get("runtime") == hubspot_runtime.API_RUNTIME


def object_type(object_type_id: str) -> str:
    """The name a workflow event gives the flow's object type (CONTACT, ..., or a custom 2-<n>)."""
    for spec in load("object_types.json")["standard"]:
        if spec["objectTypeId"] == object_type_id:
            return spec["hubspotName"]
    return object_type_id


def problem(flow: dict, action: dict) -> str | None:
    """Why a CUSTOM_CODE action as HubSpot sent it cannot become an action folder, or None.
    Checked before anything is written, so that one odd action is skipped, named, and the
    pull goes on (the names themselves are action.toml's rules, checked when it is parsed)."""
    action_id = action.get("actionId")
    if not isinstance(action_id, str) or not ACTION_ID.fullmatch(action_id):
        return f"its actionId {text.cut(repr(action_id))} is not an action id (up to 40 letters, digits, _ or -)"
    if not isinstance(flow.get("name", ""), (str, type(None))):
        return f"the workflow's name is {text.kind(flow['name'])}, not a string"
    if not isinstance(action.get("sourceCode"), str):
        return f"its sourceCode is {text.kind(action.get('sourceCode'))}, not a string"
    for key in ("secretNames", "inputFields", "outputFields"):
        if not isinstance(action.get(key) or [], list):
            return f"its {key} is {text.kind(action[key])}, not a list"
    if not all(isinstance(name, str) for name in action.get("secretNames") or []):
        return "its secretNames are not all strings"
    for key, names in (("inputFields", _names(action.get("inputFields"))), ("outputFields", _names(action.get("outputFields")))):
        if names is None:
            return f"its {key} are not all {{\"name\": \"...\", ...}} objects"
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            return f"its {key} name {text.cut(repr(twice[0]))} twice"
    for field in action.get("inputFields") or []:
        value = field.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            return f"input field {field['name']!r} has no value type"
        if value["type"] == "OBJECT_PROPERTY" and not isinstance(value.get("propertyName"), str):
            return f"input field {field['name']!r} names no property"
        if value["type"] == "STATIC_VALUE" and not isinstance(value.get("staticValue"), (str, int, float, bool)):
            return f"input field {field['name']!r} has a static value that is {text.kind(value.get('staticValue'))}"
    for field in action.get("outputFields") or []:
        try:
            output_type(field.get("type"))
        except ValueError as error:
            return f"output field {field['name']!r}: {error}"
        options = field.get("options")
        if options is not None and (not isinstance(options, list) or not all(isinstance(o, str) for o in options)):
            return f"output field {field['name']!r} has options that are not a list of strings"
    try:
        json.dumps([flow.get("name"), flow.get("objectTypeId"), action], ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError):
        return "it holds text that is not valid Unicode (a lone surrogate) or values that are not JSON"
    return None


def _names(fields) -> list | None:
    fields = fields or []
    if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
        return None
    return [f["name"] for f in fields]


def fields_from(manifest: Manifest) -> dict:
    """What action.toml declares, as a CUSTOM_CODE action's fields."""
    inputs = []
    for field in manifest.inputs:
        if field.property is not None:
            value = {"type": "OBJECT_PROPERTY", "propertyName": field.property}
        elif field.hubspot is not None:
            value = field.hubspot
        else:
            value = {"type": "STATIC_VALUE", "staticValue": _static(field.value)}
        inputs.append({"name": field.name, "value": value})
    outputs = []
    for output in manifest.outputs:
        entry = {"name": output.name, "type": hubspot_runtime.OUTPUT_TYPES_API[output.type]}
        if output.options:
            entry["options"] = list(output.options)
        outputs.append(entry)
    return {"runtime": hubspot_runtime.API_RUNTIME, "secretNames": list(manifest.secrets),
            "inputFields": inputs, "outputFields": outputs}


def fields_hash(fields: dict) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def source_hash(source: str) -> str:
    """The hash of code as HubSpot runs it, without the toolkit's bundle header."""
    return code_hash(strip_header(source))


def manifest_text(flow: dict, action: dict, origin: dict, description: str | None = None,
                  budget: Budget | None = None, account: str | None = None, default: bool = True,
                  records: str | None = None) -> str:
    """action.toml for a pulled action: what it declares in HubSpot, and where it lives there,
    keeping the local action's [budget] (HubSpot has none to pull). Every value from the
    account goes through tomlkit, so no name or value can add a line (an input field's value
    type once did); the comments hold none of the account's text.
    `account`, `default`: whose record `origin` is (with_origin);
    `records`: the action.toml being rewritten, whose records of other accounts are kept."""
    doc = tomlkit.document()
    doc["description"] = description or _description(flow, action)
    doc["object_type"] = object_type(flow.get("objectTypeId", ""))
    doc["secrets"] = list(action.get("secretNames") or [])
    inputs = tomlkit.table()
    for field in action.get("inputFields") or []:
        value = field.get("value") or {}
        if value.get("type") == "OBJECT_PROPERTY":
            inputs[field["name"]] = value.get("propertyName", "")
        elif value.get("type") == "STATIC_VALUE":
            inputs[field["name"]] = _inline({"value": _static(value.get("staticValue", ""))})
        else:
            inputs.add(tomlkit.comment("HubSpot fills the next input with a value a local run cannot compute "
                                       "(null unless given with --input); deploy keeps it as it is"))
            inputs[field["name"]] = _inline({"hubspot": value})
    doc.add(tomlkit.nl())
    doc["inputs"] = inputs
    outputs = tomlkit.table()
    for field in action.get("outputFields") or []:
        kind = output_type(field.get("type"))
        outputs[field["name"]] = _inline({"type": kind, "options": list(field["options"])}) if field.get("options") else kind
    doc["outputs"] = outputs
    kept = {key: value for key, value in vars(budget or Budget()).items() if value is not None}
    if kept:
        doc["budget"] = kept
    kept = tomlkit.parse(records).get("hubspot") if records else None
    if isinstance(kept, dict):
        doc["hubspot"] = kept
    _set_record(doc, origin, account, default)
    return tomlkit.dumps(doc)


def output_type(api_type) -> str:
    """action.toml's name of one of HubSpot's output types; ValueError for a type it has none for."""
    kind = _API_TYPES.get(str(api_type).upper()) if isinstance(api_type, str) else None
    if kind is None:
        raise ValueError(f"output type {api_type!r} is not one hs-actions knows "
                         f"({', '.join(sorted(_API_TYPES))})")
    return kind


def with_origin(toml_text: str, origin: dict, account: str | None = None, default: bool = True) -> str:
    """action.toml's text with the record of `account` replaced (or added) and nothing else
    changed: [hubspot]'s own keys for the environment's account (None), else [hubspot.NAME].
    The default account's record moves out of [hubspot]'s own keys into its table."""
    doc = tomlkit.parse(toml_text)
    _set_record(doc, origin, account, default)
    return tomlkit.dumps(doc)


def _set_record(doc, origin: dict, account: str | None, default: bool) -> None:
    """[hubspot] rebuilt: its own keys (the environment's record, kept unless this is the default
    account's write, which moves it), then each account's table, `account`'s being `origin`."""
    table = doc.get("hubspot")
    table = table if isinstance(table, dict) else {}
    records = {name: record for name, record in table.items() if isinstance(record, dict)}
    flat = {key: str(value) for key, value in table.items() if not isinstance(value, dict)}
    if account:
        records[account] = _origin_table(origin, account)
        flat = {} if default else flat
    else:
        flat = origin
    rebuilt = _origin_table(flat) if flat else tomlkit.table(is_super_table=True)
    for name, record in records.items():
        rebuilt[name] = record
    doc["hubspot"] = rebuilt


def _origin_table(origin: dict, account: str | None = None):
    table = tomlkit.table()
    table.comment(f"where this action lives in {f'the account {account!r}' if account else 'HubSpot'}: written by "
                  f"`hs-actions pull` and `deploy`")
    for key in ("flow_id", "action_id", "revision", "code_hash", "fields_hash"):
        table[key] = str(origin[key])
    return table


def action_name(flow: dict, action: dict) -> str:
    """snake_case of the workflow's name and the action id: what `hs-actions pull` names the folder."""
    base = re.sub(r"[^a-z0-9]+", "_", str(flow.get("name") or f"flow {flow['id']}").lower()).strip("_")
    if not base or not base[0].isalpha():
        base = f"flow_{base}".rstrip("_")
    return f"{base[:60].rstrip('_')}_{re.sub(r'[^0-9a-z]+', '_', str(action['actionId']).lower())}"


def _description(flow: dict, action: dict) -> str:
    return f"Custom code action {action['actionId']} of the workflow {flow.get('name') or flow['id']!r}"


def _static(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inline(value: dict):
    """An inline table of HubSpot's JSON; TOML has no null, so a null in it is left out."""
    table = tomlkit.inline_table()
    for key, item in value.items():
        if item is not None:
            table[key] = _inline(item) if isinstance(item, dict) else _without_nulls(item)
    return table


def _without_nulls(value):
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value

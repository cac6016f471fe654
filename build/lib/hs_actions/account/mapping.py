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

from hs_actions.core import hubspot_runtime
from hs_actions.bundler.bundle import code_hash, strip_header
from hs_actions.action.manifest import Manifest
from hs_actions.portal.models import load

_API_TYPES = {api: name for name, api in hubspot_runtime.OUTPUT_TYPES_API.items()}
_API_TYPES["BOOL"] = "boolean"


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


def manifest_text(flow: dict, action: dict, origin: dict, description: str | None = None) -> str:
    """action.toml for a pulled action: what it declares in HubSpot, and where it lives there."""
    lines = [f"description = {_toml(description or _description(flow, action))}",
             f"object_type = {_toml(object_type(flow.get('objectTypeId', '')))}",
             f"secrets = [{', '.join(_toml(s) for s in action.get('secretNames') or [])}]", "", "[inputs]"]
    for field in action.get("inputFields") or []:
        value = field.get("value") or {}
        if value.get("type") == "OBJECT_PROPERTY":
            lines.append(f"{_key(field['name'])} = {_toml(value.get('propertyName', ''))}")
        elif value.get("type") == "STATIC_VALUE":
            lines.append(f"{_key(field['name'])} = {{ value = {_toml(str(value.get('staticValue', '')))} }}")
        else:
            lines.append(f"# {field['name']}: HubSpot fills this with a {value.get('type')} value, which a local run "
                         f"cannot compute (null unless given with --input); deploy keeps it as it is")
            lines.append(f"{_key(field['name'])} = {{ hubspot = {_inline(value)} }}")
    lines += ["", "[outputs]"]
    for field in action.get("outputFields") or []:
        kind = _API_TYPES.get(str(field.get("type", "")).upper(), "string")
        if field.get("options"):
            lines.append(f"{_key(field['name'])} = {{ type = {_toml(kind)}, options = "
                         f"[{', '.join(_toml(o) for o in field['options'])}] }}")
        else:
            lines.append(f"{_key(field['name'])} = {_toml(kind)}")
    return "\n".join(lines) + "\n\n" + origin_text(origin)


def origin_text(origin: dict) -> str:
    keys = ("flow_id", "action_id", "revision", "code_hash", "fields_hash")
    return ("[hubspot]  # where this action lives in HubSpot: written by `hs-actions pull` and `deploy`\n"
            + "".join(f"{key} = {_toml(str(origin[key]))}\n" for key in keys))


def with_origin(toml_text: str, origin: dict) -> str:
    """action.toml's text with its [hubspot] table replaced (or added) and nothing else changed."""
    kept = re.sub(r"(?ms)^\[hubspot\][^\n]*\n(?:(?!^\[).*?\n)*", "", toml_text if toml_text.endswith("\n") else toml_text + "\n")
    return kept.rstrip("\n") + "\n\n" + origin_text(origin)


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


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml(name)


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)   # a JSON string is a TOML basic string


def _inline(value) -> str:
    if isinstance(value, dict):   # TOML has no null: a null in HubSpot's JSON is left out
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items() if v is not None) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return _toml(str(value))

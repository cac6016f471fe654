"""The event HubSpot passes to main(event), built the way HubSpot builds it.

Layers, later ones win: HubSpot's template (from the action's manifest) < an event file
(partial is fine) < explicit overrides (object id, input values). Input fields are then
settled against what action.toml declares: HubSpot sends exactly the declared ones.
"""
from __future__ import annotations

import copy
import itertools
import json
import random
import sys
import zlib
from datetime import datetime, timezone
from pathlib import Path

from hs_actions import project
from hs_actions.errors import EventError
from hs_actions.harness.action import EVENTS, Action

DEFAULT_EVENT = "default"
DEFAULT_OBJECT_ID = 1
# HubSpot's events are three levels deep; this bound keeps every later step (merging, masking,
# sending to the runtime) far from Python's recursion limit.
MAX_DEPTH = 100
_counter = itertools.count(1)


def build(
    action: Action,
    *,
    event: dict | None = None,
    event_file: str | Path | None = None,
    object_id: int | None = None,
    inputs: dict | None = None,
    record=None,
    portal_id: int | None = None,
    extended: bool = False,
) -> tuple[dict, list[str]]:
    """The event for one run, and warnings about what HubSpot would have sent differently.

    `event` is a dict given directly (tests); `event_file` a path, a name under the action's
    events/ folder, or "-" for stdin; neither means events/default.json when it exists.
    `record(object_type, object_id)` returns the enrolled record's property values as
    HubSpot passes them to custom code (or None when there is no such record); they fill
    the input fields that nothing else gives a value.
    """
    if event is not None and event_file is not None:
        raise EventError("give the event or an event file, not both")
    warnings: list[str] = []
    portal_id = portal_id or project.settings()["portal_id"]
    layers = [_template(action, portal_id)]
    if event is not None:
        layers.append(_check_object(event, "the event given"))
    else:
        source = _event_path(action, event_file)
        if source is not None:
            layers.append(_read(source))
    result = _merge(layers)
    if result["callbackId"] != layers[0]["callbackId"]:
        # HubSpot gives every execution its own; reusing one would also merge runs' API logs.
        warnings.append(f"the event's callbackId {result['callbackId']!r} was replaced by "
                        f"{layers[0]['callbackId']!r}: every execution has its own")
        result["callbackId"] = layers[0]["callbackId"]
    if object_id is not None:
        result["object"]["objectId"] = object_id
    given = result.get("inputFields") or {}
    _check_shape(result)
    explicit = inputs or {}
    # Naming a record (object_id) means "what HubSpot would send for it": its properties
    # then win over the sample values of an event file.
    record_first = object_id is not None
    needed = [f for f in action.manifest.inputs
              if f.property and f.name not in explicit and (record_first or f.name not in given)]
    values = {}
    if record is not None and needed:
        found = record(result["object"]["objectType"], result["object"]["objectId"])
        if found is None:
            warnings.append(f"the portal has no {result['object']['objectType']} {result['object']['objectId']}: "
                            f"input fields come from the event instead, or are null")
        values = found or {}
    result["inputFields"] = _input_fields(action, given, explicit, values, record_first, warnings)
    if result["object"]["objectType"] != action.manifest.object_type:
        warnings.append(
            f"the event enrolls a {result['object']['objectType']}, but action.toml says "
            f"object_type = {action.manifest.object_type!r}"
        )
    if extended:
        _add_optional_keys(result)
    return result, warnings


def callback_id(portal_id: int) -> str:
    """A callback id unique to this execution, in HubSpot's form ap-<portal>-<enrollment>-<n>-<m>."""
    enrollment = random.randrange(10**9, 10**11) + next(_counter)
    return f"ap-{portal_id}-{enrollment}-{random.randrange(1, 10)}-{random.randrange(0, 10)}"


def _template(action: Action, portal_id: int) -> dict:
    return {
        "origin": {
            "portalId": portal_id,
            # Stable per action, as the id of an action in a workflow is.
            "actionDefinitionId": zlib.crc32(action.name.encode()) % 10**8,
        },
        "object": {"objectType": action.manifest.object_type, "objectId": DEFAULT_OBJECT_ID},
        "inputFields": {},
        "callbackId": callback_id(portal_id),
    }


def _event_path(action: Action, ref: str | Path | None) -> Path | str | None:
    if ref is None:
        default = action.folder / EVENTS / f"{DEFAULT_EVENT}.json"
        return default if default.is_file() else None
    if str(ref) == "-":
        return "-"
    path = Path(ref)
    if path.is_file():
        return path
    named = action.folder / EVENTS / (str(ref) if str(ref).endswith(".json") else f"{ref}.json")
    if "/" not in str(ref) and named.is_file():
        return named
    known = ", ".join(p.stem for p in action.events) or "none"
    raise EventError(f"{ref}: no such event file (events of {action.name}: {known}, in {action.folder / EVENTS})")


def _read(source: Path | str) -> dict:
    name = "stdin" if source == "-" else str(source)
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise EventError(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise EventError(_too_deep(name)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise EventError(f"{name}: cannot read the event: {e}") from None
    return _check_object(data, name)


def _check_object(data, name: str) -> dict:
    if not isinstance(data, dict):
        raise EventError(f"{name}: an event is a JSON object like {{\"object\": {{\"objectId\": 1}}}}, not {type(data).__name__}")
    levels = [(data, 1)]
    while levels:
        value, depth = levels.pop()
        if depth > MAX_DEPTH:
            raise EventError(_too_deep(name))
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        levels.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return copy.deepcopy(data)


def _too_deep(name: str) -> str:
    return (f"{name}: the event is nested more than {MAX_DEPTH} levels deep; HubSpot's events are a few "
            f"levels deep (origin, object, inputFields)")


def _merge(layers: list[dict]) -> dict:
    merged: dict = {}
    for layer in layers:
        _merge_into(merged, layer)
    return merged


def _merge_into(base: dict, layer: dict) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_into(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


_SHAPE = {
    ("origin",): dict,
    ("origin", "portalId"): int,
    ("origin", "actionDefinitionId"): int,
    ("object",): dict,
    ("object", "objectType"): str,
    ("object", "objectId"): int,
    ("inputFields",): dict,
    ("callbackId",): str,
}


def _check_shape(event: dict) -> None:
    for path, kind in _SHAPE.items():
        value = event
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or not 0 < value < 2**63)):
            where = ".".join(path)
            expected = {dict: "an object", int: "a whole number from 1 to 2**63-1 (an id)", str: "a string"}[kind]
            raise EventError(f"event field {where} must be {expected}, got {json.dumps(value)}")


def _input_fields(action: Action, given: dict, explicit: dict, record: dict, record_first: bool,
                  warnings: list[str]) -> dict:
    declared = {field.name: field for field in action.manifest.inputs}
    for name in explicit:
        if name not in declared:
            raise EventError(
                f"input {name!r}: action.toml declares no input field of that name "
                f"(declared: {', '.join(declared) or 'none'})"
            )
    for name in given:
        if name not in declared and name not in explicit:
            warnings.append(f"the event gives input field {name!r}, which action.toml does not declare: HubSpot would not send it, so it was dropped")
    for name, value in {**given, **explicit}.items():
        if name in declared and not isinstance(value, (str, type(None))):
            warnings.append(f"input field {name!r} is {type(value).__name__} {json.dumps(value, default=str)[:60]}: "
                            "HubSpot passes property values to code as strings")
    fields = {}
    for name, field in declared.items():
        if name in explicit:
            fields[name] = explicit[name]
        elif record_first and field.property in record:
            fields[name] = record[field.property]
        elif name in given:
            fields[name] = given[name]
        elif field.property is None:
            fields[name] = field.value
        elif field.property in record:
            fields[name] = record[field.property]
        else:
            fields[name] = None
            warnings.append(f"input field {name!r} (property {field.property!r}) has no value: nothing gave one, so it is null")
    return fields


def workflow_values(properties: dict, types: dict) -> dict:
    """A record's property values as a workflow passes them to custom code: strings, with
    datetime and date properties as Unix milliseconds (HubSpot's own sample does
    int(event["inputFields"]["createdate"])), not the ISO text the CRM API returns."""
    values = {}
    for name, value in properties.items():
        if value not in (None, "") and types.get(name) in ("datetime", "date") and not str(value).isdigit():
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            value = str(int(moment.timestamp() * 1000))
        values[name] = value
    return values


def _add_optional_keys(event: dict) -> None:
    """Keys seen in payloads of app-defined workflow actions; unconfirmed for custom code."""
    origin = event["origin"]
    parts = event["callbackId"].split("-")
    enrollment = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    origin.setdefault("actionDefinitionVersion", 1)
    origin.setdefault("actionExecutionIndexIdentifier", {"actionExecutionIndex": 0, "enrollmentId": enrollment})
    origin.setdefault("extensionDefinitionId", origin["actionDefinitionId"])
    origin.setdefault("extensionDefinitionVersionId", 1)
    event.setdefault("context", {"source": "WORKFLOWS", "workflowId": zlib.crc32(str(origin["actionDefinitionId"]).encode()) % 10**9})
    event.setdefault("fields", dict(event["inputFields"]))

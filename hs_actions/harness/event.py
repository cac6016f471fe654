"""The event HubSpot passes to main(event), built the way HubSpot builds it.

Layers, later ones win: HubSpot's template (from the action's manifest) < an event file
(partial is fine) < explicit overrides (object id, input values). Input fields are then
settled against what action.toml declares: HubSpot sends exactly the declared ones, and with
a record named (an object id given), each property's value from that record only.
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

from hs_actions.core import hubspot_runtime, project
from hs_actions.core.errors import EventError
from hs_actions.core.text import escaped
from hs_actions.action.folder import EVENTS, Action, within_folder
from hs_actions.action.manifest import InputField, Manifest
from hs_actions.harness.nesting import MAX_DEPTH, deeper_than

DEFAULT_EVENT = "default"
# The toolkit's own cap, not HubSpot's: 50 input fields of 65,536 characters fit, and a file
# that is not an event (a log, a dump) is refused before it is read into memory.
EVENT_FILE_MAX_BYTES = 4 << 20
# HubSpot's documented keys, and those seen in app-defined actions' payloads (--extended-event).
EVENT_KEYS = ("origin", "object", "inputFields", "callbackId")
EXTENDED_EVENT_KEYS = ("context", "fields")
DEFAULT_OBJECT_ID = 1
# How to tell runs and checks about a property the local portal does not know.
DECLARE_PROPERTY = ('if your account has it, declare it: a seed file with {{"properties": {{"{object_type}": '
                    '[{{"name": "{name}", "type": "string", "fieldType": "text"}}]}}}} and '
                    '`hs-actions portal seed FILE`')
_counter = itertools.count(1)


def build(
    action: Action,
    *,
    event: dict | None = None,
    event_file: str | Path | None = None,
    object_id: int | None = None,
    inputs: dict | None = None,
    record=None,
    properties=None,
    portal_id: int | None = None,
    extended: bool = False,
    callback_id: str | None = None,
) -> tuple[dict, list[str]]:
    """The event for one run, and warnings about what HubSpot would have sent differently.

    `event` is a dict given directly (tests); `event_file` a path, a name under the action's
    events/ folder, or "-" for stdin; neither means events/default.json when it exists.
    `record(object_type, object_id)` returns a record's property values as HubSpot passes
    them to custom code (None when there is no such record); `properties(object_type)` the
    names of a type's properties (None for a type the portal does not model). Both are None
    when there is no portal.

    Input fields: explicit `inputs` always win. With `object_id` (a record named), every
    other input naming a property takes the record's value, None where the record has
    none, and a record that does not exist (or cannot be read) is an EventError; the
    event's inputFields are not used. Without one: the event's inputFields, then static
    values, then the record the event names (object 1 unless it says otherwise).
    `callback_id` names the execution (a simulation's, one per enrollment and attempt);
    default a fresh one.
    """
    if event is not None and event_file is not None:
        raise EventError("give the event or an event file, not both")
    warnings: list[str] = []
    portal_id = portal_id or project.settings()["portal_id"]
    layers = [_template(action, portal_id, callback_id)]
    if event is not None:
        layers.append(_check_object(event, "the event given"))
    else:
        source = _event_path(action, event_file)
        if source is not None:
            layers.append(_only_hubspots_keys(_read(source), _name(source), extended))
    result = _merge(layers)
    if result["callbackId"] != layers[0]["callbackId"]:
        # HubSpot gives every execution its own; reusing one would also merge runs' API logs.
        warnings.append(f"the event's callbackId {result['callbackId']!r} was replaced by "
                        f"{layers[0]['callbackId']!r}: every execution has its own")
        result["callbackId"] = layers[0]["callbackId"]
    named = object_id is not None
    if named:
        result["object"]["objectId"] = object_id
    given = result.get("inputFields") or {}
    _check_shape(result)
    explicit = inputs or {}
    object_type, enrolled = result["object"]["objectType"], result["object"]["objectId"]
    known = properties(object_type) if properties is not None else None
    for field in unknown_properties(action.manifest, known):
        warnings.append(f"input field {field.name!r} reads the property {field.property!r}, which "
                        f"{object_type} records do not have in the local portal, so HubSpot would not "
                        f"offer it; " + DECLARE_PROPERTY.format(object_type=object_type, name=field.property))
    if named and given and (event is not None or event_file is not None):
        warnings.append(f"the event's inputFields were not used: object id {object_id} names a record, "
                        "and input fields come from its properties (--input NAME=VALUE, or inputs=, "
                        "overrides one)")
    needed = [f for f in action.manifest.inputs
              if f.property and f.name not in explicit and (named or f.name not in given)]
    values = None
    if needed and named:
        values = _named_record(record, properties is None or known is not None, object_type, enrolled)
    elif needed and record is not None:
        values = record(object_type, enrolled)
        if values is None:
            warnings.append(f"the portal has no {object_type} {enrolled}, the event's object: "
                            "input fields the event does not give are null")
    result["inputFields"] = _input_fields(action, {} if named else given, explicit, values, warnings)
    if object_type != action.manifest.object_type:
        warnings.append(
            f"the event enrolls a {object_type}, but action.toml says "
            f"object_type = {action.manifest.object_type!r}"
        )
    if extended:
        _add_optional_keys(result)
    return result, warnings


def unknown_properties(manifest: Manifest, known: set[str] | None) -> list[InputField]:
    """The input fields naming a property that is not in `known`, the names of the properties
    of the action's object type; none when the type's properties are not known (None)."""
    if known is None:
        return []
    return [f for f in manifest.inputs if f.property is not None and f.property not in known]


def _named_record(record, modelled: bool, object_type: str, object_id: int) -> dict:
    """The property values of the record an object id names, which input fields come from;
    `modelled` is False when the portal does not model records of `object_type`."""
    if record is None:
        raise EventError(f"object id {object_id} names a record, but this run has no local portal to "
                         "read its properties from: give every input field (inputs=...)")
    if not modelled:
        raise EventError(f"the local portal does not model {object_type} records, so it has no "
                         f"{object_type} {object_id} to read input fields from: give them with "
                         "--input NAME=VALUE (inputs= in pytest), or seed the custom object's schema")
    found = record(object_type, object_id)
    if found is None:
        raise EventError(f"{object_type} {object_id} does not exist in the local portal, and HubSpot "
                         f"enrolls only records that exist: name one listed by `hs-actions portal show "
                         f"{object_type.lower()}`, or give every input field (--input NAME=VALUE; inputs= in "
                         "pytest) to run it as a record deleted after enrolment")
    return found


def callback_id(portal_id: int) -> str:
    """A callback id unique to this execution, in HubSpot's form ap-<portal>-<enrollment>-<n>-<m>."""
    enrollment = random.randrange(10**9, 10**11) + next(_counter)
    return f"ap-{portal_id}-{enrollment}-{random.randrange(1, 10)}-{random.randrange(0, 10)}"


def _template(action: Action, portal_id: int, callback: str | None = None) -> dict:
    return {
        "origin": {
            "portalId": portal_id,
            # Stable per action, as the id of an action in a workflow is.
            "actionDefinitionId": zlib.crc32(action.name.encode()) % 10**8,
        },
        "object": {"objectType": action.manifest.object_type, "objectId": DEFAULT_OBJECT_ID},
        "inputFields": {},
        "callbackId": callback or callback_id(portal_id),
    }


def _event_path(action: Action, ref: str | Path | None) -> Path | str | None:
    if ref is None:
        default = action.folder / EVENTS / f"{DEFAULT_EVENT}.json"
        return within_folder(default, action.folder, "an event file") if default.is_file() else None
    if str(ref) == "-":
        return "-"
    path = Path(ref)
    if path.is_file():
        return within_folder(path, action.folder, "an event file")
    named = action.folder / EVENTS / (str(ref) if str(ref).endswith(".json") else f"{ref}.json")
    if "/" not in str(ref) and named.is_file():
        return within_folder(named, action.folder, "an event file")
    known = ", ".join(p.stem for p in action.events) or "none"
    raise EventError(f"{ref}: no such event file (events of {action.name}: {known}, in {action.folder / EVENTS})")


def _name(source: Path | str) -> str:
    return "stdin" if source == "-" else str(source)


def _read(source: Path | str) -> dict:
    name = _name(source)
    try:
        if source == "-":
            text = sys.stdin.read(EVENT_FILE_MAX_BYTES + 1)
            size = len(text.encode("utf-8", "surrogatepass"))
        else:
            # Measured before it is read: a huge file is refused without filling memory.
            size = Path(source).stat().st_size
            text = "" if size > EVENT_FILE_MAX_BYTES else Path(source).read_bytes()[:EVENT_FILE_MAX_BYTES + 1].decode("utf-8")
        if size > EVENT_FILE_MAX_BYTES:
            raise EventError(f"{name}: {size:,} bytes or more; an event file may hold at most {EVENT_FILE_MAX_BYTES:,} "
                             f"(HubSpot's events are a few hundred bytes: at most {hubspot_runtime.MAX_INPUTS} input fields)")
        if not text.strip():
            raise EventError(f"{name}: empty: an event is a JSON object like {{\"object\": {{\"objectId\": 1}}}}")
        data = json.loads(text, parse_int=_whole_number)
    except _TooManyDigits:
        raise EventError(_too_many_digits(name, text)) from None
    except json.JSONDecodeError as e:
        raise EventError(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise EventError(_too_deep(name)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise EventError(f"{name}: cannot read the event: {e}") from None
    return _check_object(data, name)


class _TooManyDigits(ValueError):
    """A JSON number longer than Python converts (sys.get_int_max_str_digits())."""


class _Digits(str):
    """A number too long to convert, kept as its text: found again to name its field."""


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > sys.get_int_max_str_digits() > 0:
        raise _TooManyDigits(text)
    return int(text)


def _too_many_digits(name: str, text: str) -> str:
    """Which field holds the long number, and how long it is."""
    limit = sys.get_int_max_str_digits()
    data = json.loads(text, parse_int=lambda t: _Digits(t) if len(t.lstrip("-")) > limit else 0)
    pending = [((), data)]
    while pending:
        path, value = pending.pop(0)
        if isinstance(value, _Digits):
            where = ".".join(str(key) for key in path) or "the event"
            return (f"{name}: the number in field {escaped(where)} has {len(value.lstrip('-')):,} digits; Python "
                    f"reads whole numbers of at most {limit:,}, and no HubSpot id or value is that long")
        if isinstance(value, dict):
            pending += [((*path, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [((*path, index), item) for index, item in enumerate(value)]
    return f"{name}: a number has more than {limit:,} digits"


def _only_hubspots_keys(data: dict, name: str, extended: bool) -> dict:
    """The event file's keys, each one HubSpot's: any other is an EventError naming it."""
    allowed = EVENT_KEYS + (EXTENDED_EVENT_KEYS if extended else ())
    for key in data:
        if key not in allowed:
            also = "" if extended or key not in EXTENDED_EVENT_KEYS else " (with --extended-event it may)"
            raise EventError(f"{name}: top-level key {escaped(json.dumps(key))} is not one of HubSpot's event keys "
                             f"({', '.join(allowed)}): an event file may not hold it{also}")
    return data


def _check_object(data, name: str) -> dict:
    if not isinstance(data, dict):
        raise EventError(f"{name}: an event is a JSON object like {{\"object\": {{\"objectId\": 1}}}}, not {type(data).__name__}")
    if deeper_than(data):
        raise EventError(_too_deep(name))
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


def _input_fields(action: Action, given: dict, explicit: dict, record: dict | None, warnings: list[str]) -> dict:
    """`record` holds the property values of the record input fields are read from, if any."""
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
        elif name in given:
            fields[name] = given[name]
        elif field.property is None:
            fields[name] = field.value
        elif record is not None:
            fields[name] = record.get(field.property)   # None: HubSpot's value for an empty property
        else:
            fields[name] = None
            warnings.append(f"input field {name!r} (property {field.property!r}) has no value: nothing gave one, so it is null")
    return fields


def workflow_values(properties: dict, types: dict) -> dict:
    """A record's property values as a workflow passes them to custom code: strings, with
    datetime and date properties as Unix milliseconds (HubSpot's own sample does
    int(event["inputFields"]["createdate"])), not the ISO text the CRM API returns, and an
    empty value as None (unconfirmed: no public source shows what HubSpot sends for one)."""
    values = {}
    for name, value in properties.items():
        if value in (None, ""):
            value = None
        elif types.get(name) in ("datetime", "date") and not str(value).isdigit():
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

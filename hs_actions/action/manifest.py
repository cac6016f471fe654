"""action.toml: what one sets in HubSpot's UI for an action, read and validated.

```toml
description = "Days from creation to MQL"
object_type = "CONTACT"            # what the workflow enrolls
secrets = ["TEST_SECRET"]          # the secrets ticked for this action

[inputs]                           # variable name = property name
createdate = "createdate"
campaign = { value = "spring" }    # a static value instead of a property

[outputs]                          # name = type
days = "number"
stage = { type = "enumeration", options = ["early", "late"] }

[budget]                           # optional, local only: a run over one fails (HubSpot never sees it)
seconds = 2
memory_mb = 64
api_calls = 3
```
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import hubspot_runtime
from hs_actions.core.project import ACCOUNT_NAME, ACCOUNT_NAME_RULE
from hs_actions.core.errors import ManifestError
from hs_actions.core.errors import did_you_mean as _did_you_mean
from hs_actions.core import text
from hs_actions.core.tomlfile import tomllib

FILENAME = "action.toml"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAME_RULE = "use letters, digits and _, not starting with a digit"
_TOP_KEYS = ("description", "object_type", "secrets", "inputs", "outputs", "budget", "hubspot")
# [hubspot]: where the action lives in the account, written by `hs-actions pull` and `deploy`;
# [hubspot.NAME] the same for account NAME of [tool.hs-actions.accounts].
_ORIGIN_KEYS = ("flow_id", "action_id", "revision", "code_hash", "fields_hash")


@dataclass(frozen=True)
class InputField:
    """An input field: a property of the enrolled record, a static value, or (pulled from
    HubSpot) another kind of HubSpot value kept as its Automation v4 JSON, which a local run
    cannot compute (it is null unless given) and deploy writes back unchanged."""

    name: str
    property: str | None = None
    value: str | int | float | bool | None = None
    hubspot: dict | None = None


@dataclass(frozen=True)
class OutputField:
    name: str
    type: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Origin:
    """Where an action lives in HubSpot, and what its code and fields were there when it was
    last pulled or deployed (hashes, to tell an edit made in HubSpot from a local one)."""

    flow_id: str
    action_id: str
    revision: str
    code_hash: str
    fields_hash: str


@dataclass(frozen=True)
class Budget:
    """What the team expects a run of the action to stay within, below HubSpot's own limits:
    a local check (run, pytest, test), never part of what is set in HubSpot. None: no budget."""

    seconds: float | None = None
    memory_mb: float | None = None
    api_calls: int | None = None


@dataclass(frozen=True)
class Manifest:
    description: str
    object_type: str
    secrets: tuple[str, ...]
    inputs: tuple[InputField, ...]
    outputs: tuple[OutputField, ...]
    records: dict[str, Origin] = field(default_factory=dict)   # by account name; "" for [hubspot]'s own keys
    budget: Budget = Budget()

    @property
    def origin(self) -> Origin | None:
        """The record of [hubspot]'s own keys: where the action lives in the account of a
        project without accounts."""
        return self.records.get("")

    def record(self, account: str | None, default: bool = False) -> Origin | None:
        """Where the action lives in `account` (None: the environment's account). The default
        account reads [hubspot]'s own keys when it has no table of its own: a project that
        configures accounts later keeps its links; the next write moves them to [hubspot.NAME]."""
        if account and account in self.records:
            return self.records[account]
        return self.records.get("") if not account or default else None

    def output(self, name: str) -> OutputField | None:
        return next((o for o in self.outputs if o.name == name), None)


def load(path: Path) -> Manifest:
    """Read and validate an action.toml; raise ManifestError naming the file and field."""
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            f"{path}: not found. Every action folder needs an {FILENAME}; "
            f"`hs-actions new NAME` writes one."
        ) from None
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{path}: invalid TOML: {e}") from None
    return parse(data, source=str(path))


def parse(data: dict, source: str = FILENAME) -> Manifest:
    def fail(field: str, problem: str) -> ManifestError:
        return ManifestError(f"{source}: {field}: {problem}")

    _reject_unknown(data, _TOP_KEYS, "", fail)

    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", f"must be a string, not {text.kind(description, 'toml')}")

    if "object_type" not in data:
        raise fail("object_type", 'missing: say what the workflow enrolls, e.g. object_type = "CONTACT"')
    object_type = data["object_type"]
    if not isinstance(object_type, str) or not hubspot_runtime.is_object_type(object_type):
        hint = _did_you_mean(str(object_type).upper(), hubspot_runtime.STANDARD_OBJECT_TYPES)
        raise fail(
            "object_type",
            f"{object_type!r} is not an object type HubSpot enrolls{hint}. Use one of "
            f"{', '.join(hubspot_runtime.STANDARD_OBJECT_TYPES)}, or a custom object's "
            f'type id such as "2-1234567".',
        )

    secrets = data.get("secrets", [])
    if not isinstance(secrets, list):
        raise fail("secrets", f'must be a list of names, e.g. secrets = ["TEST_SECRET"], not {text.kind(secrets, "toml")}')
    seen: set[str] = set()
    for name in secrets:
        if not isinstance(name, str) or not _NAME.match(name):
            raise fail("secrets", f"{name!r} is not a secret name: {NAME_RULE}")
        if name in seen:
            raise fail("secrets", f"{name!r} is listed twice")
        seen.add(name)

    inputs = tuple(_input(name, spec, fail) for name, spec in _table(data, "inputs", fail).items())
    if len(inputs) > hubspot_runtime.MAX_INPUTS:
        raise fail(
            "inputs",
            f"{len(inputs)} input fields; HubSpot allows at most {hubspot_runtime.MAX_INPUTS} per action",
        )
    outputs = tuple(_output(name, spec, fail) for name, spec in _table(data, "outputs", fail).items())
    records = _records(data, fail) if "hubspot" in data else {}
    return Manifest(description, object_type, tuple(secrets), inputs, outputs, records, _budget(data, fail))


def _budget(data: dict, fail) -> Budget:
    table = _table(data, "budget", fail)
    _reject_unknown(table, ("seconds", "memory_mb", "api_calls"), "budget.", fail)
    # A budget at or over HubSpot's limit could never fail a run: the limit stops it first.
    ceilings = {"seconds": (hubspot_runtime.TIMEOUT_SECONDS, "seconds of wall time", 2),
                "memory_mb": (hubspot_runtime.MEMORY_MB, "MB of memory", 64)}
    for key, (ceiling, unit, example) in ceilings.items():
        value = table.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < ceiling:
            raise fail(f"budget.{key}", f"{value!r}: give a number above 0 and below HubSpot's limit of "
                                        f"{ceiling:g} {unit} (e.g. {key} = {example})")
    calls = table.get("api_calls")
    if calls is not None and (isinstance(calls, bool) or not isinstance(calls, int) or calls < 0):
        raise fail("budget.api_calls", f"{calls!r}: give a whole number of API calls, 0 or more (e.g. api_calls = 3)")
    return Budget(table.get("seconds"), table.get("memory_mb"), calls)


def _records(data: dict, fail) -> dict[str, Origin]:
    """[hubspot]: its own keys are the record of the account given by the environment (a
    project without accounts); each [hubspot.NAME] sub-table is the record of account NAME."""
    table = _table(data, "hubspot", fail)
    records = {name: _record(record, f"hubspot.{name}.", fail) for name, record in table.items()
               if isinstance(record, dict)}
    for name in records:
        if not ACCOUNT_NAME.fullmatch(name):
            raise fail(f"hubspot.{name}", f"{name!r} is not an account name: use {ACCOUNT_NAME_RULE}")
    flat = {key: value for key, value in table.items() if not isinstance(value, dict)}
    if flat or not table:
        records[""] = _record(flat, "hubspot.", fail)
    return records


def _record(table: dict, prefix: str, fail) -> Origin:
    _reject_unknown(table, _ORIGIN_KEYS, prefix, fail)
    for key in _ORIGIN_KEYS:
        if not isinstance(table.get(key), str) or not table[key]:
            raise fail(f"{prefix}{key}", "missing or not a string: this table is written by `hs-actions pull` and "
                                         "`hs-actions deploy`; pull the action again to restore it")
    return Origin(**{key: table[key] for key in _ORIGIN_KEYS})


def _table(data: dict, key: str, fail) -> dict:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise fail(key, f"must be a table ([{key}]), not {text.kind(table, 'toml')}")
    return table


def _input(name: str, spec, fail) -> InputField:
    field = f"inputs.{name}"
    _check_name(name, field, fail)
    if isinstance(spec, str):
        if not spec:
            raise fail(field, "the property name is empty")
        return InputField(name, property=spec)
    if isinstance(spec, dict):
        _reject_unknown(spec, ("property", "value", "hubspot"), field + ".", fail)
        if sum(key in spec for key in ("property", "value", "hubspot")) != 1:
            raise fail(field, 'give either a property name or { value = "..." }, not both or neither')
        if "hubspot" in spec:
            if not isinstance(spec["hubspot"], dict) or not isinstance(spec["hubspot"].get("type"), str):
                raise fail(field + ".hubspot", 'must be a HubSpot input value, e.g. { type = "ACTION_DATA", ... }')
            return InputField(name, hubspot=dict(spec["hubspot"]))
        if "property" in spec:
            if not isinstance(spec["property"], str) or not spec["property"]:
                raise fail(field + ".property", "must be a property name (a non-empty string)")
            return InputField(name, property=spec["property"])
        value = spec["value"]
        if not isinstance(value, (str, int, float, bool)):
            raise fail(field + ".value", f"must be a string, number or boolean, not {text.kind(value, 'toml')}")
        return InputField(name, value=value)
    raise fail(field, f'must be a property name or {{ value = "..." }}, not {text.kind(spec, "toml")}')


def _output(name: str, spec, fail) -> OutputField:
    field = f"outputs.{name}"
    _check_name(name, field, fail)
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise fail(field, f'must be a type such as "string", or {{ type = "...", options = [...] }}, not {text.kind(spec, "toml")}')
    _reject_unknown(spec, ("type", "options"), field + ".", fail)
    kind = spec.get("type")
    if kind not in hubspot_runtime.OUTPUT_TYPES:
        hint = _did_you_mean(str(kind), hubspot_runtime.OUTPUT_TYPES)
        raise fail(
            field,
            f"unknown type {kind!r}{hint}; use one of {', '.join(hubspot_runtime.OUTPUT_TYPES)}",
        )
    options = spec.get("options")
    if kind == "enumeration":
        if not isinstance(options, list) or not options:
            raise fail(field, f'an enumeration needs options, e.g. {name} = {{ type = "enumeration", options = ["a", "b"] }}')
        if not all(isinstance(o, str) and o for o in options):
            raise fail(field + ".options", "options must be non-empty strings")
        if len(set(options)) != len(options):
            raise fail(field + ".options", "an option is listed twice")
        return OutputField(name, kind, tuple(options))
    if options is not None:
        raise fail(field + ".options", f"only enumeration outputs take options; this one is {kind}")
    return OutputField(name, kind)


def _check_name(name: str, field: str, fail) -> None:
    if not _NAME.match(name):
        raise fail(field, f"{name!r} is not a valid name: {NAME_RULE}")


def is_name(name: str) -> bool:
    """Whether action.toml can declare an input or output of this name."""
    return bool(_NAME.match(name))


def rename_hint(name: str) -> str:
    """How to make a name action.toml refuses (an output the code returns) declarable. No name
    is derived from it: the name may be a secret's value, masked only where copied exactly."""
    return f"rename it in the code, as action.toml cannot declare {name!r} ({NAME_RULE})"


def _reject_unknown(table: dict, known, prefix: str, fail) -> None:
    for key in table:
        if key not in known:
            hint = _did_you_mean(key, known)
            raise fail(prefix + key, f"unknown key{hint}; known keys: {', '.join(known)}")



"""What main returned, judged as HubSpot judges it against the declared output fields.

Two kinds of finding: an `error` fails the execution in HubSpot (main returned no dict,
a value it cannot marshal, a string over 65,000 characters); `problems` break action.toml
without failing it. Of those, HubSpot documents that an undeclared output is flagged in its
test panel and cannot be used by later actions; for a value of the wrong type it documents
nothing, and a HubSpot employee's forum post on output data types ("Data types for outputs",
community.hubspot.com, 2021) says the code, the output's type and the property it is copied
into "all need to agree" for later actions to use it. A run with problems therefore has an
outcome of its own (invalid_outputs), neither a success nor HubSpot's failure.

One mismatch has evidence of what HubSpot does: a list (or a number, a boolean, a dict)
returned for a string output. Two published workflows pass such a list output into a next
action that reads it back with ast.literal_eval, which works on Python's str(value) of the
list; so HubSpot most likely stores str(value) as the output's text. By default
(`string_outputs = "text"`) the run does the same, with a warning; `string_outputs = "strict"`
makes it a problem, as every other mismatch is (README, "Output values").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from hs_actions.core import hubspot_runtime, project, text
from hs_actions.action import returns
from hs_actions.action import manifest as manifest_module
from hs_actions.action.manifest import Manifest, OutputField
from hs_actions.harness.nesting import MAX_DEPTH, deeper_than

TOO_DEEP = "[a value nested more than {depth} levels deep: not shown]"
_DAY_MS = 86_400_000
# Epoch milliseconds below this are before March 1973: a value this small is most often a
# date in seconds that should have been multiplied by 1000 (a warning: 1971 can be real).
_SECONDS_LOOKALIKE = 10**11


@dataclass
class Judgement:
    outputs: dict = field(default_factory=dict)
    error: dict | None = None                              # fails the execution in HubSpot
    problems: list[str] = field(default_factory=list)      # break the declaration
    warnings: list[str] = field(default_factory=list)


def judge(returned, manifest: Manifest, code: Path | None = None) -> Judgement:
    """`returned` as the action process sends it (JSON, unserializable objects marked); `code`
    is the file that ran, to name where main can end without a value when it returned None."""
    verdict = Judgement()
    if returned is None:
        return _returned_none(verdict, code)
    if not isinstance(returned, dict) or "outputFields" not in returned:
        if isinstance(returned, dict) and "$unserializable" in returned:
            found = f"{returned['$unserializable']} {returned['repr']}"
        else:
            found = f"a dict with keys {', '.join(map(repr, returned))}" if isinstance(returned, dict) else text.python_value(returned)
        verdict.error = _error("InvalidReturnValue", f"{SHAPE}; it returned {found}")
        return verdict
    outputs = returned["outputFields"]
    if not isinstance(outputs, dict):
        verdict.error = _error("InvalidReturnValue", f"outputFields must be a dict of output names to values; it is {text.python_value(outputs)}")
        return verdict
    for key in returned:
        if key != "outputFields":
            verdict.warnings.append(f"main returned a key {key!r} besides outputFields: HubSpot ignores it")
    verdict.outputs = outputs = dict(outputs)
    deep = {name for name, value in outputs.items() if deeper_than(value)}
    for name in deep:
        # A value no output type takes, and deep enough to exhaust the recursion of what
        # judges, masks and prints a result: shown as a note, judged as what it is.
        outputs[name] = TOO_DEEP.format(depth=MAX_DEPTH)
        verdict.problems.append(f"output {name!r}: a value nested more than {MAX_DEPTH} levels deep; outputs are "
                                f"strings, numbers or booleans")

    for name, value in outputs.items():
        if name in deep:
            continue
        marker = _unserializable(value)
        if marker:
            verdict.error = _error(
                "Runtime.MarshalError",
                f"Unable to marshal response: Object of type {marker['$unserializable']} is not JSON serializable "
                f"(in output {name!r}: {marker['repr']})",
            )
            return verdict
        declared = manifest.output(name)
        text_value = None if declared is None else stored_as_text(declared, value)
        if text_value is not None:
            outputs[name] = text_value
            verdict.warnings.append(
                f"output {name!r} ({declared.type}): {text.python_value(value)} is not a string; stored as its "
                f"text {text.cut(repr(text_value))}, as HubSpot most likely does ({STRING_OUTPUTS_SETTING} = "
                f"\"strict\" in pyproject.toml makes this a problem)")
            value = text_value
        if isinstance(value, str) and len(value) > hubspot_runtime.OUTPUT_STRING_MAX:
            verdict.error = _error(
                "OUTPUT_VALUES_TOO_LARGE",
                f"output {name!r} is {len(value):,} characters; HubSpot fails the action above "
                f"{hubspot_runtime.OUTPUT_STRING_MAX:,}",
            )
            return verdict
        if declared is None:
            fix = (f'Declare it under [outputs], e.g. {name} = "{_guess_type(value)}"' if manifest_module.is_name(name)
                   else f"To use it, {manifest_module.rename_hint(name)}, and declare that under [outputs]")
            verdict.problems.append(
                f"output {name!r} is not declared in action.toml: HubSpot flags it and later "
                f"workflow actions cannot use it. {fix}"
            )
        elif value is not None:
            problem = value_problem(declared, value)
            if problem:
                verdict.problems.append(f"output {name!r} ({declared.type}): {problem}")
            elif declared.type in ("datetime", "date") and 0 < abs(value) < _SECONDS_LOOKALIKE:
                verdict.warnings.append(
                    f"output {name!r} ({declared.type}): {value} is {_iso(value)}; if it is Unix seconds "
                    f"({_iso(value * 1000)}), HubSpot wants milliseconds: multiply by 1000")
    for declared in manifest.outputs:
        if declared.name not in outputs:
            verdict.warnings.append(f"declared output {declared.name!r} was not returned: HubSpot leaves it empty")
    return verdict


def _returned_none(verdict: Judgement, code: Path | None) -> Judgement:
    places = returns.endings_in(code) if code else []
    where = "; ".join(f"{project.shown(code)}:{e.line}: {e.describe()}" for e in places)
    found = "it returned None" + (f" ({where})" if where else "")
    if returns.return_none_allowed():
        verdict.warnings.append(f"main returned None{f' ({where})' if where else ''}: {returns.NONE_ALLOWED}")
    else:
        verdict.error = _error("InvalidReturnValue", f"{SHAPE}; {found}: {returns.NONE_FAILS}. Fix: {returns.FIX}")
    return verdict


SHAPE = 'main must return a dict like {"outputFields": {...}}'
STRING_OUTPUTS_SETTING = "string_outputs"


def stored_as_text(declared: OutputField, value) -> str | None:
    """The text HubSpot most likely stores for a value that is not a string returned for a
    string output (Python's str(value): "['a', 'b']", "5", "True"), when the project reads
    such values that way (`string_outputs = "text"`, the default); None otherwise."""
    if declared.type != "string" or isinstance(value, str) or value is None:
        return None
    if project.settings()[STRING_OUTPUTS_SETTING] != "text":
        return None
    return str(value)


def value_problem(declared: OutputField, value, shown: str | None = None) -> str | None:
    """Why `value` cannot be the declared output, or None when it can. `shown` describes the
    value in the message instead of its repr (check passes the source text)."""
    kind = declared.type
    what = shown or text.python_value(value)
    if kind in ("string", "phone_number"):
        return None if isinstance(value, str) else f"expected a string, got {what}"
    if kind == "enumeration":
        if value in declared.options:
            return None
        return f"{shown or repr(value)} is not one of its options: {', '.join(map(repr, declared.options))}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {what}"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        unit = " (Unix milliseconds)" if kind in ("datetime", "date") else ""
        return f"expected a number{unit}, got {what}"
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if kind == "number":
        return None
    if value != int(value):
        return f"{value} is not a whole number of milliseconds"
    if kind == "date" and value % _DAY_MS:
        return (f"{value} is {_iso(value)}, not midnight UTC; a date output is the day's midnight UTC in "
                f"milliseconds, e.g. {int(value // _DAY_MS * _DAY_MS)}")
    return None


def _unserializable(value):
    """The first value JSON could not carry, anywhere inside `value` (inside/worker.py marks them)."""
    if isinstance(value, dict):
        if "$unserializable" in value:
            return value
        value = list(value.values())
    if isinstance(value, list):
        return next((m for m in map(_unserializable, value) if m), None)
    return None


def _iso(ms: float) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return "out of range"


def _guess_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _error(kind: str, message: str) -> dict:
    return {"type": kind, "message": message, "traceback": None}

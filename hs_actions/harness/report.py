"""A Result printed for people (like HubSpot's test panel) or as JSON for machines."""
from __future__ import annotations

import json

from hs_actions.core.colour import paint
from hs_actions.core.text import escaped
from hs_actions.harness.inside import protocol
from hs_actions.harness.result import Result

_MARK = {"success": "OK", "invalid_outputs": "INVALID", "over_budget": "OVER", "error": "FAILED", "retry": "RETRY", "timeout": "TIMEOUT",
         "memory": "MEMORY"}
_SAID = {"invalid_outputs": "invalid_outputs: it ran, but its outputs break action.toml (below)",
         "over_budget": "over_budget: it succeeded, but went over its [budget] in action.toml (below)"}
_COLOUR = {"OK": "green", "INVALID": "yellow", "OVER": "red", "FAILED": "red", "RETRY": "yellow", "TIMEOUT": "red", "MEMORY": "red"}


def human(result: Result, colour: bool = False) -> str:
    """The report; with `colour`, its status word in colour (for a terminal)."""
    mark = _MARK[result.status]
    shown = paint(mark, _COLOUR[mark]) if colour else mark
    lines = [
        f"{' ' * (8 - len(mark))}{result.action}: {_SAID.get(result.status, result.status)}",
        f"        {_duration(result.duration_ms)}, {result.memory_mb:.0f} MB peak, {result.runtime}",
        f"        callbackId {result.event.get('callbackId')}, {result.event.get('object', {}).get('objectType')} "
        f"{result.event.get('object', {}).get('objectId')}",
    ]
    if result.isolation:
        lines.insert(2, f"        {isolation(result.isolation)}")
    if result.output_fields:
        lines.append("Outputs")
        width = max(len(name) for name in result.output_fields)
        for name, value in result.output_fields.items():
            lines.append(f"  {name:<{width}}  {json.dumps(value, default=str)}")
    if result.output_errors:
        lines.append("Output problems")
        lines += [f"  - {problem}" for problem in result.output_errors]
    if result.budget_errors:
        lines.append("Over budget")
        lines += [f"  - {overrun}" for overrun in result.budget_errors]
    if result.error and result.status != "over_budget":   # its error repeats the overruns above
        lines.append("Error")
        # A traceback ends with the exception's type and message; without one, say them. A
        # connection the guard refused is that one line (--json keeps the traceback).
        text = (not result.error.refused_connection and result.error.traceback) or f"{result.error.type}: {result.error.message}"
        lines += ["  " + line for line in text.rstrip().splitlines()]
    if result.api_calls:
        unmodelled = sum(1 for call in result.api_calls if call.get("unmodelled"))
        gap = (f" ({unmodelled} call{'s' if unmodelled > 1 else ''} the local portal does not model: "
               f"HubSpot serves {'them' if unmodelled > 1 else 'it'}, its scopes are unknown here)") if unmodelled else ""
        lines.append(f"API calls ({len(result.api_calls)}); scopes needed: {', '.join(result.scopes) or 'none'}{gap}")
        for call in result.api_calls:
            query = f"?{call['query']}" if call.get("query") else ""
            note = "  NOT MODELLED by the local portal (a gap in hs-actions, not in your code)" if call.get("unmodelled") else ""
            lines.append(f"  {call['status']} {call['method']} {call['path']}{query}  {call['duration_ms']:.1f} ms{note}")
    if result.retry:
        lines += ["Retry", f"  {result.retry}"]
    lines.append("Logs" if result.logs else "Logs: (none)")
    if result.logs:
        lines += ["  | " + line for line in result.logs.rstrip("\n").splitlines()]
    if result.warnings:
        lines.append("Warnings")
        lines += [f"  - {warning}" for warning in result.warnings]
    # Names, outputs, paths, hosts, command lines, logs and exception text are the action's:
    # every control character in them is shown escaped, and only the status word is coloured.
    return "\n".join([shown + escaped(lines[0], keep="\t")] + [escaped(line, keep="\t") for line in lines[1:]])


def isolation(found: dict) -> str:
    """One line: the sandbox a run had (or why none), and how its memory and process limits
    were enforced."""
    if found.get("sandbox") == protocol.SANDBOXED:
        sandbox = "sandbox: own user, pid, mount, network, IPC, UTS and cgroup namespaces"
    else:
        sandbox = f"sandbox: none ({found.get('reason') or 'unavailable'}): in-process network guard only"
    processes = f"; process limit by {found['processes']}" if found.get("processes") else ""
    return f"{sandbox}; memory limit by {found.get('memory', 'sampling')}{processes}"


def _duration(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:,.0f} ms"

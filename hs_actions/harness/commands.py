"""`hs-actions run` and `hs-actions setup`: what the CLI delegates to, each returning a Report
(hs_actions.core.report), so that a test calls them as the CLI does, without a terminal.

Kept apart from the harness itself (harness.py runs an action for any caller, the pytest
plugin included): this module only turns command-line values into a run and its report.
Its imports stay light until the runtime is starting, as run's start-up time depends on it.
"""
from __future__ import annotations

from pathlib import Path

from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report


def run(ref: str, *, event: str | None = None, object_id: int | None = None, inputs: list[str] = (),
        env_file: Path | None = None, timeout: float | None = None, memory: float | None = None,
        extended_event: bool = False, allow_hosts: list[str] = (), portal_db: Path | None = None,
        failures=(), rate_limit: str | None = None, as_json: bool = False, colour: bool = False) -> Report:
    """Run the action `ref` once, as HubSpot would, against the local portal: the report
    (with `colour`, its status word in colour), or with as_json its JSON; exit 0 when the run
    succeeded, 1 otherwise. `inputs` are NAME=VALUE texts; `failures` and `rate_limit` are the
    portal's (hs_actions.portal.commands.failure_rule and rate_limit_tier)."""
    runner, runtime = _start_runtime(ref)
    from hs_actions.harness import Harness
    from hs_actions.harness import report

    values = input_values(inputs)
    # Opened by the harness once the runtime is starting, to overlap the two.
    portal = served_portal(portal_db, failures, rate_limit)
    with Harness(runtime=runtime, portal=portal, runner=runner) as harness:
        result = harness.run(
            ref, event_file=event, object_id=object_id, inputs=values,
            env_file=env_file, timeout=timeout, memory=memory,
            extended_event=extended_event, allow_hosts=tuple(allow_hosts),
        )
        if failures:
            result.warnings += [f"--fail '{rule}' matched no API call of this run: nothing was forced to fail "
                                f"(check its method and path regex against the API calls above)"
                                for rule in harness.portal.failures.unused()]
    # The portal is not shut down: the command ends here, its server thread is a daemon and
    # every write was committed; waiting for the server loop would only delay the report.
    exit_code = 0 if result.ok else 1
    if as_json:
        return Report(data=result.to_dict(), exit_code=exit_code)
    return Report([report.human(result, colour=colour)], exit_code)


def input_values(items) -> dict[str, str]:
    """--input NAME=VALUE texts as input field values; ToolkitError for one not written so."""
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ToolkitError(f"--input {item!r}: write it as NAME=VALUE")
        values[name] = value
    return values


def served_portal(portal_db: Path | None, failures=(), rate_limit: str | None = None):
    """A function that opens the local portal of `portal_db` (the default's when None) with
    the faults given, and serves it: what a Harness takes as its portal, opening it at its
    first run."""
    def portal():
        from hs_actions.portal.commands import open_local

        local = open_local(portal_db, failures=failures, rate_limit=rate_limit)
        local.serve()
        return local
    return portal


def _start_runtime(ref: str):
    """Start HubSpot's runtime on the action's libraries first: it imports them while the
    rest of the toolkit loads and the run is prepared. (Light imports only, up to here.)"""
    from hs_actions.harness import runtime as runtime_module
    from hs_actions.action.folder import CODE, locate
    from hs_actions.harness.runner import Runner

    runtime = runtime_module.current()
    runner = Runner(runtime.python, "spawn")
    folder = locate(ref)
    if folder is not None:
        runner.prepare(str(folder), folder / CODE)
    return runner, runtime


def setup(*, quiet: bool = False, rebuild: bool = False, console: Console | None = None) -> Report:
    """Prepare HubSpot's runtime (Python 3.9 and its libraries) when it is not ready, or with
    `rebuild`; then what the sandbox can do here, unless `quiet`. What the build does is shown
    on the console as it goes: it takes minutes the first time."""
    from hs_actions.harness import runtime

    console = console or Console()
    report = Report()
    if rebuild or not (quiet and not runtime.current().fallback):
        runtime.setup(rebuild=rebuild, say=lambda line: console.show(report, line))
    if not quiet:
        from hs_actions.harness import sandbox
        report.lines.append(sandbox.summary())
    return report

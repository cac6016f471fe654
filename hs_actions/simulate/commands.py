"""`hs-actions simulate`: what the CLI delegates to, returning a Report (core.report).

The simulation works on a copy of the local portal, in memory: thousands of executions'
writes and generated records never change .hs-actions/portal.sqlite3, and a copy in memory
serves faster than the file.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report
from hs_actions.simulate import DEFAULT_CONCURRENCY, DEFAULT_SAMPLE, TIERS

_PERIODS = {"s": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_REDRAW_SECONDS = 0.25
LANES_A_CORE = 4            # at most (default_lanes)
ENROLLMENTS_A_LANE = 250    # a lane a core more for each (default_lanes)


def execution_rate(text: str) -> float:
    """An --execution-rate value, "N/second", "N/minute" or "N/hour" (HubSpot's per-action
    execution rate limit), as executions per second; ValueError saying how to write it."""
    count, sep, period = text.partition("/")
    if not sep or not count.strip().isdigit() or int(count) < 1 or period.strip().lower() not in _PERIODS:
        raise ValueError(f"{text!r}: write it as N/second, N/minute or N/hour, e.g. 10/second")
    return int(count) / _PERIODS[period.strip().lower()]


def simulate(ref: str, *, enrollments: int | None = None, object_ids: Path | None = None, generate: bool = False,
             tier: str = "starter", concurrency: int = DEFAULT_CONCURRENCY, rate: float | None = None,
             backoff: float | None = None, failures=(), env_file: Path | None = None, timeout: float | None = None,
             memory: float | None = None, allow_hosts=(), inputs=(), extended_event: bool = False,
             portal_db: Path | None = None, lanes: int | None = None, cold: bool = False,
             retry_check: bool = False, sample: int = DEFAULT_SAMPLE, as_json: bool = False,
             console: Console | None = None) -> Report:
    """Simulate the enrollments of `ref` (or, with retry_check, check that it is safe to retry);
    `inputs` (NAME=VALUE texts) and `extended_event` apply to every execution, as for `run`.
    Executions reuse a warm action process per lane, as HubSpot's reused containers do under a
    bulk enrollment (module state survives); `cold` starts each from a fresh one. Exit 0 when every enrollment succeeded (every trial was retry safe), 1 otherwise, and 2
    (ToolkitError) for input that cannot be simulated."""
    from hs_actions.action.folder import load
    from hs_actions.harness import Harness, runtime as runtime_module, secrets
    from hs_actions.harness.commands import input_values
    from hs_actions.simulate import enrollments as chosen

    if (enrollments is None) == (object_ids is None):
        raise ToolkitError("simulate: give --enrollments N or --object-ids FILE (one of them)")
    if enrollments is not None and enrollments < 1:
        raise ToolkitError(f"--enrollments {enrollments}: give a number of records, 1 or more")
    if tier not in TIERS:
        raise ToolkitError(f"--tier {tier!r}: one of {', '.join(TIERS)}")
    if concurrency < 1:
        raise ToolkitError(f"--concurrency {concurrency}: give 1 or more executions at once")
    if backoff is not None and backoff < 1:
        raise ToolkitError(f"--retry-backoff {backoff:g}: HubSpot's wait between retries only grows, give 1 or more")
    if retry_check and failures:
        raise ToolkitError("--retry-check forces its own 429s: leave out --fail")
    console = console or Console()
    action = load(ref)
    ids = chosen.read_ids(object_ids) if object_ids is not None else None
    portal = _portal_copy(portal_db)
    try:
        enrolled = chosen.choose(portal, action, count=enrollments, ids=ids, generate=generate)
        portal.rate_limit(tier)
        runtime = runtime_module.current()
        # Secrets are resolved once, before any run: a missing one stops the simulation at once
        # (exit 2), and no run reads .env again.
        values = secrets.resolve(action.manifest.secrets, environ=os.environ, env_file=env_file)
        options = {"secrets": values, "environ": {}, "timeout": timeout, "memory": memory,
                   "allow_hosts": tuple(allow_hosts), "inputs": input_values(inputs), "extended_event": extended_event}
        if retry_check:
            with Harness(runtime=runtime, mode="fork", portal=portal) as harness:
                return _retry_check(harness, portal, action, _sample(enrolled, sample), options, as_json)
        for rule in failures:
            portal.fail(*rule)
        # Warm by default: under a bulk enrollment HubSpot's runtime (AWS Lambda) reuses a
        # container for execution after execution, so module-level state carries over
        # (HUBSPOT_RUNTIME.md: "may survive"); a run that fails or times out ends its process
        # and the next starts fresh. It also halves each execution's cost (no fork and exit).
        options = {**options, "warm": not cold}
        count = lanes or default_lanes(len(enrolled), concurrency)
        harnesses = [Harness(runtime=runtime, mode="fork", portal=portal) for _ in range(count)]
        try:
            return _simulate(harnesses, portal, action, enrolled, tier=tier, concurrency=concurrency, rate=rate,
                             backoff=backoff, options=options, failures=failures, as_json=as_json, console=console,
                             runtime=runtime)
        finally:
            for harness in harnesses:
                harness.close()
    finally:
        portal.close()


def default_lanes(enrollments: int, concurrency: int, cores: int | None = None) -> int:
    """How many executions run at once here (lanes: each a harness, its runtime started once).

    A run spends much of its time handing over between processes (the toolkit, the supervisor,
    the action, the portal), and the toolkit's part (its portal and harness: one interpreter)
    runs one thread at a time, so with a lane a core the cores often wait. More lanes fill those
    gaps, and each costs a runtime's start (0.23 s of CPU). Measured on a quiet 2-core machine:
    10,000 executions took 66.2 s with 2 lanes a core (12% of the cores idle) and 54.5 s with 4
    (4%); 16 took 0.3 s with 1 lane a core and 0.9 s with 4. So a lane a core, one more a core for
    every 250 enrollments, up to four a core; never more than the concurrency or the enrollments.
    """
    cores = cores or os.cpu_count() or 1
    a_core = min(LANES_A_CORE, 1 + enrollments // ENROLLMENTS_A_LANE)
    return max(1, min(a_core * cores, concurrency, enrollments))


def _simulate(harnesses, portal, action, enrolled, *, tier, concurrency, rate, backoff, options, failures, as_json,
              console, runtime) -> Report:
    from hs_actions.simulate import report
    from hs_actions.simulate.engine import Simulation
    from hs_actions.simulate.retry import RetryRule

    rule = RetryRule() if backoff is None else RetryRule(backoff=backoff)
    shown = _Progress(console.progress, len(enrolled))
    simulation = Simulation(harnesses, portal, action, enrolled, concurrency=concurrency, rule=rule,
                            execution_rate=rate, run_options=options, progress=shown.update)
    started = time.perf_counter()
    simulation.run()
    shown.finish()
    figures = report.summary(simulation, tier=tier, daily=portal.limiter.daily,
                             wall_seconds=time.perf_counter() - started)
    warnings = [w for w in [runtime.warning] if w]
    warnings += [f"--fail '{rule}' matched no API call: nothing was forced to fail" for rule in portal.failures.unused()]
    exit_code = 0 if figures["succeeded"] == figures["enrollments"] else 1
    if as_json:
        return Report(data={**figures, "warnings": warnings}, exit_code=exit_code)
    return Report(report.human(figures, warnings), exit_code)


def _retry_check(harness, portal, action, object_ids, options, as_json) -> Report:
    from hs_actions.core.text import escaped
    from hs_actions.simulate.retry_check import check

    found = check(harness, portal, action, object_ids, options)
    exit_code = 0 if found.retry_safe else 1
    if as_json:
        return Report(data=found.to_dict(), exit_code=exit_code)
    verdict = "retry safe" if found.retry_safe else "NOT retry safe" if found.checked else "not checked"
    lines = [f"retry check of {escaped(action.name)}: {verdict} ({found.checked} of {len(found.records)} records "
             "checked: a 429 on each API call in turn, then HubSpot's retry)"]
    lines += [escaped(line) for line in found.lines()]
    return Report(lines, exit_code)


def _sample(enrolled: list[int], size: int) -> list[int]:
    """Up to `size` of the enrolled records, spread evenly over them (the first always among them)."""
    if size < 1:
        raise ToolkitError(f"--sample {size}: give a number of records, 1 or more")
    if len(enrolled) <= size:
        return list(enrolled)
    step = len(enrolled) / size
    return [enrolled[int(n * step)] for n in range(size)]


def _portal_copy(portal_db: Path | None):
    """An in-memory portal holding a copy of the local portal (seeded first if empty), served."""
    from hs_actions.portal.commands import open_local
    from hs_actions.portal.portal import Portal

    local = open_local(portal_db)
    try:
        path, portal_id = local.backend.db, local.portal_id
    finally:
        local.close()
    copy = Portal(db=":memory:", portal_id=portal_id)
    copy.load_copy(path)
    copy.serve()
    return copy


class _Progress:
    """A line on the progress stream: redrawn in place on a terminal (a few times a second),
    written once at the end elsewhere. Made only when shown: update() runs once an execution."""

    def __init__(self, stream, total: int):
        self.stream, self.total = stream, total
        self.live = getattr(stream, "isatty", lambda: False)()
        self.figures: tuple | None = None
        self.drawn = 0.0

    @property
    def line(self) -> str:
        if self.figures is None:
            return ""
        settled, total, executions, now = self.figures
        return (f"simulate: {settled:,}/{total:,} enrollments settled, {executions:,} executions, "
                f"{now / 60:.1f} simulated minutes")

    def update(self, settled: int, total: int, executions: int, now: float) -> None:
        self.figures = (settled, total, executions, now)
        if self.live and time.monotonic() - self.drawn >= _REDRAW_SECONDS:
            self.drawn = time.monotonic()
            self.stream.write(f"\r{self.line}")
            self.stream.flush()

    def finish(self) -> None:
        if self.line:
            self.stream.write(f"{chr(13) if self.live else ''}{self.line}\n")
            self.stream.flush()

"""A simulation's figures, and how they are shown (human and --json)."""
from __future__ import annotations

import os
import statistics
from collections import Counter

from hs_actions.core.text import escaped


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summary(simulation, *, tier: str, daily: int | None, wall_seconds: float) -> dict:
    """The figures of a finished simulation (engine.Simulation), as --json gives them."""
    enrollments = simulation.enrollments
    executions = [e for enrollment in enrollments for e in enrollment.executions]
    durations = [e.duration_ms for e in executions]
    calls = sum(e.api_calls for e in executions)
    failed = Counter(e.outcome for e in enrollments if e.outcome != "success")
    # Calls by simulated day (an execution's calls counted on the day it started).
    by_day = Counter()
    for e in executions:
        by_day[int(e.start // 86400)] += e.api_calls
    over_budget = [e for e in executions if e.budget_errors]
    slowest = max(enrollments, key=lambda e: e.seconds, default=None)
    first = simulation.first
    return {
        "action": simulation.action.name,
        "tier": tier,
        "concurrency": simulation.concurrency,
        "processes": "warm" if simulation.run_options.get("warm") else "cold",
        # Runs at once on this machine: their execution times (and so the simulated times)
        # include waiting for a core when there are more lanes than cores.
        "lanes": len(simulation.harnesses),
        "cores": os.cpu_count() or 1,
        "execution_rate": round(1 / simulation.interval, 3) if simulation.interval else None,
        "enrollments": len(enrollments),
        "succeeded": sum(1 for e in enrollments if e.outcome == "success"),
        "failed": dict(sorted(failed.items())),
        "executions": len(executions),
        "retries": sum(1 for e in executions if e.attempt > 0),
        "api_calls": calls,
        "rate_limited": sum(e.rate_limited for e in executions),
        # Executions over the action's [budget]: successes to HubSpot, the team's expectation missed.
        "over_budget": {"executions": len(over_budget),
                        "first": None if not over_budget else {"object_id": over_budget[0].object_id,
                                                               "budget_errors": over_budget[0].budget_errors}},
        "hubspot_seconds": round(max((e.end for e in executions), default=0.0), 3),
        "wall_seconds": round(wall_seconds, 3),
        "calls_per_enrollment": round(calls / len(enrollments), 3) if enrollments else 0.0,
        "daily_budget_used": round(max(by_day.values(), default=0) / daily, 6) if daily else None,
        "execution_ms": {"p50": round(percentile(durations, 0.5), 2), "p95": round(percentile(durations, 0.95), 2),
                         "mean": round(statistics.fmean(durations), 2) if durations else 0.0},
        "slowest_enrollment": None if slowest is None else {
            "object_id": slowest.object_id, "hubspot_seconds": round(slowest.seconds, 3),
            "executions": len(slowest.executions), "outcome": slowest.outcome,
        },
        "runtime": first.runtime if first else None,
        "isolation": first.isolation if first else None,
    }


def human(figures: dict, warnings: list[str] = ()) -> list[str]:
    """The report's lines."""
    f = figures
    rate = f" at most {f['execution_rate']:g} a second," if f["execution_rate"] else ""
    lines = [f"simulate {escaped(f['action'])}: {f['enrollments']:,} enrollments, {f['tier']} tier, "
             f"concurrency {f['concurrency']},{rate} HubSpot's retry rule, {f['processes']} processes"]
    verdict = "all succeeded" if f["succeeded"] == f["enrollments"] else f"{f['enrollments'] - f['succeeded']:,} FAILED"
    lines.append(f"  succeeded       {f['succeeded']:,} of {f['enrollments']:,} ({verdict})")
    for kind, count in f["failed"].items():
        lines.append(f"  failed          {count:,} {escaped(str(kind))}")
    lines += [
        f"  executions      {f['executions']:,} ({f['retries']:,} of them retries)",
        f"  api calls       {f['api_calls']:,} ({f['calls_per_enrollment']:g} per enrollment), "
        f"{f['rate_limited']:,} rate limited (429)",
    ]
    if f["daily_budget_used"] is not None:
        lines.append(f"  daily budget    {_share(f['daily_budget_used'])} used (the busiest simulated day)")
    over = f["over_budget"]
    if over["executions"]:
        lines.append(f"  over [budget]   {over['executions']:,} execution(s), which HubSpot counts as succeeded; "
                     f"the first, record {over['first']['object_id']}: {escaped('; '.join(over['first']['budget_errors']))}")
    lines += [
        f"  hubspot time    {_duration(f['hubspot_seconds'])} until the last execution ended (simulated)",
        f"  wall time       {f['wall_seconds']:.1f} s",
        f"  execution       p50 {f['execution_ms']['p50']:.0f} ms, p95 {f['execution_ms']['p95']:.0f} ms "
        f"(here: {f['lanes']} at once on {f['cores']} cores, against the local portal)",
    ]
    slow = f["slowest_enrollment"]
    if slow:
        lines.append(f"  slowest         record {slow['object_id']}: {_duration(slow['hubspot_seconds'])} over "
                     f"{slow['executions']} execution(s), {escaped(str(slow['outcome']))}")
    if f["isolation"]:
        lines.append(f"  sandbox         {f['isolation'].get('sandbox')}")
    lines += [f"warning: {escaped(w)}" for w in warnings]
    return lines


def _share(share: float) -> str:
    """A share as a percentage, never a used share shown as 0.00%."""
    if 0 < share < 0.0001:
        return "under 0.01%"
    return f"{share * 100:.2f}%"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.2f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"

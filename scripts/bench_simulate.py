"""`hs-actions simulate` speed, measured (not a test). Run through ./scripts/bench.

10,000 enrollments (BENCH_SIMULATE_ENROLLMENTS) of round_robin_owner, a two-call action (the
owners, then an update of the contact), records generated in the simulation's copy of the
portal, on the capacity tier with an execution rate (10 a second: 200 calls in 10 s of its
250) that keeps the calls under its rate limit, so that retries hardly add to the executions.
Each execution is a real sandboxed run. Reports the median wall time of BENCH_SIMULATE_REPEATS
simulations (default 3) and the wall time per execution. Target: 10,000 enrollments in under
60 s on 2 cores. The load average is printed with it, and the CPU time the whole machine spent
an execution (Linux: /proc/stat): on a machine others share, or one whose speed varies (a
virtual machine), the wall time says as much about them as about the toolkit.
"""
from __future__ import annotations

import os
import statistics

from hs_actions.core.report import Console
from hs_actions.simulate.commands import simulate

ENROLLMENTS = int(os.environ.get("BENCH_SIMULATE_ENROLLMENTS", "10000"))
REPEATS = int(os.environ.get("BENCH_SIMULATE_REPEATS", "3"))
TARGET_SECONDS = 60.0 * ENROLLMENTS / 10_000


def machine_busy_seconds() -> float | None:
    """CPU seconds every core of this machine has spent working since boot; None without /proc."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + ticks[4]   # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    walls, busy = [], []
    for _ in range(REPEATS):
        before = machine_busy_seconds()
        with open(os.devnull, "w") as quiet:   # no progress line
            report = simulate("round_robin_owner", enrollments=ENROLLMENTS, generate=True, tier="capacity", rate=10.0,
                              concurrency=10, as_json=True, console=Console(progress=quiet))
        figures = report.data
        assert figures["succeeded"] == ENROLLMENTS, figures
        walls.append(figures["wall_seconds"])
        if before is not None:
            busy.append((machine_busy_seconds() - before) / figures["executions"])
    wall = statistics.median(walls)
    print(f"simulate: {ENROLLMENTS:,} enrollments of a two-call action, median of {REPEATS}: {wall:.1f} s wall "
          f"({wall / ENROLLMENTS * 1000:.1f} ms an execution, on {os.cpu_count()} cores; "
          f"{figures['executions']:,} executions, {figures['hubspot_seconds']:.0f} s simulated). Target: under {TARGET_SECONDS:.0f} s "
          f"({'met' if wall < TARGET_SECONDS else 'NOT met'})")
    if busy:
        print(f"simulate: the machine's CPU an execution, median {statistics.median(busy) * 1000:.1f} ms "
              f"(every process: the action's, the supervisor's, the toolkit's and its portal's)")
    print(f"simulate: load average {os.getloadavg()[0]:.1f} at the end (2 cores: above 2, others' work is waiting too)")


if __name__ == "__main__":
    main()

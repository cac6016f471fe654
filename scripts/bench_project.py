"""How long a team's project takes to test itself: `hs-actions init`, then its ./scripts/test
with its one example action, timed after set-up.

    .venv/bin/python scripts/bench_project.py [--runs 5]

Makes a project in a temporary folder pinned to this checkout, sets it up once (its .venv; the
runtime is this checkout's, shared through a link, as building it is measured by nothing here),
then times ./scripts/test. Prints the set-up's seconds and the median of the timed runs; the
baseline is the target (issue 14): under 30 s on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("HS_ACTIONS_PROJECT", "VIRTUAL_ENV")}
    with tempfile.TemporaryDirectory(prefix="hs-actions-bench-") as work:
        team = Path(work) / "team"
        subprocess.run([sys.executable, "-m", "hs_actions.cli", "init", str(team), "--source", str(ROOT)],
                       check=True, env=env, capture_output=True)
        (team / ".hs-actions").mkdir()
        (team / ".hs-actions" / "runtime").symlink_to(ROOT / ".hs-actions" / "runtime")
        started = time.perf_counter()
        subprocess.run(["./scripts/test"], cwd=team, env=env, check=True, capture_output=True)
        setup = time.perf_counter() - started
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(["./scripts/test"], cwd=team, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"initialized project's ./scripts/test: first run (sets up .venv) {setup:.1f} s; then median "
          f"{median:.2f} s of {args.runs} (target < {TARGET_SECONDS:g} s: {median / TARGET_SECONDS:.2f} of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

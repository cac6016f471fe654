"""Harness overhead, measured (not a test). Run through ./scripts/bench.

For an action that imports hubspot-api-client and requests and builds a client:
  (a) baseline: a bare cold run, the runtime interpreter importing the action and calling main
  (b) one `hs-actions run` of it (toolkit start-up, event, secrets, sandbox, child process, report)
  (c) 100 runs through the run_action fixture in one pytest process
Reports medians and the ratios b/a and c/(100*a). Targets: b/a <= 1.6, c/(100*a) <= 0.15.
(b) and (c) run with the sandbox as this machine gives it, and again with it turned off
(HS_ACTIONS_SANDBOX=off): the difference is the sandbox's own cost per run.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hs_actions.core import project
from hs_actions.harness import report, runtime

ACTION = '''\
import os
import requests
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    api = client.crm.contacts.basic_api
    email = event["inputFields"]["email"]
    return {"outputFields": {"domain": email.rpartition("@")[2], "api": type(api).__name__}}
'''
MANIFEST = '''\
object_type = "CONTACT"
secrets = ["HUBSPOT_TOKEN"]
[inputs]
email = "email"
[outputs]
domain = "string"
api = "string"
'''
BARE = '''\
import importlib.util, os
os.environ["HUBSPOT_TOKEN"] = "bench"
spec = importlib.util.spec_from_file_location("action", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.main({{"inputFields": {{"email": "a@example.com"}}}})
'''
HUNDRED = '''\
import json, time

def test_hundred_runs(run_action):
    started = time.perf_counter()
    for _ in range(100):
        result = run_action({folder!r}, inputs={{"email": "a@example.com"}}, secrets={{"HUBSPOT_TOKEN": "bench"}})
        assert result.ok, result.error
    with open({out!r}, "w") as f:
        json.dump({{"seconds": time.perf_counter() - started}}, f)
'''


ENV = {"HUBSPOT_TOKEN": "bench", "PATH": "/usr/bin:/bin"}
WITHOUT_SANDBOX = {"HS_ACTIONS_SANDBOX": "off"}


def timed(*commands: tuple[list[str], dict], repeat: int) -> list[list[float]]:
    """Wall times of each (command, extra environment), `repeat` times, interleaved: a change
    in the machine's load during the measurement falls on every command alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for (command, env), seconds in zip(commands, times):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env={**ENV, **env})
            seconds.append(time.perf_counter() - started)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hs-bench-") as scratch:
        measure(runtime.current(), Path(scratch))


def measure(rt: runtime.Runtime, work: Path) -> None:
    folder = work / "bench_action"
    folder.mkdir()
    (folder / "action.py").write_text(ACTION)
    (folder / "action.toml").write_text(MANIFEST)
    (work / "bare.py").write_text(BARE.format(path=str(folder / "action.py")))
    out = work / "hundred.json"
    (work / "test_hundred.py").write_text(HUNDRED.format(folder=str(folder), out=str(out)))
    hs = str(Path(sys.executable).with_name("hs-actions"))

    run = [hs, "run", str(folder), "--input", "email=a@example.com", "--portal-db", str(work / "portal.sqlite3")]
    isolation = json.loads(subprocess.run([*run, "--json"], check=True, capture_output=True, text=True,
                                          env=ENV).stdout)["isolation"]
    print(f"runtime: {rt.describe()}{' (FALLBACK)' if rt.fallback else ''}", flush=True)
    print(f"isolation: {report.isolation(isolation)}", flush=True)
    bare, sandboxed, unsandboxed = timed(([str(rt.python), str(work / "bare.py")], {}), (run, {}),
                                         (run, WITHOUT_SANDBOX), repeat=21)
    a, b, b_off = statistics.median(bare), statistics.median(sandboxed), statistics.median(unsandboxed)
    c, c_off = (hundred_runs(work, out, env) for env in ({}, WITHOUT_SANDBOX))
    print(f"(a) bare cold run (baseline)        median {a * 1000:8.1f} ms")
    print(f"(b) one hs-actions run              median {b * 1000:8.1f} ms   b/a = {b / a:.2f}   (target <= 1.6)")
    print(f"    the same, sandbox turned off    median {b_off * 1000:8.1f} ms   sandbox: {(b - b_off) * 1000:+.1f} ms per run")
    print(f"(c) 100 runs via run_action         median {c * 1000:8.1f} ms   c/(100*a) = {c / (100 * a):.3f}   (target <= 0.15)")
    print(f"    per run in (c)                         {c * 10:8.1f} ms")
    print(f"    the same, sandbox turned off           {c_off * 10:8.1f} ms   sandbox: {(c - c_off) * 10:+.1f} ms per run")


def hundred_runs(work: Path, out: Path, env: dict) -> float:
    """Median of three sessions' time for 100 runs through run_action."""
    seconds = []
    for _ in range(3):
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(work / "test_hundred.py")],
                       check=True, capture_output=True, cwd=project.current().root, env={**ENV, "HUBSPOT_TOKEN": "", **env})
        seconds.append(json.loads(out.read_text())["seconds"])
    return statistics.median(seconds)


if __name__ == "__main__":
    main()

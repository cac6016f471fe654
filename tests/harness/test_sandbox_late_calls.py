"""A run's connections end with the run: a thread a warm action process keeps reaches neither
HubSpot's API nor the network once its run is over. The run that left the thread says so in its
own report; what the thread tried is counted in that run's result (once the next run finds it)
and in the next run's report (attack class: late calls)."""
import time

import pytest

LATE = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\n'
# Opens a connection during its run, and keeps using it from a thread once main has returned.
CALLS_AFTER_MAIN = """
import os, threading, time, requests

session = requests.Session()

def later(token):
    for n in range(3):
        time.sleep(0.05)
        try:
            session.get("https://api.hubapi.com/crm/v3/owners/", params={"late": n},
                        headers={"Authorization": "Bearer " + token}, timeout=2)
        except Exception:
            pass

def main(event):
    token = os.environ["TOKEN"]
    session.get("https://api.hubapi.com/crm/v3/owners/", headers={"Authorization": "Bearer " + token}, timeout=5)
    if not any(t.name == "later" for t in threading.enumerate()):
        threading.Thread(target=later, args=(token,), name="later", daemon=True).start()
    return {"outputFields": {}}
"""


def test_a_warm_runs_thread_reaches_nothing_after_its_run(run_action, make_action, portal, sandbox_problem):
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    portal.add_token("late-token")
    folder = make_action(CALLS_AFTER_MAIN, LATE)
    first = run_action(folder, secrets={"TOKEN": "late-token"}, warm=True)
    assert first.ok, first.error
    assert LEFT_KEPT in first.warnings
    # The thread tries between runs: its three calls within 0.15 s (and the time their refusal
    # takes) of the first run's end, well before the second run starts, even under load.
    time.sleep(0.75)
    second = run_action(folder, secrets={"TOKEN": "late-token"}, warm=True)
    assert second.ok, second.error
    assert not [r for r in portal.requests() if "late=" in r.get("query", "") + r["path"]]
    warning = next(w for w in second.warnings if "were refused" in w)
    assert warning.endswith("connection(s) to HubSpot's API or the network, made after the action's previous run "
                            "had ended (by a thread or process it left), were refused")
    late = int(warning.split()[0])
    assert late >= 1
    assert first.warnings[-1] == (f"{late} connection(s) to HubSpot's API or the network, made after this run had "
                                  "ended (by a thread or process it left), were refused (counted as the action's "
                                  "next run started)")


LEFT_KEPT = ("the action left 1 thread(s) running when main ended: they go on in the process kept for the next "
             "warm run (as in a reused HubSpot container), but reach neither HubSpot's API nor the network: each "
             "connection they make is refused, and counted in the next run's report")
LEFT_STOPPED = "the action left 1 thread(s) running when main ended: they were stopped with the run"


def test_a_cold_run_that_leaves_a_thread_says_so_and_the_thread_calls_nothing(attack, make_action, portal):
    portal.add_token("late-token")
    report = attack(make_action(CALLS_AFTER_MAIN, LATE), secrets={"TOKEN": "late-token"})
    assert report["status"] == "success", report["error"]
    assert LEFT_STOPPED in report["warnings"]
    assert not [call for call in report["api_calls"] if "late=" in (call.get("query") or "")]

"""A run may have at most sandbox.PROCESS_LIMIT processes and threads at once: a fork or thread
flood fails at it, and the report says so, and by what: the run's pids cgroup where one can be
made (as root, usually), else RLIMIT_NPROC (run the tests as an unprivileged user for that way,
as README's Sandbox section says) (attack class: process count)."""
import pytest

from hs_actions.harness.sandbox import PROCESS_LIMIT

FORK_BOMB = """
import os, time

def main(event):
    while True:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
"""
THREAD_FLOOD = """
import threading, time

def main(event):
    while True:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
"""
SAYS_SO = (f"the run reached the limit of {PROCESS_LIMIT:,} processes and threads at once (AWS Lambda's per "
           "execution environment): starting another failed, as a fork or thread flood fails there")


@pytest.mark.parametrize("code, raised", [(FORK_BOMB, "BlockingIOError"), (THREAD_FLOOD, "RuntimeError")],
                         ids=["fork-bomb", "thread-flood"])
def test_a_flood_of_processes_fails_at_the_limit_saying_so(attack, make_action, code, raised, process_limit,
                                                          run_cgroups):
    # Sampled memory counts each process's copy-on-write pages again: a thousand forks pass
    # 1 GB (about 8 GB) that way before they reach the process limit, while they hold a few
    # hundred MB. A cgroup counts pages once.
    report = attack(make_action(code), timeout=15, memory=1024 if run_cgroups else 100_000)
    assert report["status"] == "error", report
    assert report["isolation"]["processes"] == process_limit
    assert report["error"]["type"] == raised
    assert SAYS_SO in report["warnings"]
    # The processes it left are counted, and only a few named: a thousand would bury the report.
    left = [w for w in report["warnings"] if w.startswith("the action left ")]
    assert all(len(w) < 1000 for w in report["warnings"]), [w[:200] for w in left]

"""Both limits hold against an action that fights them: stopping its supervisor, holding
memory outside its own pages (attack class: limits)."""
import pytest

STOPPED = 'object_type = "CONTACT"\n[outputs]\nstopped = "number"\n'
# Stops its parent and grandparent (the supervisor, whichever it is), then resumes them.
STOP_THE_SUPERVISOR = """
import os, signal, time

def ancestors():
    pid, found = os.getpid(), []
    for _ in range(2):
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
        if pid <= 0:
            break
        found.append(pid)
    return found

def main(event):
    stopped = []
    for pid in ancestors():
        try:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        except OSError:
            pass
    print("stopped", len(stopped), flush=True)
    try:
        work()
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    return {"outputFields": {"stopped": len(stopped)}}
"""
SLEEP = "\ndef work():\n    time.sleep(6)\n"
GROW = """
def work():
    child = os.fork()
    if child == 0:
        blob = bytearray(400 * 1024 * 1024)
        blob[::4096] = b"x" * len(blob[::4096])
        time.sleep(3)
        os._exit(0)
    os.waitpid(child, 0)
"""


def test_stopping_the_supervisor_does_not_stop_the_clock(attack, make_action):
    # A limit of 1 s: time enough for the action to try to stop its supervisor first (its log
    # says so, and how many it stopped: none where the sandbox hides them) under load, and a
    # test that waits as little as it can.
    report = attack(make_action(STOP_THE_SUPERVISOR + SLEEP, STOPPED), timeout=1)
    assert report["status"] == "timeout" and report["logs"].startswith("stopped "), report["logs"]
    assert report["error"]["message"].startswith("Task timed out after 1.")
    assert 1000 <= report["duration_ms"] < 3000


def test_stopping_the_supervisor_does_not_lift_the_memory_limit(attack, make_action):
    report = attack(make_action(STOP_THE_SUPERVISOR + GROW, STOPPED), timeout=10)
    assert report["status"] == "memory"
    assert report["error"]["type"] == "MemoryLimitExceeded"
    assert 128 < report["memory_mb"] < 400


MEMFD = """
import os

def main(event):
    fd = os.memfd_create("hold")
    chunk = b"x" * (1024 * 1024)
    for _ in range(200):
        os.write(fd, chunk)
    return {"outputFields": {}}
"""


def test_memory_held_in_a_memfd_counts(attack, make_action):
    report = attack(make_action(MEMFD), timeout=10)
    enforced_by = report.get("isolation", {}).get("memory", "")
    if enforced_by and not enforced_by.startswith("cgroup"):
        pytest.skip("no memory cgroup on this machine: memory is sampled, and a memfd has no resident pages to see")
    assert report["status"] == "memory"
    assert report["error"]["type"] == "MemoryLimitExceeded"

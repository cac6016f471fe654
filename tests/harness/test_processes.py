"""Processes: nothing an action starts outlives its run, and nothing outlives the toolkit."""
import os
import signal
import subprocess
import sys
import time

import psutil

from hs_actions.core import project
from hs_actions.harness import Harness
from tests.support import command_line

DETACHED = """
import os, time

def main(event):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(300)
        os._exit(0)
    time.sleep(0.3)  # the middle process has exited: the sleeper is an orphan in its own session
    return {"outputFields": {}}
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_double_forked_detached_process_is_ended_with_the_run(run_action, make_action):
    result = run_action(make_action(DETACHED))
    assert result.status == "success", result.error
    left = [w for w in result.warnings if w.startswith("the action left 1 process(es) running (")]
    assert left and "python (forked by the action)" in left[0]
    assert gone(int(left[0].split("(")[2].split(":")[0]))
    assert result.duration_ms < 2000


def test_an_action_that_kills_its_parent_does_not_break_the_next_run(make_action):
    killer = make_action("import os, signal\ndef main(event):\n    os.kill(os.getppid(), signal.SIGKILL)\n    import time; time.sleep(5)\n")
    fine = make_action("def main(event):\n    return {'outputFields': {}}\n")
    with Harness(mode="fork") as harness:
        assert harness.run(killer).status == "error"
        assert harness.run(killer).status == "error"
        assert harness.run(fine).status == "success"


def test_stopping_the_cli_ends_the_run(make_action):
    loop = make_action("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ndef main(event):\n    while True: pass\n")
    cli = subprocess.Popen([sys.executable, "-m", "hs_actions.cli", "run", str(loop), "--portal-db", str(loop / "p.sqlite3")],
                           cwd=project.current().root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    workers = []
    while not workers and time.monotonic() < deadline:
        workers = [p for p in psutil.Process(cli.pid).children(recursive=True) if "harness/inside" in command_line(p)]
        time.sleep(0.05)
    assert workers, "the run never started"
    time.sleep(0.3)
    cli.send_signal(signal.SIGTERM)
    assert cli.wait(10) == 143, cli.stderr.read().decode(errors="replace")[-3000:]
    time.sleep(0.2)
    assert all(gone(w.pid) for w in workers)


def named(name: str) -> list[psutil.Process]:
    """Processes whose name (comm) is `name`, zombies included: a link of a chain lives for
    microseconds, but leaves a zombie a moment longer."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == name]


TAGGED = 'object_type = "CONTACT"\n[inputs]\ntag = { value = "" }\n'
# Each link renames itself, forks, exits and leaves its child in a new session: no process
# lives long enough to be found and killed one at a time.
CHAIN = """
import ctypes, os, time

def main(event):
    if os.fork() == 0:
        libc = ctypes.CDLL(None)
        end = time.time() + 10
        while time.time() < end:
            libc.prctl(15, event["inputFields"]["tag"].encode())  # PR_SET_NAME
            if os.fork():
                os._exit(0)
            os.setsid()
        os._exit(0)
    time.sleep(0.3)
    return {"outputFields": {}}
"""


def test_a_chain_that_keeps_forking_and_calling_setsid_ends_with_the_run(attack, make_action):
    tag = f"hs-chain-{os.getpid() % 100000}"
    report = attack(make_action(CHAIN, TAGGED), inputs={"tag": tag})
    assert report["status"] == "success", report["error"]
    seen = []
    for _ in range(20):   # 0.5 s: a chain that survived forks on for 10 s, each link a process found by name
        seen += named(tag)
        time.sleep(0.025)
    assert seen == []


DAEMON_THEN_EXIT = """
import ctypes, os, time

def main(event):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, event["inputFields"]["tag"].encode())  # PR_SET_NAME
            time.sleep(300)
        os._exit(0)
    time.sleep(0.3)
    os._exit(0)
"""


def test_a_daemon_then_os_exit_is_an_exit_error_and_the_daemon_ends(attack, make_action):
    tag = f"hs-daemon-{os.getpid() % 100000}"
    report = attack(make_action(DAEMON_THEN_EXIT, TAGGED), inputs={"tag": tag}, timeout=10)
    assert report["status"] == "error"
    assert report["error"]["type"] == "Runtime.ExitError"
    assert report["duration_ms"] < 5000
    assert named(tag) == []


KILL_THE_PARENT = """
import os, signal, time

def main(event):
    for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(os.getppid(), sig)
        except OSError:
            pass
    time.sleep(0.5)  # time for whatever that kill brings down
    return {"outputFields": {"survived": True}}
"""


def test_killing_the_parent_does_not_end_the_toolkit(attack, make_action):
    report = attack(make_action(KILL_THE_PARENT, 'object_type = "CONTACT"\n[outputs]\nsurvived = "boolean"\n'))
    assert report["status"] == "success", report["error"]
    assert report["outputFields"] == {"survived": True}
    assert attack.exit_code in (None, 0)

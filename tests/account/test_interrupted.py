"""An interrupted pull (Ctrl-C, CI's SIGTERM, kill -9) leaves every file it writes as it was or
complete: .env holds the user's real token and is in no git history, so it must never be
emptied. Real processes, real signals, at points spread over the whole pull; the pull that then
completes what was interrupted runs in this process (the same function, nothing to interrupt)."""
import copy
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from hs_actions.account.connection import Connection
from hs_actions.account.pull import pull_actions
from hs_actions.action import manifest
from tests.account.test_loop import FLOW, PYTHON_ACTION
from tests.support import ACCOUNT_TOKEN

FLOWS = 40
# "ready" once Python has started and imported the pull (about two thirds of the process's life,
# in which nothing is written yet): the test times its signal from there, so that every kill
# lands in the pull itself (reading the workflows, then the writes).
PULL = """
import sys
from pathlib import Path
from hs_actions.account.connection import Connection
from hs_actions.account.pull import pull_actions
print("ready", flush=True)
root = Path(sys.argv[1])
pull_actions(Connection.from_environment(), None, actions_dir=root / "actions", env_example=root / ".env.example",
             env_file=root / ".env")
print("done", flush=True)
"""
ENV = "HUBSPOT_ACCESS_TOKEN=pat-na1-the-users-real-token\nOTHER=1"    # no newline at the end: kept as it is
EXAMPLE = "# secrets the actions read\nHUBSPOT_ACCESS_TOKEN=\n"


def flows() -> list[dict]:
    made = []
    for i in range(FLOWS):
        action = {**copy.deepcopy(PYTHON_ACTION), "secretNames": [f"SECRET_{i}", f"SHARED_{i % 3}"]}
        made.append({**copy.deepcopy(FLOW), "id": str(1000 + i), "name": f"Flow {i}", "actions": [action]})
    return made


def fresh(root):
    (root / "actions").mkdir(parents=True)
    (root / ".env").write_text(ENV)
    os.chmod(root / ".env", 0o600)
    (root / ".env.example").write_text(EXAMPLE)


def start(root, account_portal):
    """The pull in a process of its own, once it has said "ready"."""
    env = {**os.environ, "HS_ACTIONS_API_BASE": account_portal.server.url, "HUBSPOT_ACCESS_TOKEN": ACCOUNT_TOKEN}
    pulling = subprocess.Popen([sys.executable, "-c", PULL, str(root)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert pulling.stdout.readline() == "ready\n", pulling.communicate(timeout=60)
    return pulling


def pull(root) -> None:
    """The same pull, uninterrupted, in this process (account_portal set the environment it reads)."""
    pull_actions(Connection.from_environment(), None, actions_dir=root / "actions", env_example=root / ".env.example",
                 env_file=root / ".env", progress=io.StringIO())


def snapshot(root) -> dict:
    """Every file under root but the pull's own leftovers, by path."""
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def check_intact(root, complete: dict) -> None:
    env, example = (root / ".env").read_text(), (root / ".env.example").read_text()
    assert env in (ENV, complete[".env"]), env
    assert example in (EXAMPLE, complete[".env.example"]), example
    assert os.stat(root / ".env").st_mode & 0o777 == 0o600
    for folder in (root / "actions").iterdir():
        if folder.name.startswith("."):
            continue                               # a folder being built, never an action: the next pull removes it
        assert {p.name for p in folder.iterdir()} == {"action.py", "action.toml", "events", f"test_{folder.name}.py"}
        manifest.load(folder / "action.toml")
        assert (folder / "action.py").read_text() == complete[f"actions/{folder.name}/action.py"]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_pull_killed_at_any_point_leaves_env_files_whole(account_portal, tmp_path, how):
    account_portal.seed({"flows": flows()})
    reference = tmp_path / "reference"
    fresh(reference)
    finished = start(reference, account_portal)
    began = time.monotonic()
    assert finished.communicate(timeout=120)[0].strip() == "done"
    duration = time.monotonic() - began
    complete = snapshot(reference)
    assert complete[".env"].startswith(ENV + "\nSECRET_0=local-portal-token\n")
    assert complete[".env"].count("SHARED_0=") == 1
    # Points spread over the pull from its first call to its end (from "ready", see PULL): the
    # signal meets it reading the workflows, early and late among the action folders, and about
    # when it writes the .env files. Points before "ready" (Python starting, as six points over
    # the whole process had half of theirs) found nothing written, again and again.
    tries = 4
    for n in range(tries):
        root = tmp_path / f"run{n}"
        fresh(root)
        pulling = start(root, account_portal)
        time.sleep(duration * (n + 0.5) / tries)
        pulling.send_signal(how)
        pulling.communicate(timeout=60)
        check_intact(root, complete)
        pull(root)                                     # a pull after the interrupted one completes it
        assert snapshot(root) == complete

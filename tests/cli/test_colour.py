"""Status words in colour on a terminal only: not in a pipe, not with NO_COLOR, never in --json."""
import errno
import json
import os
import subprocess
import sys

import pytest

from hs_actions.core import project

HS = [sys.executable, "-m", "hs_actions.cli"]
GREEN_OK, RED_FAILED = "\x1b[32mOK\x1b[0m      lead_score", "\x1b[31mFAILED\x1b[0m  "
BAD_ACTION = "import numpy\n\n\ndef main(event):\n    numpy.zeros(1)\n    return {'outputFields': {}}\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return str(tmp_path_factory.mktemp("colour") / "portal.sqlite3")


def on_terminal(*args, **env) -> tuple[int, str]:
    """Run hs-actions with stdout on a pseudo-terminal; its exit code and what the terminal got."""
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environ.update(TERM="xterm-256color", **env)
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen([*HS, *map(str, args)], stdout=follower, stderr=subprocess.DEVNULL,
                                   cwd=project.current().root, env=environ)
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError as error:   # EIO: the terminal's last writer has gone
            assert error.errno == errno.EIO
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(), shown.decode().replace("\r\n", "\n")


def piped(*args, **env) -> tuple[int, str]:
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run([*HS, *map(str, args)], capture_output=True, text=True, cwd=project.current().root,
                          env={**environ, "TERM": "xterm-256color", **env})
    return done.returncode, done.stdout


def test_the_status_word_is_coloured_on_a_terminal(db, make_action):
    code, shown = on_terminal("run", "lead_score", "--portal-db", db)
    assert code == 0 and shown.startswith(GREEN_OK)
    code, shown = on_terminal("run", make_action("def main(event):\n    raise ValueError('no')\n"), "--portal-db", db)
    assert code == 1 and shown.startswith(RED_FAILED)
    assert shown.count("\x1b[") == 2  # the status word only: not the traceback, logs or warnings


def test_no_colour_with_no_color_set(db):
    code, shown = on_terminal("run", "lead_score", "--portal-db", db, NO_COLOR="1")
    assert code == 0 and shown.startswith("OK      lead_score: success") and "\x1b" not in shown


def test_no_colour_in_json_even_on_a_terminal(db):
    code, shown = on_terminal("run", "lead_score", "--portal-db", db, "--json")
    assert code == 0 and "\x1b" not in shown
    assert json.loads(shown)["status"] == "success"


def test_no_colour_into_a_pipe(db):
    code, out = piped("run", "lead_score", "--portal-db", db)
    assert code == 0 and out.startswith("OK      lead_score: success") and "\x1b" not in out


def test_check_colours_errors_on_a_terminal_only(make_action):
    folder = make_action(BAD_ACTION)
    code, shown = on_terminal("check", folder)
    assert code == 1
    assert ": \x1b[31mimport-unavailable\x1b[0m: 'numpy' is not in HubSpot's runtime" in shown
    assert shown.endswith("\x1b[31m1 error\x1b[0m, 0 warnings in 1 action\n")
    code, shown = on_terminal("check", folder, NO_COLOR="1")
    assert code == 1 and ": import-unavailable: 'numpy'" in shown and "\x1b" not in shown
    code, out = piped("check", folder)
    assert code == 1 and out.endswith("\n1 error, 0 warnings in 1 action\n") and "\x1b" not in out

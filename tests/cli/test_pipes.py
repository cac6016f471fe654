"""Output into a pipe whose reader has gone (`| head`) ends quietly, as it does for Unix tools."""
import os
import subprocess
import sys

import pytest

from hs_actions.core import project

HS = [sys.executable, "-m", "hs_actions.cli"]
SIGPIPE_EXIT = 141   # what a shell reports for a tool ended by SIGPIPE


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tmp_path_factory.mktemp("pipes") / "portal.sqlite3"


@pytest.mark.parametrize("args", [
    ["list"],
    ["portal", "show", "contacts"],
    ["run", "lead_score", "--json"],
    ["bundle", "lead_score", "--print"],
])
def test_a_reader_that_closed_before_anything_was_written(args, db):
    if args[0] in ("run", "portal"):
        args = [*args, "--portal-db", str(db)]
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    try:
        done = subprocess.run([*HS, *args], stdout=write, stderr=subprocess.PIPE, text=True, cwd=project.current().root)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (SIGPIPE_EXIT, "")


def test_a_reader_that_reads_one_line_and_exits(make_action, db):
    # 250 KB of logs: more than a pipe holds, so the command is still writing when the reader goes.
    folder = make_action("def main(event):\n    print('a log line\\n' * 25000)\n    return {'outputFields': {}}\n")
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)
    try:
        done = subprocess.run([*HS, "run", folder, "--json", "--portal-db", db], stdout=reader.stdin,
                              stderr=subprocess.PIPE, text=True, cwd=project.current().root)
    finally:
        reader.stdin.close()
        reader.wait()
    assert (done.returncode, done.stderr) == (SIGPIPE_EXIT, "")

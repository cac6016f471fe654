"""Slow steps say what they are doing: `bundle` names each action as its tests re-run (one
after the other, or -n at once)."""
import os
import subprocess
import sys

from hs_actions.core import project

HS = [sys.executable, "-m", "hs_actions.cli"]
ACTION = "def main(event):\n    return {'outputFields': {}}\n"
TEST = ("from pathlib import Path\n\n\ndef test_runs(run_action):\n"
        "    assert run_action(Path(__file__).parent).ok\n")


def test_bundle_names_each_action_on_stderr_before_verifying_it(tmp_path):
    folders = []
    for name in ("first", "second"):
        folder = tmp_path / "actions" / name
        folder.mkdir(parents=True)
        (folder / "action.py").write_text(ACTION)
        (folder / "action.toml").write_text('object_type = "CONTACT"\n')
        (folder / f"test_{name}.py").write_text(TEST)
        folders.append(str(folder))
    environ = {**os.environ, "PYTHONUNBUFFERED": "1"}   # stdout unbuffered too: one stream, in order
    # Two at once (-n 2): each named as its verification starts, whichever starts first.
    done = subprocess.run([*HS, "bundle", *folders, "--out", str(tmp_path / "dist"), "-n", "2"],
                          cwd=project.current().root, env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stderr.splitlines()) == ["bundling first: running its tests against the bundle",
                                                "bundling second: running its tests against the bundle"]
    assert [line.split(":")[0] for line in done.stdout.splitlines() if not line.startswith(" ")] == \
        ["first", "first", "second", "second"]     # wrote, verified: in the actions' order
    merged = subprocess.run([*HS, "bundle", *folders, "--out", str(tmp_path / "dist")], cwd=project.current().root,
                            env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    steps = [" ".join(line.split()[:2]) for line in merged.splitlines() if not line.startswith(" ")]
    assert steps == ["bundling first:", "first: wrote", "first: verified:",
                     "bundling second:", "second: wrote", "second: verified:"]

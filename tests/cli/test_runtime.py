"""The runtime_python setting is checked whenever it is set, and `setup --rebuild` rebuilds."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hs_actions.core import project
from hs_actions.harness import runtime

HS = [sys.executable, "-m", "hs_actions.cli"]
SETTING = "(pyproject.toml [tool.hs-actions] or HS_ACTIONS_RUNTIME_PYTHON)"
FIX = "point it at a Python 3.9 interpreter, or remove it to let hs-actions find one (python3.9 on PATH, or pyenv)"
PREPARED = not runtime.current().fallback
needs_39 = pytest.mark.skipif(not PREPARED, reason="no Python 3.9 runtime prepared on this machine")


def hs(*args, env=None, portal_db=None):
    environ = {k: v for k, v in os.environ.items() if k != "HS_ACTIONS_RUNTIME_PYTHON"}
    done = subprocess.run([*HS, *map(str, args)], capture_output=True, text=True, cwd=project.current().root,
                          env={**environ, **(env or {})})
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def base_39():
    """The Python 3.9 this machine builds the runtime from."""
    found = runtime.find_base_python()
    if found is None:
        pytest.skip("no Python 3.9 on this machine")
    return str(found)


def test_a_setting_that_points_nowhere_stops_a_run(tmp_path):
    missing = str(tmp_path / "python3.9")
    code, out, err = hs("run", "lead_score", "--portal-db", tmp_path / "p.sqlite3",
                        env={"HS_ACTIONS_RUNTIME_PYTHON": missing})
    assert (code, out) == (2, "")
    assert err == (f"hs-actions: runtime_python = {missing!r} {SETTING}: no such program "
                   f"(not an executable file, nor a command on PATH): {FIX}\n")


@pytest.mark.parametrize("command", [["run", "lead_score"], ["setup", "--quiet"]])
def test_a_setting_that_is_another_python_stops_every_command_that_uses_the_runtime(command, tmp_path):
    version = "%d.%d" % sys.version_info[:2]
    code, out, err = hs(*command, env={"HS_ACTIONS_RUNTIME_PYTHON": sys.executable})
    assert (code, out) == (2, "")
    assert err == (f"hs-actions: runtime_python = {sys.executable!r} {SETTING}: {sys.executable} is "
                   f"Python {version}, not 3.9: {FIX}\n")


def test_a_setting_that_is_not_a_python_stops_a_run():
    true = shutil.which("true")
    code, _, err = hs("run", "lead_score", env={"HS_ACTIONS_RUNTIME_PYTHON": true})
    assert code == 2 and err.endswith(f"{SETTING}: {true} does not run as a Python, not 3.9: {FIX}\n")


@needs_39
def test_a_setting_that_is_a_python_39_runs_on_the_runtime(base_39, tmp_path):
    code, out, err = hs("run", "lead_score", "--portal-db", tmp_path / "p.sqlite3", "--json",
                        env={"HS_ACTIONS_RUNTIME_PYTHON": base_39})
    assert code == 0, err
    assert json.loads(out)["runtime"].startswith("Python 3.9.")


@needs_39
def test_a_runtime_built_from_another_python_than_the_setting_is_out_of_date(base_39, tmp_path):
    env_dir = tmp_path / "runtime"
    (env_dir / "bin").mkdir(parents=True)
    (env_dir / "bin" / "python").symlink_to(runtime.current().python)
    stamp = json.loads((project.current().runtime_env / runtime.STAMP).read_text())
    (env_dir / runtime.STAMP).write_text(json.dumps({**stamp, "base": base_39}))
    same_python = tmp_path / "python3.9"
    same_python.symlink_to(base_39)   # the same interpreter, named differently: not what it was built from
    probe = ("import sys; from pathlib import Path; from hs_actions.harness import runtime; "
             "print(runtime.current(Path(sys.argv[1])).fallback)")
    for setting, out_of_date in ((base_39, "False"), (str(same_python), "True")):
        done = subprocess.run([sys.executable, "-c", probe, str(env_dir)], capture_output=True, text=True,
                              env={**os.environ, "HS_ACTIONS_RUNTIME_PYTHON": setting})
        assert (done.stdout.strip(), done.stderr) == (out_of_date, "")


@needs_39
def test_setup_rebuild_rebuilds_a_ready_runtime_or_leaves_it_as_it_was(tmp_path):
    stamp = (project.current().runtime_env / runtime.STAMP).read_text()
    # Nothing to build from: no runtime_python, no python3.9 on PATH, an empty pyenv.
    nowhere = {"PATH": "/usr/bin:/bin", "PYENV_ROOT": str(tmp_path)}
    if any(Path(d, "python3.9").exists() for d in nowhere["PATH"].split(":")):
        pytest.skip("python3.9 in /usr/bin or /bin")
    code, out, err = hs("setup", env=nowhere)
    assert (code, err) == (0, "") and out.startswith("runtime ready: Python 3.9.")
    code, out, err = hs("setup", "--rebuild", env=nowhere)
    assert (code, out) == (2, "")
    assert err == (f"hs-actions: cannot rebuild the runtime: no Python 3.9 found (runtime_python setting, "
                   f"python3.9 on PATH, pyenv); {project.current().runtime_env} is left as it was\n")
    assert (project.current().runtime_env / runtime.STAMP).read_text() == stamp
    assert not runtime.current().fallback

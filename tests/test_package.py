"""The toolkit installs as one import package, hs_actions; shared/ (the actions' code) never is.
Its wheel installs anywhere and makes projects that test themselves."""
import os
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest

from hs_actions.core import project

PROBE = "import importlib.util as u, sys; print(u.find_spec(sys.argv[1]) is not None)"


def importable_outside_the_checkout(module, tmp_path) -> bool:
    # -I: no current directory or PYTHONPATH on sys.path, only what is installed.
    done = subprocess.run([sys.executable, "-I", "-c", PROBE, module], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_the_toolkit_is_installed_as_hs_actions(tmp_path):
    assert importable_outside_the_checkout("hs_actions", tmp_path)
    assert importable_outside_the_checkout("hs_actions.harness", tmp_path)


def test_shared_is_not_installed(tmp_path):
    # A package called `shared` exists on PyPI and in many projects: installing ours would shadow it.
    assert not importable_outside_the_checkout("shared", tmp_path)


def test_console_script_and_pytest_plugin_entry_points():
    scripts = {e.name: e.value for e in distribution("hs-actions").entry_points if e.group == "console_scripts"}
    assert scripts == {"hs-actions": "hs_actions.cli:main"}
    plugins = {e.name: e.value for e in entry_points(group="pytest11") if e.value.startswith("hs_actions")}
    assert plugins == {"hs_actions": "hs_actions.pytest_plugin"}


def checkout_files() -> list[str]:
    """The checkout's files as git sees them: tracked, and new ones not ignored."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                                cwd=project.current().root, capture_output=True, text=True)
    except OSError:
        listed = None
    if listed is None or listed.returncode != 0:
        pytest.skip("not a git checkout: which files are the toolkit's is git's to say")
    return [name for name in listed.stdout.split("\0") if (project.current().root / name).is_file()]


def build_wheel(out) -> Path:
    """The wheel of a copy of the checkout's own files: setuptools builds in the tree it is given
    and keeps build/ there, whose modules a later wheel still carries after they are deleted."""
    import shutil

    root, source = project.current().root, Path(out) / "source"
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "-w", str(out), str(source)], check=True, capture_output=True)
    return next(Path(out).glob("hs_actions-*.whl"))


def test_the_wheel_holds_the_toolkit_and_its_data_only(tmp_path):
    import zipfile

    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    assert not [n for n in names if n.split("/")[0] in ("tests", "actions", "shared", "scripts")]
    # Every module and data file of hs_actions/, and nothing else of it (its README is for readers
    # of the source).
    packaged = {n for n in names if n.startswith("hs_actions/")}
    assert packaged == {n for n in checkout_files() if n.startswith("hs_actions/")} - {"hs_actions/portal/README.md"}
    for data in ("hs_actions/core/hubspot_runtime.toml", "hs_actions/bundler/stdlib.toml",
                 "hs_actions/portal/data/seed_default.json", "hs_actions/account/demo_account.json",
                 "hs_actions/scaffold/templates/action/action.py.tmpl",
                 "hs_actions/scaffold/templates/project/github/workflows/actions.yml.tmpl"):
        assert data in names, data


@pytest.mark.skipif(not os.environ.get("CI") and not os.environ.get("HS_ACTIONS_SLOW_TESTS"),
                    reason="installs the wheel with its dependencies in a new virtualenv (about a minute): "
                           "CI runs it, or HS_ACTIONS_SLOW_TESTS=1")
def test_the_wheel_installs_anywhere_and_makes_a_project_that_tests_itself(tmp_path):
    """pip install of the wheel, outside any checkout: hs-actions works, init pins the project
    to that wheel, and the project's own `hs-actions test` passes."""
    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, timeout=900)
    env = {k: v for k, v in os.environ.items() if k not in (project.PROJECT_ENV, "VIRTUAL_ENV", "PYTHONPATH")}
    hs = str(venv / "bin" / "hs-actions")
    assert subprocess.run([hs, "--version"], cwd=tmp_path, env=env, capture_output=True).returncode == 0
    made = subprocess.run([hs, "init", "team"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert f'"hs-actions @ {wheel.as_uri()}"' in (tmp_path / "team" / "pyproject.toml").read_text()
    (tmp_path / "team" / ".hs-actions").mkdir()
    (tmp_path / "team" / ".hs-actions" / "runtime").symlink_to(project.current().runtime_env)   # built once already
    tested = subprocess.run([hs, "test"], cwd=tmp_path / "team", env=env, capture_output=True, text=True, timeout=600)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert "5 passed" in tested.stdout

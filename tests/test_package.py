"""The toolkit installs as one import package, hs_actions; shared/ (the actions' code) never is."""
import subprocess
import sys
from importlib.metadata import distribution, entry_points

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

"""A command's project: the nearest folder from the working directory up whose pyproject.toml
has [tool.hs-actions]; without one, a clear exit 2 saying how to make one."""
import os
import subprocess
import sys

import pytest

from hs_actions.core import project
from hs_actions.core.errors import ToolkitError

PYPROJECT = '[project]\nname = "team-actions"\n\n[tool.hs-actions]\nportal_id = 42\n'


@pytest.fixture
def unpinned(monkeypatch):
    """Finding the project as a user's command does: not pinned to the toolkit's repository."""
    monkeypatch.delenv(project.PROJECT_ENV, raising=False)


def hs_actions(cwd, *args):
    env = {k: v for k, v in os.environ.items() if k != project.PROJECT_ENV}
    return subprocess.run([sys.executable, "-m", "hs_actions.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_nearest_folder_up_with_the_table_is_the_project(tmp_path, monkeypatch, unpinned):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    inner = tmp_path / "actions" / "deep"
    inner.mkdir(parents=True)
    (tmp_path / "actions" / "pyproject.toml").write_text('[project]\nname = "not-a-project"\n')  # no table
    monkeypatch.chdir(inner)
    assert project.current().root == tmp_path.resolve()
    assert project.current().actions == tmp_path.resolve() / "actions"
    assert project.settings()["portal_id"] == 42


def test_no_project_is_an_error_that_says_how_to_make_one(tmp_path, monkeypatch, unpinned):
    monkeypatch.chdir(tmp_path)
    assert project.find() is None
    with pytest.raises(project.NoProject, match=r"no hs-actions project here: no pyproject.toml with a "
                                                r"\[tool.hs-actions\] table in .* or a folder above it.*hs-actions init"):
        project.current()
    assert project.settings()["portal_id"] == project.DEFAULTS["portal_id"]   # settings need no project


def test_a_pinned_project_must_be_one(tmp_path, monkeypatch):
    monkeypatch.setenv(project.PROJECT_ENV, str(tmp_path))
    with pytest.raises(project.NoProject, match="HS_ACTIONS_PROJECT=.*no pyproject.toml with a"):
        project.current()


def test_a_pyproject_that_is_not_toml_names_the_file(tmp_path, monkeypatch, unpinned):
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ToolkitError, match=r"pyproject.toml: not valid TOML"):
        project.current()


def test_commands_outside_a_project_exit_2_and_inside_work_on_that_project(tmp_path):
    done = hs_actions(tmp_path, "list")
    assert done.returncode == 2, done.stderr
    assert "hs-actions: no hs-actions project here" in done.stderr and "hs-actions init" in done.stderr

    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "sub").mkdir()
    made = hs_actions(tmp_path / "sub", "new", "greet")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "actions" / "greet" / "action.py").is_file()          # in this project
    assert "greet" in hs_actions(tmp_path, "list").stdout


def test_version_and_help_need_no_project(tmp_path):
    assert hs_actions(tmp_path, "--version").returncode == 0
    assert hs_actions(tmp_path, "--help").returncode == 0

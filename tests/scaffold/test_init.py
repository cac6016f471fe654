"""`hs-actions init`: a team's own project, outside the toolkit's checkout, that tests itself;
in an existing repository only what is missing is added, and nothing is overwritten."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hs_actions.core import project
from hs_actions.core.tomlfile import tomllib
from hs_actions.scaffold import init as init_module

MADE = ["pyproject.toml", "README.md", ".gitignore", ".env.example", "shared/helpers/__init__.py",
        "tests/test_project.py", "scripts/_env", "scripts/run", "scripts/test", "scripts/hs-actions",
        ".github/workflows/actions.yml", "actions/first_action/"]


def hs_actions(cwd, *args, timeout=300):
    """The CLI as a user runs it in their own project: not pinned to the toolkit's repository."""
    env = {k: v for k, v in os.environ.items() if k != project.PROJECT_ENV}
    return subprocess.run([sys.executable, "-m", "hs_actions.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def share_runtime(team: Path) -> None:
    """The toolkit's prepared HubSpot runtime, for a project made in a test (building one takes a minute)."""
    (team / ".hs-actions").mkdir(exist_ok=True)
    (team / ".hs-actions" / "runtime").symlink_to(project.current().runtime_env)


def test_init_makes_the_whole_layout_and_says_so(tmp_path):
    done = hs_actions(tmp_path, "init", "team")
    assert done.returncode == 0, done.stderr
    team = tmp_path / "team"
    assert done.stdout.splitlines()[1:-2] == [f"  added {item}" for item in MADE]
    # From a checkout, the project's dependency is a path on this machine: init says so, and what CI needs.
    assert done.stdout.splitlines()[-2] == (
        f"note: pyproject.toml gets the toolkit from {project.current().root.as_uri()}, on this machine only; for CI "
        "and teammates, depend on one they can reach: init --source 'hs-actions==VERSION' (a package index) or "
        "--source 'hs-actions @ git+https://HOST/ORG/hs-actions@TAG'")
    for item in MADE:
        assert (team / item).exists(), item
    assert all(os.access(team / "scripts" / s, os.X_OK) for s in ("run", "test", "hs-actions"))
    pyproject = tomllib.loads((team / "pyproject.toml").read_text())
    assert pyproject["tool"]["hs-actions"] == {"portal_id": 1234567}
    # The running toolkit is an editable checkout: the project gets it from there, offline too.
    assert pyproject["project"]["dependencies"] == [f"hs-actions @ {project.current().root.as_uri()}"]
    assert "no:cacheprovider" not in pyproject["tool"]["pytest"]["ini_options"]["addopts"]   # --lf needs the cache
    assert ".env\n" in (team / ".gitignore").read_text()


def test_source_says_where_pip_gets_the_toolkit(tmp_path, monkeypatch):
    wheel = tmp_path / "hs_actions-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    assert init_module.requirement(str(wheel)) == f"hs-actions @ {wheel.as_uri()}"
    assert init_module.requirement("hs-actions==1.2.0") == "hs-actions==1.2.0"
    monkeypatch.delenv(project.PROJECT_ENV, raising=False)   # found as a user's init finds it
    from_an_index = init_module.init(tmp_path / "indexed", source="hs-actions==1.2.0").lines
    assert not [line for line in from_an_index if line.startswith("note:")]
    refused = hs_actions(tmp_path, "init", "team", "--source", "no-such-thing")
    assert refused.returncode == 2
    assert "--source 'no-such-thing': no such file or folder" in refused.stderr
    assert not (tmp_path / "team").exists() or not any((tmp_path / "team").iterdir())


def test_in_an_existing_repository_only_what_is_missing_is_added(tmp_path):
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[project]\nname = "ours"\n# keep this comment\n')
    (repo / "README.md").write_text("ours\n")
    (repo / "scripts" / "test").write_text("#!/bin/sh\necho ours\n")
    done = hs_actions(repo, "init")
    assert done.returncode == 0, done.stderr
    assert "  added [tool.hs-actions] to pyproject.toml" in done.stdout
    assert "  kept  README.md (already there)" in done.stdout and "  kept  scripts/test (already there)" in done.stdout
    assert (repo / "README.md").read_text() == "ours\n"
    assert (repo / "scripts" / "test").read_text() == "#!/bin/sh\necho ours\n"
    assert (repo / "pyproject.toml").read_text().startswith('[project]\nname = "ours"\n# keep this comment\n\n[tool.hs-actions]')
    again = hs_actions(repo, "init")
    assert again.returncode == 0 and "added" not in again.stdout
    assert "nothing to add: every file was there" in again.stdout


def test_a_project_inside_a_project_is_refused(tmp_path):
    assert hs_actions(tmp_path, "init").returncode == 0
    inner = hs_actions(tmp_path, "init", "inner")
    assert inner.returncode == 2
    assert "is inside the hs-actions project" in inner.stderr


def test_the_new_project_tests_itself_outside_the_toolkit(tmp_path):
    """check, bundle-verify and pytest of the project's own actions only (not the toolkit's
    examples or tests), on two pytest-xdist workers as its CI does (-n); a failing test fails it;
    --lf reruns only that test."""
    assert hs_actions(tmp_path, "init", "team").returncode == 0
    team = tmp_path / "team"
    share_runtime(team)
    done = hs_actions(team, "test", "-n", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems in 1 action" in done.stdout
    assert "first_action: bundle verified: 3 passed" in done.stdout
    assert "2 workers [5 items]" in done.stdout and "5 passed" in done.stdout   # the project's test and the action's
    assert done.stdout.splitlines()[-1] == "hs-actions test: passed (check ok, bundles verified, pytest passed)"
    assert "./scripts/test -n auto" in (team / ".github" / "workflows" / "actions.yml").read_text()

    test = team / "actions" / "first_action" / "test_first_action.py"
    test.write_text(test.read_text().replace('== {"email": "", "has_email": False}', '== {"email": "x", "has_email": False}'))
    failed = hs_actions(team, "test")
    assert failed.returncode == 1
    assert "1 failed, 4 passed" in failed.stdout
    # The verdict of every step comes last, where a CI log is read from.
    assert failed.stdout.splitlines()[-1] == "hs-actions test: FAILED (check ok, bundles not all verified, pytest failed)"
    rerun = hs_actions(team, "test", "--lf")
    assert rerun.returncode == 1
    assert "1 failed" in rerun.stdout and "4 passed" not in rerun.stdout


SNAPSHOT_TEST = """

def test_its_snapshot(run_action, hs_snapshot):
    hs_snapshot(run_action("first_action", secrets=SECRETS))
"""


def test_test_snapshot_update_writes_the_changed_snapshots_and_holds_the_bundles_to_them(tmp_path):
    """A snapshot that no longer matches fails `hs-actions test` (in pytest and in the bundle's
    verification); `--snapshot-update` writes it first, so the bundles pass against it."""
    assert hs_actions(tmp_path, "init", "team").returncode == 0
    team = tmp_path / "team"
    share_runtime(team)
    folder = team / "actions" / "first_action"
    test = folder / "test_first_action.py"
    test.write_text(test.read_text() + SNAPSHOT_TEST)
    written = hs_actions(team, "test", "--snapshot-update")
    assert written.returncode == 0, written.stdout + written.stderr
    snapshot = folder / "__snapshots__" / "test_first_action" / "test_its_snapshot.json"
    assert '"email": "ada@example.com"' in snapshot.read_text()
    code = folder / "action.py"
    code.write_text(code.read_text().replace('"email": email,', '"email": email.upper(),'))
    test.write_text(test.read_text().replace('"email": "ada@example.com", "has', '"email": "ADA@EXAMPLE.COM", "has'))
    changed = hs_actions(team, "test")
    assert changed.returncode == 1
    said = changed.stdout + changed.stderr
    assert "first_action: not verified" in said and "FAILED actions/first_action/test_first_action.py::test_its_snapshot" \
        in said, said
    updated = hs_actions(team, "test", "--snapshot-update")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert '"email": "ADA@EXAMPLE.COM"' in snapshot.read_text()
    assert "first_action: bundle verified" in updated.stdout + updated.stderr
    assert hs_actions(team, "test").returncode == 0


@pytest.mark.skipif(not os.environ.get("CI") and not os.environ.get("HS_ACTIONS_SLOW_TESTS"),
                    reason="builds a virtualenv with pip (about a minute): CI runs it, or HS_ACTIONS_SLOW_TESTS=1")
def test_the_projects_own_scripts_set_up_and_test_from_scratch(tmp_path):
    """What a team does after init: ./scripts/test builds .venv from the project's pyproject
    (the toolkit from where init says) and passes."""
    assert hs_actions(tmp_path, "init", "team").returncode == 0
    team = tmp_path / "team"
    share_runtime(team)
    env = {k: v for k, v in os.environ.items() if k not in (project.PROJECT_ENV, "VIRTUAL_ENV")}
    done = subprocess.run(["./scripts/test"], cwd=team, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "5 passed" in done.stdout
    assert (team / ".venv" / "bin" / "hs-actions").exists()


def test_env_example_says_where_real_tokens_go_as_the_repositorys_and_the_readme_do(tmp_path):
    assert hs_actions(tmp_path, "init", "team").returncode == 0
    made = (tmp_path / "team" / ".env.example").read_text()
    header = "".join(line for line in made.splitlines(keepends=True) if line.startswith("#"))
    assert made == header + "HUBSPOT_TOKEN=local-portal-token\n"     # the example action's secret
    assert (project.current().root / ".env.example").read_text().startswith(header)
    assert "never in this file" in header and "from the\n# environment or from .env" in header
    readme = " ".join((project.current().root / "README.md").read_text().split())
    assert "in the environment or in `.env` (never in `.env.example`)" in readme

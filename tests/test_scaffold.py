"""hs-actions new: a working action folder whose own tests pass, and its secret in .env.example."""
import subprocess
import sys

import pytest

from hs_actions import scaffold
from hs_actions.errors import ToolkitError


def test_new_action_runs_and_passes_its_tests(tmp_path):
    env_example = tmp_path / ".env.example"
    env_example.write_text("# secrets\nOTHER=x")
    env_file = tmp_path / ".env"
    env_file.write_text("HUBSPOT_TOKEN=local-portal-token\n")
    folder = scaffold.create("dedupe_company", object_type="COMPANY", secret="OPS_TOKEN",
                             actions_dir=tmp_path / "actions", env_example=env_example, env_file=env_file)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == \
        ["action.py", "action.toml", "events/default.json", "test_dedupe_company.py"]
    assert env_example.read_text() == "# secrets\nOTHER=x\nOPS_TOKEN=local-portal-token\n"
    assert env_file.read_text() == "HUBSPOT_TOKEN=local-portal-token\nOPS_TOKEN=local-portal-token\n"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    scaffold.create("second", secret="OPS_TOKEN", actions_dir=tmp_path / "actions", env_example=env_example,
                    env_file=env_file)
    assert env_example.read_text().count("OPS_TOKEN=") == 1


@pytest.mark.parametrize("name, message", [
    ("Bad-Name", "'Bad-Name' is not a valid action name"),
    ("taken", "already exists: choose another name"),
])
def test_refuses_bad_names_and_writes_nothing(tmp_path, name, message):
    (tmp_path / "actions" / "taken").mkdir(parents=True)
    with pytest.raises(ToolkitError, match=message):
        scaffold.create(name, actions_dir=tmp_path / "actions", env_example=tmp_path / ".env.example",
                        env_file=tmp_path / ".env")
    assert sorted(p.name for p in (tmp_path / "actions").iterdir()) == ["taken"]
    assert not (tmp_path / ".env.example").exists() and not (tmp_path / ".env").exists()

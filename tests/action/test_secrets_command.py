"""`hs-actions secrets`: every secret with the actions that tick it, whether .env holds it and its
length, never its value, against HubSpot's 1,000-character cap (HUBSPOT_RUNTIME.md, "Secrets")."""
import json

import pytest

from hs_actions.action.secrets_command import secrets_report
from hs_actions.core import project
from hs_actions.core.errors import SecretError
from hs_actions.cli import main

CODE = "def main(event):\n    return {'outputFields': {}}\n"
# Values no test expects to find in the output in any form: neither whole nor in part.
VALUE_A = "pat-na1-" + "a1b2c3d4" * 4
VALUE_B = "s3cr3t-value-with-\\n-escapes"


def action(root, name, secrets, manifest=None):
    folder = root / "actions" / name
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(CODE)
    (folder / "action.toml").write_text(manifest or f'object_type = "CONTACT"\nsecrets = {json.dumps(secrets)}\n')


@pytest.fixture
def project_dir(tmp_path, monkeypatch):
    """A project with three actions and a .env, as the CLI finds it."""
    action(tmp_path, "alpha", ["TOKEN_A", "SHARED"])
    action(tmp_path, "beta", ["SHARED"])
    action(tmp_path, "gamma", ["MISSING_ONE"])
    (tmp_path / ".env").write_text(f"# a comment\nTOKEN_A={VALUE_A}\nSHARED='{VALUE_B}'\nUNUSED=whatever\n")
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions]\n")
    monkeypatch.setenv(project.PROJECT_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def never_shown(text: str) -> None:
    for value in (VALUE_A, VALUE_B):
        for piece in (value, value[:8], value[-8:], repr(value), json.dumps(value)):
            assert piece not in text


def test_each_secret_with_its_actions_presence_and_length(project_dir, capsys):
    assert main(["secrets"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "SECRET       IN .ENV  LENGTH  ACTIONS",
        "MISSING_ONE  missing       -  gamma",
        f"SHARED       yes      {len(VALUE_B):>6}  alpha, beta",
        f"TOKEN_A      yes      {len(VALUE_A):>6}  alpha",
        f"Total: {len(VALUE_A) + len(VALUE_B)} of the 1,000 characters of secret values HubSpot allows "
        "(values from .env; never shown).",
        "warning: MISSING_ONE not in .env: add NAME=... lines there (see .env.example) or runs that need them stop",
    ]
    never_shown(out)


def test_json_names_the_same_facts_and_no_value(project_dir, capsys):
    assert main(["secrets", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["cap"] == 1000 and data["total"] == len(VALUE_A) + len(VALUE_B)
    assert data["secrets"][1] == {"name": "SHARED", "actions": ["alpha", "beta"], "in_env": True,
                                  "length": len(VALUE_B)}
    assert data["secrets"][0] == {"name": "MISSING_ONE", "actions": ["gamma"], "in_env": False, "length": None}
    assert data["actions"][0] == {"name": "alpha", "secrets": ["TOKEN_A", "SHARED"],
                                  "total": len(VALUE_A) + len(VALUE_B), "over_cap": False}
    never_shown(out)


def test_over_the_cap_is_a_warning_and_an_action_over_it_exits_1(tmp_path):
    action(tmp_path, "big", ["LONG_A", "LONG_B"])
    action(tmp_path, "small", ["LONG_C"])
    (tmp_path / ".env").write_text(f"LONG_A={'x' * 600}\nLONG_B={'y' * 500}\nLONG_C={'z' * 300}\n")
    report = secrets_report(actions_dir=tmp_path / "actions", env_file=tmp_path / ".env")
    assert report.exit_code == 1
    warnings = [line for line in report.lines if line.startswith("warning:")]
    assert warnings == [
        "warning: the secrets total 1,400 characters, over HubSpot's cap of 1,000: an action may read at most "
        "1,000 characters of secret values, so no action can tick them all",
        "warning: action big ticks 1,100 characters of secret values, over HubSpot's cap of 1,000: its runs are "
        "refused; shorten a value or untick a secret in its action.toml",
    ]
    assert "x" * 20 not in report.text()


def test_the_total_alone_over_the_cap_warns_and_exits_0(tmp_path):
    action(tmp_path, "one", ["LONG_A"])
    action(tmp_path, "two", ["LONG_B"])
    (tmp_path / ".env").write_text(f"LONG_A={'x' * 600}\nLONG_B={'y' * 500}\n")
    report = secrets_report(actions_dir=tmp_path / "actions", env_file=tmp_path / ".env")
    assert report.exit_code == 0
    assert "warning: the secrets total 1,100 characters, over HubSpot's cap of 1,000" in report.text()


def test_a_broken_action_is_noted_and_the_others_still_counted(tmp_path, capsys):
    action(tmp_path, "good", ["TOKEN_A"])
    action(tmp_path, "bad", [], manifest='secrets = "not a list"\n')
    report = secrets_report(actions_dir=tmp_path / "actions", env_file=tmp_path / ".env")
    assert report.exit_code == 2
    assert "TOKEN_A" in report.text()
    assert "hs-actions: bad: its secrets cannot be read:" in capsys.readouterr().err


def test_a_bad_env_line_names_the_line_never_its_text(project_dir, capsys):
    (project_dir / ".env").write_text(f"TOKEN_A={VALUE_A}\n{VALUE_A} no equals sign\n")
    assert main(["secrets"]) == SecretError.exit_code
    err = capsys.readouterr().err
    assert err.startswith(f"hs-actions: {project_dir / '.env'}, line 2: not a NAME=value line")
    never_shown(err)


def test_no_secrets_says_so(tmp_path):
    action(tmp_path, "plain", [])
    report = secrets_report(actions_dir=tmp_path / "actions", env_file=tmp_path / ".env")
    assert report.exit_code == 0 and report.text().startswith("No action declares a secret (1 action(s) in ")

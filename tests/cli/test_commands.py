"""hs-actions as a user runs it: reports, JSON, exit codes 0 / 1 / 2."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hs_actions.core import project
from hs_actions.cli import main

HS = [sys.executable, "-m", "hs_actions.cli"]


def hs_actions(*args, stdin=None, env=None, cwd=None):
    """The command as a user types it, in a process of its own: each command's end-to-end test."""
    done = subprocess.run([*HS, *map(str, args)], input=stdin, capture_output=True, text=True,
                          cwd=cwd or project.current().root, env={**os.environ, **(env or {})})
    return done.returncode, done.stdout, done.stderr


def test_run_by_name_prints_the_report(portal_db):
    code, out, _ = hs_actions("run", "lead_score", "--portal-db", portal_db)
    assert code == 0
    assert out.startswith("OK      lead_score: success")
    assert "tier     \"hot\"" in out and "| score 88" in out


def test_run_json_has_the_documented_keys(run_cli):
    code, out, _ = run_cli("run", "lead_score", "--event", "cold", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"status", "outputFields", "logs", "duration_ms", "memory_mb", "error", "warnings", "runtime"} <= set(data)
    assert data["status"] == "success" and data["outputFields"]["tier"] == "cold" and data["error"] is None


def test_inputs_object_id_and_stdin_event(run_cli, tmp_path):
    # Every input given: the record is not read (a record deleted after enrolment runs too).
    code, out, _ = run_cli("run", "phone_e164", "--event", "-", "--object-id", "99999", "--input", "country=DE",
                           "--input", "phone=030 901820", "--portal-db", tmp_path / "portal.sqlite3", "--json",
                           stdin='{"origin": {"portalId": 42}}')
    data = json.loads(out)
    assert code == 0
    assert data["outputFields"] == {"e164": "+4930901820", "valid": True}
    assert data["event"]["object"]["objectId"] == 99999 and data["event"]["origin"]["portalId"] == 42


def test_action_that_fails_exits_1(run_cli, make_action):
    folder = make_action("def main(event):\n    raise RuntimeError('boom')\n")
    code, out, _ = run_cli("run", folder, "--json")
    assert code == 1
    assert json.loads(out)["error"]["message"] == "boom"


def test_timeout_from_the_command_line(run_cli, make_action):
    code, out, _ = run_cli("run", make_action("def main(event):\n    while True: pass\n"), "--timeout", "0.5")
    assert code == 1
    assert "TIMEOUT" in out and "Task timed out after 0.5" in out


@pytest.mark.parametrize("args, message", [
    (["run", "no_such_action"], "hs-actions: no action 'no_such_action': not a folder, nor a name under"),
    (["run", "lead_score", "--input", "jobtitle"], "hs-actions: --input 'jobtitle': write it as NAME=VALUE"),
    (["run", "lead_score", "--event", "missing"], "hs-actions: missing: no such event file (events of lead_score: cold, default"),
    (["run", "lead_score", "--env-file", "/nonexistent.env"], "hs-actions: /nonexistent.env: no such env file"),
])
def test_cannot_run_exits_2(run_cli, args, message):
    code, out, err = run_cli(*args)
    assert code == 2 and out == ""
    assert err.startswith(message)


def test_usage_errors_exit_2(run_cli):
    code, _, err = run_cli("run", "lead_score", "--timeout", "-1")
    assert code == 2 and "'-1' must be greater than 0" in err
    for workers in ("0", "two"):
        code, _, err = run_cli("test", "-n", workers)
        assert code == 2 and f"'{workers}' is not a number of processes: give a whole number from 1, or auto" in err


def test_missing_secret_exits_2(run_cli, make_action, tmp_path):
    folder = make_action("def main(event):\n    pass\n", 'object_type = "CONTACT"\nsecrets = ["HS_TEST_TOKEN"]\n')
    env = tmp_path / "empty.env"
    env.write_text("")
    code, _, err = run_cli("run", folder, "--env-file", env)
    assert code == 2 and err.startswith("hs-actions: secret HS_TEST_TOKEN has no value")


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "lead_score  (CONTACT) Score a contact" in out
    assert main(["list", "--json"]) == 0
    listed = {a["name"]: a for a in json.loads(capsys.readouterr().out)}
    assert listed["days_to_mql"]["outputs"]["speed"] == {"type": "enumeration", "options": ["fast", "slow", "not_mql"]}


def test_only_the_program_leaves_its_objects_to_the_operating_system(capsys):
    """As the program, main() freezes the collector's objects on the way out (the interpreter's
    finalization then skips them); a caller that goes on, such as this test session, keeps them
    collectable."""
    import gc

    frozen = gc.get_freeze_count()
    assert main(["list"]) == 0
    assert gc.get_freeze_count() == frozen
    program = ("import gc, sys; sys.argv = ['hs-actions', 'list']; from hs_actions.cli import main; "
               "code = main(); print(gc.get_freeze_count() > 0, code)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project.current().root)
    assert done.stdout.split()[-2:] == ["True", "0"], done.stderr

def test_run_against_the_local_portal_seeded_on_first_use(run_cli, tmp_path):
    db = tmp_path / "portal.sqlite3"
    code, out, err = run_cli("run", "associate_company_by_domain", "--object-id", "1", "--portal-db", db,
                             "--env-file", project.current().env_example, "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["outputFields"] == {"company_id": "308", "matched": True}
    assert data["event"]["inputFields"]["email"] == "edsger.hamilton1@hoolisystems.example"
    assert [(c["method"], c["status"]) for c in data["api_calls"]] == [("POST", 200), ("PUT", 200)]
    assert data["scopes"] == ["crm.objects.companies.read", "crm.objects.companies.write", "crm.objects.contacts.write"]
    code, out, _ = hs_actions("portal", "show", "--db", db)
    assert code == 0 and "contacts        300" in out and "local development" in out


def test_portal_state_survives_between_commands(tmp_path):
    """Each command a process of its own, as a user types them: the state is in the file."""
    db = tmp_path / "portal.sqlite3"
    args = ("--portal-db", db, "--env-file", project.current().env_example, "--json")
    assert hs_actions("run", "archive_contact", "--object-id", "2", *args)[0] == 0
    code, out, _ = hs_actions("run", "archive_contact", "--object-id", "2", *args)
    assert code == 1 and json.loads(out)["error"]["type"] == "NotFoundException"
    assert hs_actions("portal", "reset", "--db", db)[1] == f"Emptied {db}.\n"
    assert hs_actions("run", "archive_contact", "--object-id", "2", *args)[0] == 0  # seeded again


@pytest.mark.parametrize("content, message", [
    ("{bad", "invalid JSON at line 1, column 2: Expecting property name enclosed in double quotes"),
    ('[1]', "a seed file is a JSON object with records, owners, associations or tokens"),
    ('{"records": {"contacts": [{"id": "1", "properties": {"email": "a@b.co"}}, {"properties": {"nope": "x"}}]}}',
     'not seeded, nothing was added: Property values were not valid: [{"isValid":false,"message":"Property \\"nope\\" does not exist"'),
])
def test_a_bad_seed_file_adds_nothing(run_cli, tmp_path, content, message):
    seed, db = tmp_path / "seed.json", tmp_path / "portal.sqlite3"
    seed.write_text(content)
    code, out, err = run_cli("portal", "seed", seed, "--db", db)
    assert code == 2 and out == ""
    assert err.startswith(f"hs-actions: {seed}: {message}")
    assert "contacts          0" in run_cli("portal", "show", "--db", db)[1]


def test_portal_show_of_an_unknown_object_type(run_cli, tmp_path):
    code, _, err = run_cli("portal", "show", "widgets", "--db", tmp_path / "p.sqlite3")
    assert code == 2 and err == ("hs-actions: unknown object type 'widgets': use one of contacts, companies, deals, tickets, "
                                 "products, line_items, quotes, communications, tasks, notes, meetings, calls, emails, "
                                 "postal_mail, leads, invoices, orders, carts, subscriptions, commerce_payments, discounts, "
                                 "fees, taxes, appointments, courses, listings, services\n")


def test_a_name_means_the_action_even_where_a_folder_has_that_name(tmp_path, portal_db):
    (tmp_path / "lead_score").mkdir()
    code, out, err = hs_actions("run", "lead_score", "--portal-db", portal_db, "--json", cwd=tmp_path)
    assert code == 0, err
    assert json.loads(out)["outputFields"]["tier"] == "hot"


@pytest.mark.parametrize("value", ["abc", "-5", "0"])
def test_a_bad_portal_id_setting_is_named(run_cli, value):
    code, _, err = run_cli("run", "lead_score", env={"HS_ACTIONS_PORTAL_ID": value})
    assert code == 2
    assert err.startswith(f"hs-actions: portal_id = '{value}' (pyproject.toml [tool.hs-actions] or HS_ACTIONS_PORTAL_ID): "
                          "a HubSpot portal id is a positive whole number")


def test_list_and_check_go_on_past_a_broken_action(tmp_path, capsys):
    from hs_actions.check.commands import run_check
    from hs_actions.action.folder import discover

    actions = tmp_path / "actions"
    for name, toml in (("good", 'object_type = "CONTACT"\n'), ("broken", "object_type = \n")):
        (actions / name).mkdir(parents=True)
        (actions / name / "action.py").write_text("def main(event):\n    return {'outputFields': {}}\n")
        (actions / name / "action.toml").write_text(toml)
    assert [f.name for f in discover(actions)] == ["broken", "good"]
    report = run_check([], actions_dir=actions)
    assert report.exit_code == 2
    out, err = report.text(), capsys.readouterr().err
    assert "broken/action.toml: invalid TOML" in err
    assert "no problems in 1 action\n" in out and "1 of 2 actions could not be checked" in out


def test_outputs_that_break_the_manifest_are_not_reported_as_ok(run_cli, make_action):
    folder = make_action("def main(event):\n    print('\\x1b[31mred\\x00')\n    return {'outputFields': {'n': 'x'}}\n",
                         'object_type = "CONTACT"\n[outputs]\nn = "number"\n')
    code, out, _ = run_cli("run", folder)
    assert code == 1
    assert out.startswith("INVALID ") and ": invalid_outputs: it ran, but its outputs break" in out.splitlines()[0]
    assert "| \\x1b[31mred\\x00" in out and "\x1b" not in out


def test_empty_allow_host_is_a_usage_error(run_cli):
    code, _, err = run_cli("run", "lead_score", "--allow-host", "")
    assert code == 2 and "'' is not a host name or address" in err


def test_portal_commands_take_portal_db_like_run(run_cli, tmp_path):
    code, out, _ = run_cli("portal", "show", "--portal-db", tmp_path / "p.sqlite3")
    assert code == 0 and str(tmp_path / "p.sqlite3") in out

"""check, rule input-property-unknown: an input field naming a property its object type does
not have in the local portal's catalogue (data files, plus what was seeded or pulled)."""
import io


from hs_actions.check import WARNING, check
from hs_actions.check.commands import run_check
from hs_actions.core.report import Console
from hs_actions.harness import runtime
from hs_actions.portal.commands import seed

CODE = 'def main(event):\n    return {"outputFields": {}}\n'
COMPANY = '''\
description = "x"
object_type = "COMPANY"

[inputs]
name = "name"
"email" = "email"
campaign = { value = "spring" }
'''


def action(tmp_path, manifest, name="demo"):
    folder = tmp_path / "actions" / name
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(CODE)
    (folder / "action.toml").write_text(manifest)
    return folder


def findings(folder, db):
    return [f for f in check([folder], folder.parent, runtime=runtime.fallback(), portal_db=db)
            if f.rule == "input-property-unknown"]


def test_a_company_action_reading_a_contact_property_is_warned(tmp_path):
    db = tmp_path / "portal.sqlite3"
    [finding] = findings(action(tmp_path, COMPANY), db)
    assert finding.severity == WARNING
    assert str(finding) == (
        "actions/demo/action.toml:6: input-property-unknown: the input field 'email' reads the property 'email', "
        "which COMPANY records do not have in the local portal's catalogue (a warning: the catalogue holds "
        "HubSpot's common properties and those seeded or pulled, not every one). Fix: correct the property "
        "name; if your account has it, declare it: a seed file with {\"properties\": {\"COMPANY\": [{\"name\": "
        "\"email\", \"type\": \"string\", \"fieldType\": \"text\"}]}} and `hs-actions portal seed FILE`")
    assert not db.exists()   # the database is only read, never created


def test_properties_seeded_into_the_local_portal_count(tmp_path):
    db = tmp_path / "portal.sqlite3"
    seed_file = tmp_path / "seed.json"
    seed_file.write_text('{"properties": {"companies": [{"name": "email", "type": "string", "fieldType": "text"}]},'
                         ' "schemas": [{"name": "pets", "objectTypeId": "2-9",'
                         ' "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}]}')
    seed(db, seed_file)
    company = action(tmp_path, COMPANY)
    pets = action(tmp_path, 'object_type = "2-9"\n[inputs]\npet = "pet_name"\nlegs = "legs"\n', "pets")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert findings(company, db) == []
    assert [(f.line, f.message.split(",")[0]) for f in findings(pets, db)] == [
        (4, "the input field 'legs' reads the property 'legs'")]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_types_the_catalogue_does_not_model_are_not_judged(tmp_path):
    quote = action(tmp_path, 'object_type = "QUOTE"\n[inputs]\ntitle = "hs_title"\n')
    custom = action(tmp_path, 'object_type = "2-77"\n[inputs]\nx = "anything"\n', "custom")
    assert findings(quote, tmp_path / "none.sqlite3") == findings(custom, tmp_path / "none.sqlite3") == []


def test_the_repositorys_actions_read_known_properties():
    report = run_check([], console=Console(err=io.StringIO()))
    assert "input-property-unknown" not in report.text()


def test_a_warning_does_not_fail_check(tmp_path, monkeypatch):
    folder = action(tmp_path, COMPANY)
    report = run_check([str(folder)], console=Console(err=io.StringIO()))
    assert report.exit_code == 0
    assert "input-property-unknown" in report.text() and "0 errors, 1 warning in 1 action" in report.text()


def test_a_portal_open_for_writing_is_read_as_it_is_now(tmp_path):
    from hs_actions.portal.backend import Backend

    db = tmp_path / "portal.sqlite3"
    company = action(tmp_path, COMPANY)
    writer = Backend(str(db))   # as a running `portal serve` holds it: new rows still in its -wal file
    try:
        assert len(findings(company, db)) == 1
        writer.seed({"properties": {"companies": [{"name": "email", "type": "string", "fieldType": "text"}]}})
        assert findings(company, db) == []
    finally:
        writer.close()


def test_check_reads_the_portal_run_is_given(tmp_path, capsys):
    # An action kept outside the repository runs with --portal-db; check judges its input
    # fields against that portal too, not against .hs-actions/portal.sqlite3.
    from hs_actions.cli import main

    db = tmp_path / "elsewhere.sqlite3"
    seed_file = tmp_path / "seed.json"
    seed_file.write_text('{"properties": {"companies": [{"name": "email", "type": "string", "fieldType": "text"}]}}')
    seed(db, seed_file)
    folder = action(tmp_path, COMPANY)
    assert main(["check", str(folder)]) == 0
    assert "input-property-unknown" in capsys.readouterr().out
    assert main(["check", str(folder), "--portal-db", str(db)]) == 0
    assert capsys.readouterr().out == "no problems in 1 action\n"


def test_a_portal_db_that_does_not_exist_is_refused_not_made(tmp_path, capsys):
    from hs_actions.cli import main

    missing = tmp_path / "typo.sqlite3"
    assert main(["check", str(action(tmp_path, COMPANY)), "--portal-db", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"hs-actions: --portal-db {missing}: no such database; check only reads one (`hs-actions run --portal-db "
        f"{missing}` or `hs-actions portal seed FILE --portal-db {missing}` makes it)\n")
    assert not missing.exists()

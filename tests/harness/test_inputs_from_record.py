"""Input fields of a run with a record named (--object-id, object_id=): its properties, and
only them; a record that does not exist stops the run; a property the object type does not
have is flagged."""
import json

import pytest

from hs_actions.core import project
from hs_actions.core.errors import EventError

COMPANY_MANIFEST = 'object_type = "COMPANY"\n[inputs]\nemail = "email"\nname = "name"\n[outputs]\n'
ECHO = "def main(event):\n    print(__import__('json').dumps(event['inputFields']))\n    return {'outputFields': {}}\n"


@pytest.fixture
def run_cli(cli_main, seeded_portal_db):
    """run_cli(*args) -> (exit code, stdout, stderr) of `hs-actions ARGS` on a portal file the
    first run has seeded (seeded_portal_db), by the CLI's main() in this process."""
    def run(*args):
        return cli_main(*args, "--portal-db", seeded_portal_db, "--env-file", project.current().env_example)
    return run


def test_object_id_takes_inputs_from_the_record_not_the_sample_event(run_cli):
    # phone_e164's events/default.json has a phone; contact 1 of the default seed has none.
    code, out, err = run_cli("run", "phone_e164", "--object-id", "1", "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["event"]["inputFields"] == {"phone": None, "country": "United States"}
    assert data["outputFields"] == {"e164": None, "valid": False}


def test_an_explicit_input_still_wins_over_the_record(run_cli):
    code, out, err = run_cli("run", "phone_e164", "--object-id", "1", "--input", "phone=(415) 555-0132",
                             "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["event"]["inputFields"] == {"phone": "(415) 555-0132", "country": "United States"}
    assert data["outputFields"] == {"e164": "+14155550132", "valid": True}


def test_a_record_that_does_not_exist_cannot_be_run(run_cli, cli_main, seeded_portal_db):
    code, out, err = run_cli("run", "phone_e164", "--object-id", "99999")
    assert (code, out) == (2, "")
    assert err == ("hs-actions: CONTACT 99999 does not exist in the local portal, and HubSpot enrolls only records "
                   "that exist: name one listed by `hs-actions portal show contact`, or give every input field "
                   "(--input NAME=VALUE; inputs= in pytest) to run it as a record deleted after enrolment\n")
    code, out, _ = cli_main("portal", "show", "contact", "--db", seeded_portal_db)
    assert code == 0 and "First 20 contacts" in out   # the command it names works


def test_a_property_the_object_type_lacks_is_a_warning_in_run(run_cli, make_action):
    folder = make_action(ECHO, COMPANY_MANIFEST)
    code, out, err = run_cli("run", folder, "--object-id", "301")
    assert code == 0, err
    assert ("  - input field 'email' reads the property 'email', which COMPANY records do not have in the local "
            "portal, so HubSpot would not offer it; if your account has it, declare it: a seed file with "
            '{"properties": {"COMPANY": [{"name": "email", "type": "string", "fieldType": "text"}]}} and '
            "`hs-actions portal seed FILE`") in out.splitlines()
    assert "'name'" not in out.split("Warnings")[1]


def test_empty_and_missing_properties_are_null(run_action, portal, make_action):
    portal.seed({"records": {"companies": [{"id": "7", "properties": {"name": ""}}]}})
    result = run_action(make_action(ECHO, COMPANY_MANIFEST), object_id=7)
    assert result.ok, result.error
    assert result.event["inputFields"] == {"email": None, "name": None}
    assert json.loads(result.logs) == {"email": None, "name": None}


def test_a_missing_record_is_refused_at_the_call(run_action, portal, make_action):
    with pytest.raises(EventError, match=r"^COMPANY 8 does not exist in the local portal"):
        run_action(make_action(ECHO, COMPANY_MANIFEST), object_id=8)


def test_seeded_properties_and_custom_objects_are_known(run_action, portal, make_action):
    portal.seed({
        "schemas": [{"name": "pets", "objectTypeId": "2-9", "primaryDisplayProperty": "pet_name",
                     "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}],
        "properties": {"companies": [{"name": "email", "type": "string", "fieldType": "text"}]},
        "records": {"companies": [{"id": "7", "properties": {"email": "a@b.example", "name": "Acme"}}],
                    "pets": [{"id": "3", "properties": {"pet_name": "Rex"}}]},
    })
    result = run_action(make_action(ECHO, COMPANY_MANIFEST), object_id=7)
    assert result.event["inputFields"] == {"email": "a@b.example", "name": "Acme"}
    assert not any("email" in w for w in result.warnings)
    pets = make_action(ECHO, 'object_type = "2-9"\n[inputs]\npet = "pet_name"\nlegs = "legs"\n[outputs]\n')
    result = run_action(pets, object_id=3)
    assert result.event["inputFields"] == {"pet": "Rex", "legs": None}
    assert [w for w in result.warnings if "reads the property" in w] == [
        "input field 'legs' reads the property 'legs', which 2-9 records do not have in the local portal, so HubSpot "
        "would not offer it; if your account has it, declare it: a seed file with {\"properties\": {\"2-9\": "
        "[{\"name\": \"legs\", \"type\": \"string\", \"fieldType\": \"text\"}]}} and `hs-actions portal seed FILE`"]


def test_a_type_the_portal_does_not_model_cannot_name_a_record(run_action, portal, make_action):
    quote = make_action(ECHO, 'object_type = "FEEDBACK_SUBMISSION"\n[inputs]\ntitle = "hs_title"\n[outputs]\n')
    with pytest.raises(EventError, match=r"^the local portal does not model FEEDBACK_SUBMISSION records"):
        run_action(quote, object_id=3)
    result = run_action(quote, object_id=3, inputs={"title": "Q-1"})
    assert result.ok and result.event["inputFields"] == {"title": "Q-1"}


def test_without_object_id_or_event_file_record_1_fills_the_inputs(run_cli, make_action):
    folder = make_action(ECHO, 'object_type = "CONTACT"\n[inputs]\nemail = "email"\nphone = "phone"\n'
                               'campaign = { value = "spring" }\n[outputs]\n')
    code, out, err = run_cli("run", folder, "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["event"]["object"] == {"objectType": "CONTACT", "objectId": 1}
    assert data["event"]["inputFields"] == {"email": "edsger.hamilton1@hoolisystems.example", "phone": None,
                                            "campaign": "spring"}
    assert data["warnings"] == []

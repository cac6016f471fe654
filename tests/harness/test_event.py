"""The event: HubSpot's shape, filled from template, event file and overrides."""
import io
import json
import re

import pytest

from hs_actions.core.errors import EventError
from hs_actions.harness import event, load_action

MANIFEST = '''
object_type = "DEAL"
[inputs]
amount = "amount"
campaign = { value = "spring" }
[outputs]
'''
ECHO = "def main(event):\n    print(__import__('json').dumps(event))\n    return {'outputFields': {}}\n"


@pytest.fixture
def action(make_action):
    return load_action(make_action(ECHO, MANIFEST, name="echo", events={
        "default": '{"object": {"objectId": 42}, "inputFields": {"amount": "100"}}',
        "big": '{"inputFields": {"amount": "9000"}, "origin": {"portalId": 99}}',
        "broken": '{"object": {"objectId": 42,}}',
    }))


def test_template_shape(action):
    built, warnings = event.build(action, event={})
    assert set(built) == {"origin", "object", "inputFields", "callbackId"}
    assert built["origin"]["portalId"] == 1234567 and isinstance(built["origin"]["actionDefinitionId"], int)
    assert built["object"] == {"objectType": "DEAL", "objectId": 1}
    assert built["inputFields"] == {"amount": None, "campaign": "spring"}
    assert re.fullmatch(r"ap-1234567-\d+-\d-\d", built["callbackId"])
    assert warnings == ["input field 'amount' (property 'amount') has no value: nothing gave one, so it is null"]


def test_callback_id_is_unique_per_run(action):
    ids = {event.build(action)[0]["callbackId"] for _ in range(200)}
    assert len(ids) == 200


def test_default_event_file_then_overrides(action):
    built, _ = event.build(action)
    assert built["object"]["objectId"] == 42 and built["inputFields"]["amount"] == "100"
    built, _ = event.build(action, event_file="big", inputs={"campaign": "autumn"})
    assert built["origin"]["portalId"] == 99
    assert built["inputFields"] == {"amount": "9000", "campaign": "autumn"}
    built, _ = event.build(action, event_file="big", object_id=7, record=lambda t, i: {"amount": f"{t} {i}"})
    assert built["origin"]["portalId"] == 99
    assert built["object"] == {"objectType": "DEAL", "objectId": 7}
    assert built["inputFields"] == {"amount": "DEAL 7", "campaign": "spring"}


def test_event_from_stdin(action, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"inputFields": {"amount": "5"}}'))
    assert event.build(action, event_file="-")[0]["inputFields"]["amount"] == "5"


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_an_empty_event_says_it_is_empty(action, monkeypatch, tmp_path, text):
    # Not "invalid JSON at line 2, column 1": what went wrong is that nothing came.
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    with pytest.raises(EventError, match=r'^stdin: empty: an event is a JSON object like \{"object": \{"objectId": 1\}\}$'):
        event.build(action, event_file="-")
    (tmp_path / "blank.json").write_text(text)
    with pytest.raises(EventError, match=r"blank.json: empty: an event is a JSON object"):
        event.build(action, event_file=tmp_path / "blank.json")


def test_malformed_json_says_where(action):
    with pytest.raises(EventError, match=r"broken.json: invalid JSON at line 1, column 28: Expecting property name enclosed in double quotes"):
        event.build(action, event_file="broken")


def test_unknown_event_file_lists_the_known_ones(action):
    with pytest.raises(EventError, match=r"nope: no such event file \(events of echo: big, broken, default, in "):
        event.build(action, event_file="nope")


def test_wrong_types_are_refused(action):
    with pytest.raises(EventError, match=r'event field object.objectId must be a whole number from 1 to 2\*\*63-1 \(an id\), got "42"'):
        event.build(action, event={"object": {"objectId": "42"}})
    with pytest.raises(EventError, match=r"an event is a JSON object"):
        event.build(action, event=[1])


def test_undeclared_inputs(action):
    with pytest.raises(EventError, match=r"input 'amont': action.toml declares no input field of that name \(declared: amount, campaign\)"):
        event.build(action, inputs={"amont": "1"})
    built, warnings = event.build(action, event={"inputFields": {"amount": "1", "extra": "x"}})
    assert "extra" not in built["inputFields"]
    assert "the event gives input field 'extra', which action.toml does not declare: HubSpot would not send it, so it was dropped" in warnings


def test_record_properties_fill_inputs(action):
    looked_up = []

    def record(object_type, object_id):
        looked_up.append((object_type, object_id))
        return {"amount": "250.5"} if object_id == 9 else None

    built, warnings = event.build(action, event={}, object_id=9, record=record)
    assert looked_up == [("DEAL", 9)]
    assert built["inputFields"] == {"amount": "250.5", "campaign": "spring"} and warnings == []
    with pytest.raises(EventError) as refused:
        event.build(action, event={}, object_id=10, record=record)
    assert str(refused.value) == (
        "DEAL 10 does not exist in the local portal, and HubSpot enrolls only records that exist: name one "
        "listed by `hs-actions portal show deal`, or give every input field (--input NAME=VALUE; inputs= in "
        "pytest) to run it as a record deleted after enrolment")


def test_workflow_values_are_strings_with_dates_in_milliseconds_and_empty_ones_null():
    values = event.workflow_values(
        {"createdate": "2024-05-01T12:00:00.000Z", "closedate": "1714521600000", "amount": "5", "d": "2024-05-01",
         "phone": "", "mql": ""},
        {"createdate": "datetime", "closedate": "date", "amount": "number", "d": "date", "mql": "datetime"})
    assert values == {"createdate": "1714564800000", "closedate": "1714521600000", "amount": "5", "d": "1714521600000",
                      "phone": None, "mql": None}


def test_extended_event_keys(action):
    built, _ = event.build(action, extended=True)
    assert built["origin"]["actionExecutionIndexIdentifier"]["enrollmentId"] == int(built["callbackId"].split("-")[2])
    assert built["context"]["source"] == "WORKFLOWS"
    assert built["fields"] == built["inputFields"]


def test_action_receives_exactly_the_built_event(run_action, portal, action):
    portal.seed({"records": {"deals": [{"id": "5", "properties": {"amount": "12"}}]}})
    result = run_action(action, object_id=5)
    assert json.loads(result.logs) == result.event
    assert result.event["object"]["objectId"] == 5
    assert result.event["inputFields"] == {"amount": "12", "campaign": "spring"}


def test_a_named_record_wins_over_the_event_files_sample_values(action):
    def record(object_type, object_id):
        return {"amount": f"from record {object_id}"}

    assert event.build(action, record=record)[0]["inputFields"]["amount"] == "100"  # events/default.json
    built, _ = event.build(action, object_id=3, record=record)
    assert built["inputFields"]["amount"] == "from record 3"
    built, _ = event.build(action, object_id=3, record=record, inputs={"amount": "explicit"})
    assert built["inputFields"]["amount"] == "explicit"


def test_no_lookup_when_every_input_is_given(action):
    def record(object_type, object_id):
        raise AssertionError("looked up")

    assert event.build(action, inputs={"amount": "1"}, record=record)[0]["inputFields"]["amount"] == "1"


def test_event_and_event_file_together_are_refused(action):
    with pytest.raises(EventError, match="give the event or an event file, not both"):
        event.build(action, event={}, event_file="big")


@pytest.mark.parametrize("object_id", [0, -5, 2**64])
def test_object_ids_out_of_range_are_refused(action, object_id):
    with pytest.raises(EventError, match=rf"event field object.objectId must be a whole number .* got {object_id}"):
        event.build(action, object_id=object_id)


def test_a_callback_id_from_the_event_is_replaced_every_run(action):
    first, warnings = event.build(action, event={"callbackId": "ap-1-2-3-4"})
    second, _ = event.build(action, event={"callbackId": "ap-1-2-3-4"})
    assert "ap-1-2-3-4" not in (first["callbackId"], second["callbackId"])
    assert first["callbackId"] != second["callbackId"]
    assert any(w.startswith("the event's callbackId 'ap-1-2-3-4' was replaced by") for w in warnings)


def test_event_file_named_with_its_extension(action):
    assert event.build(action, event_file="big.json")[0]["origin"]["portalId"] == 99


def test_inputs_that_are_not_strings_are_flagged(action):
    _, warnings = event.build(action, inputs={"amount": 12})
    assert "input field 'amount' is int 12: HubSpot passes property values to code as strings" in warnings


# -- where input fields come from: a record named (object_id) gives them all, and only it

def test_a_named_record_without_the_property_gives_null_not_the_sample_value(action):
    # events/default.json says amount "100"; record 3 has no amount: HubSpot sends its empty value.
    built, warnings = event.build(action, object_id=3, record=lambda t, i: {})
    assert built["inputFields"] == {"amount": None, "campaign": "spring"}
    assert warnings == []


def test_a_named_record_keeps_static_values_and_ignores_a_given_events_inputs(action):
    built, warnings = event.build(action, event={"inputFields": {"amount": "1", "campaign": "x"}}, object_id=3,
                                  record=lambda t, i: {"amount": "30"})
    assert built["inputFields"] == {"amount": "30", "campaign": "spring"}
    assert warnings == ["the event's inputFields were not used: object id 3 names a record, and input fields "
                        "come from its properties (--input NAME=VALUE, or inputs=, overrides one)"]


def test_a_named_record_that_is_not_needed_is_not_read(action):
    # Every property input given: the run goes ahead, as for a record deleted after enrolment.
    def record(object_type, object_id):
        raise AssertionError("looked up")

    built, _ = event.build(action, object_id=404, inputs={"amount": "7"}, record=record)
    assert built["inputFields"] == {"amount": "7", "campaign": "spring"}


def test_a_named_record_of_a_type_the_portal_does_not_model(action):
    with pytest.raises(EventError, match=r"^the local portal does not model DEAL records, so it has no DEAL 3 to read "
                                         r"input fields from: give them with --input NAME=VALUE \(inputs= in pytest\), "
                                         r"or seed the custom object's schema$"):
        event.build(action, object_id=3, record=lambda t, i: None, properties=lambda t: None)


def test_a_named_record_without_a_portal(action):
    with pytest.raises(EventError, match=r"^object id 3 names a record, but this run has no local portal to read its "
                                         r"properties from: give every input field \(inputs=\.\.\.\)$"):
        event.build(action, object_id=3)


# -- no record named: the event's inputFields, then static values, then the record the event names

def test_without_a_named_record_the_events_object_fills_what_the_event_does_not_give(action):
    looked_up = []

    def record(object_type, object_id):
        looked_up.append((object_type, object_id))
        return {"amount": "250.5"}

    built, warnings = event.build(action, event={"object": {"objectId": 9}}, record=record)
    assert looked_up == [("DEAL", 9)]
    assert built["inputFields"] == {"amount": "250.5", "campaign": "spring"} and warnings == []
    built, warnings = event.build(action, event={"object": {"objectId": 9}}, record=lambda t, i: {})
    assert built["inputFields"]["amount"] is None and warnings == []   # the record has no amount
    built, _ = event.build(action, event={"inputFields": {"campaign": "x"}}, record=record)
    assert built["inputFields"] == {"amount": "250.5", "campaign": "x"}
    assert looked_up[-1] == ("DEAL", 1)


def test_without_a_named_record_a_missing_one_is_a_warning(action):
    built, warnings = event.build(action, event={"object": {"objectId": 9}}, record=lambda t, i: None)
    assert built["inputFields"]["amount"] is None
    assert warnings == ["the portal has no DEAL 9, the event's object: input fields the event does not give are null",
                        "input field 'amount' (property 'amount') has no value: nothing gave one, so it is null"]


def test_an_input_property_the_object_type_lacks_is_a_warning(action):
    _, warnings = event.build(action, properties=lambda object_type: {"dealname", "hs_object_id"})
    assert warnings == [
        "input field 'amount' reads the property 'amount', which DEAL records do not have in the local portal, so "
        "HubSpot would not offer it; if your account has it, declare it: a seed file with {\"properties\": "
        "{\"DEAL\": [{\"name\": \"amount\", \"type\": \"string\", \"fieldType\": \"text\"}]}} and "
        "`hs-actions portal seed FILE`"]
    assert event.build(action, properties=lambda object_type: {"amount"})[1] == []
    assert event.build(action, properties=lambda object_type: None)[1] == []     # a type it does not model

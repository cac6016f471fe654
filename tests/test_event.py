"""The event: HubSpot's shape, filled from template, event file and overrides."""
import io
import json
import re

import pytest

from hs_actions.errors import EventError
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
    built, _ = event.build(action, event_file="big", object_id=7, inputs={"campaign": "autumn"})
    assert built["origin"]["portalId"] == 99
    assert built["object"] == {"objectType": "DEAL", "objectId": 7}
    assert built["inputFields"] == {"amount": "9000", "campaign": "autumn"}


def test_event_from_stdin(action, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"inputFields": {"amount": "5"}}'))
    assert event.build(action, event_file="-")[0]["inputFields"]["amount"] == "5"


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
    built, warnings = event.build(action, event={}, object_id=10, record=record)
    assert built["inputFields"]["amount"] is None
    assert warnings[0] == "the portal has no DEAL 10: input fields come from the event instead, or are null"


def test_workflow_values_are_strings_with_dates_in_milliseconds():
    values = event.workflow_values(
        {"createdate": "2024-05-01T12:00:00.000Z", "closedate": "1714521600000", "amount": "5", "d": "2024-05-01"},
        {"createdate": "datetime", "closedate": "date", "amount": "number", "d": "date"})
    assert values == {"createdate": "1714564800000", "closedate": "1714521600000", "amount": "5", "d": "1714521600000"}


def test_extended_event_keys(action):
    built, _ = event.build(action, extended=True)
    assert built["origin"]["actionExecutionIndexIdentifier"]["enrollmentId"] == int(built["callbackId"].split("-")[2])
    assert built["context"]["source"] == "WORKFLOWS"
    assert built["fields"] == built["inputFields"]


def test_action_receives_exactly_the_built_event(run_action, action):
    result = run_action(action, object_id=5)
    assert json.loads(result.logs) == result.event
    assert result.event["object"]["objectId"] == 5


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

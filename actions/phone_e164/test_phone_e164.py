import pytest


@pytest.mark.parametrize("phone, country, e164", [
    ("(415) 555-0132", "United States", "+14155550132"),
    ("1-415-555-0132", "US", "+14155550132"),
    ("020 7946 0958", "United Kingdom", "+442079460958"),
    ("0049 30 901820", "", "+4930901820"),
    ("+33 1 42 68 53 00", "FR", "+33142685300"),
])
def test_normalises(run_action, phone, country, e164):
    result = run_action("phone_e164", inputs={"phone": phone, "country": country})
    assert result.ok, result.problem
    assert result.outputs == {"e164": e164, "valid": True}


@pytest.mark.parametrize("phone, country", [("12", "US"), ("call me", "US"), ("555 0132", "Narnia")])
def test_invalid_numbers_are_flagged_not_failed(run_action, phone, country):
    result = run_action("phone_e164", inputs={"phone": phone, "country": country})
    assert result.ok, result.problem
    assert result.outputs == {"e164": None, "valid": False}
    assert "not a valid number" in result.logs


def test_no_phone(run_action):
    result = run_action("phone_e164", inputs={"phone": None, "country": None})
    assert result.ok, result.problem
    assert result.outputs == {"e164": None, "valid": False}


def test_phone_as_number_fails_the_execution(run_action):
    # A JSON number where HubSpot sends a string: the action's .strip() raises.
    result = run_action("phone_e164", event={"inputFields": {"phone": 4155550132, "country": "US"}})
    assert result.status == "error"
    assert result.error.type == "AttributeError"
    assert result.error.message == "'int' object has no attribute 'strip'"

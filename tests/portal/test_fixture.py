"""The pytest `portal` fixture: emptied per test, and assertions that explain a miss."""
import pytest

TOKEN = "local-fixture-test"
CODE = """
import os
import requests

def main(event):
    for path in ("/crm/v3/objects/contacts/1", "/crm/v3/objects/companies/2"):
        requests.get("https://api.hubapi.com" + path, headers={"Authorization": "Bearer " + os.environ["T"]}, timeout=5)
    return {"outputFields": {}}
"""


@pytest.fixture
def ran(run_action, make_action, portal):
    portal.add_token(TOKEN)
    return run_action(make_action(CODE, 'object_type = "CONTACT"\nsecrets = ["T"]\n'), secrets={"T": TOKEN})


def test_assert_requested_returns_the_matching_calls(ran, portal):
    [call] = portal.assert_requested("GET", r"/crm/v3/objects/contacts/\d+", status=404)
    assert call["run"] == ran.event["callbackId"]


def test_a_miss_lists_the_most_similar_requests(ran, portal):
    with pytest.raises(AssertionError) as caught:
        portal.assert_requested("GET", "/crm/v3/objects/contact/1")
    assert str(caught.value) == (
        "GET /crm/v3/objects/contact/1 was requested never. Most similar of the 2 requests made:\n"
        "  GET /crm/v3/objects/contacts/1 -> 404\n"
        "  GET /crm/v3/objects/companies/2 -> 404")


def test_wrong_count_is_a_miss(ran, portal):
    assert len(portal.assert_requested("GET", r"/crm/v3/objects/\w+/\d+", times=2)) == 2
    with pytest.raises(AssertionError, match=r"was requested 2 time\(s\), expected 1\."):
        portal.assert_requested("GET", r"/crm/v3/objects/\w+/\d+", times=1)


def test_each_test_starts_with_an_empty_portal(portal):
    assert portal.requests() == [] and portal.backend.tokens() == []

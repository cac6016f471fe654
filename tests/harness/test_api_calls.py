"""Unchanged action code reaches the local portal: hubspot-api-client 8.x (HubSpot's), the
current client, and requests; every other host is refused."""
import pytest

from hs_actions.harness import Harness, runtime

TOKEN = "local-api-calls-test"
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nemail = "string"\nclient = "string"\n'
WITH_CLIENT = """
import os
from importlib import metadata
from hubspot import HubSpot

def main(event):
    client = HubSpot(access_token=os.getenv("TOKEN"))
    contact = client.crm.contacts.basic_api.get_by_id(str(event["object"]["objectId"]), properties=["email"])
    return {"outputFields": {"email": contact.properties["email"], "client": metadata.version("hubspot-api-client")}}
"""
WITH_REQUESTS = """
import os
import requests

def main(event):
    response = requests.get(
        f"https://api.hubapi.com/crm/v3/objects/contacts/{event['object']['objectId']}?properties=email",
        headers={"Authorization": "Bearer " + os.environ["TOKEN"]}, timeout=5)
    response.raise_for_status()
    return {"outputFields": {"email": response.json()["properties"]["email"], "client": "requests"}}
"""


@pytest.fixture
def contact(portal):
    portal.add_token(TOKEN, ["crm.objects.contacts.read"])
    portal.seed({"records": {"contacts": [{"id": "7", "properties": {"email": "ada@example.com"}}]}})
    return 7


@pytest.mark.parametrize("code", [WITH_CLIENT, WITH_REQUESTS], ids=["hubspot-api-client", "requests"])
def test_runtime_client_and_requests_reach_the_portal(run_action, make_action, portal, contact, code):
    result = run_action(make_action(code, MANIFEST), object_id=contact, secrets={"TOKEN": TOKEN})
    assert result.ok, result.error
    assert result.outputs["email"] == "ada@example.com"
    if code is WITH_CLIENT and not runtime.current().fallback:
        assert result.outputs["client"].startswith("8.")
    assert [(c["method"], c["path"], c["status"]) for c in result.api_calls] == [("GET", "/crm/v3/objects/contacts/7", 200)]
    assert result.scopes == ["crm.objects.contacts.read"]


def test_the_current_client_reaches_the_portal_too(make_action, hs_actions_portal, portal, contact):
    # The toolkit's own interpreter has today's hubspot-api-client (12.x, urllib3 2.x).
    with Harness(runtime=runtime.fallback(), portal=hs_actions_portal) as harness:
        result = harness.run(make_action(WITH_CLIENT, MANIFEST), object_id=contact, secrets={"TOKEN": TOKEN})
    assert result.ok, result.error
    assert int(result.outputs["client"].split(".")[0]) >= 11
    assert result.outputs["email"] == "ada@example.com"


def test_a_wrong_token_gets_hubspots_401(run_action, make_action, portal, contact):
    result = run_action(make_action(WITH_CLIENT, MANIFEST), object_id=contact, secrets={"TOKEN": "not-a-token"})
    assert result.status == "error"
    assert result.error.type == "UnauthorizedException"
    assert result.api_calls[0]["status"] == 401


def test_without_a_portal_api_calls_are_refused_by_name(make_action):
    with Harness() as harness:
        result = harness.run(make_action(WITH_REQUESTS, MANIFEST), secrets={"TOKEN": TOKEN})
    assert result.status == "error"
    assert "this run may not connect to api.hubapi.com" in result.error.message

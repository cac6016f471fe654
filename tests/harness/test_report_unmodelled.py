"""A run's report lists a call the local portal does not model as such, with scopes "unknown",
never none: a user must not mistake a gap in the portal for a bug in their code."""
import re

from hs_actions.harness import report
from hs_actions.portal.models import load

ACTION = """
import os
import requests
from hubspot import HubSpot

def main(event):
    headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}
    contact = requests.get("https://api.hubapi.com/crm/v3/objects/contacts/1", headers=headers, timeout=5)
    campaigns = requests.get("https://api.hubapi.com/marketing/v3/campaigns", headers=headers, timeout=5)
    return {"outputFields": {"contact": contact.status_code, "campaigns": campaigns.status_code}}
"""
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\ncontact = "number"\ncampaigns = "number"\n'


def test_a_run_lists_an_unmodelled_call_as_such_with_unknown_scopes(run_action, make_action, portal):
    portal.add_token("run-token", ["crm.objects.contacts.read"])
    portal.seed({"records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}}]}})
    result = run_action(make_action(ACTION, MANIFEST), object_id=1, secrets={"TOKEN": "run-token"})
    assert result.ok, result.error
    assert result.outputs == {"contact": 200, "campaigns": 404}
    assert [(c["path"], c["scopes"], c.get("unmodelled", False)) for c in result.api_calls] == [
        ("/crm/v3/objects/contacts/1", ["crm.objects.contacts.read"], False),
        ("/marketing/v3/campaigns", "unknown", True)]
    assert result.scopes == ["crm.objects.contacts.read", "unknown"]
    printed = report.human(result)
    assert ("API calls (2); scopes needed: crm.objects.contacts.read, unknown (1 call the local portal does not "
            "model: HubSpot serves it, its scopes are unknown here)") in printed
    assert re.search(r"  404 GET /marketing/v3/campaigns  [\d.]+ ms  NOT MODELLED by the local portal \(a gap in "
                     r"hs-actions, not in your code\)", printed)


CLIENT_ACTION = """
import os
from hubspot import HubSpot

def main(event):
    client = HubSpot(access_token=os.getenv("TOKEN"))
    client.crm.objects.basic_api.get_page("{object_type}", limit=1)
    return {{"outputFields": {{}}}}
"""


def test_an_unmodelled_object_type_in_a_run_says_so_and_never_needs_no_scopes(run_action, make_action, portal):
    known = {n for t in portal.backend.types.values() for n in t.names(portal.portal_id)}
    missing = next(t["name"] for t in load("hubspot_apis.json")["objectTypes"] if t["name"] not in known)
    portal.add_token("run-token", ["crm.objects.contacts.read"])
    result = run_action(make_action(CLIENT_ACTION.format(object_type=missing), 'object_type = "CONTACT"\n'
                                    'secrets = ["TOKEN"]\n[outputs]\n'), secrets={"TOKEN": "run-token"})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"
    assert f"The local portal does not model the object type {missing}" in result.error.message
    assert result.scopes == ["unknown"]
    assert result.api_calls[0]["scopes"] == "unknown"

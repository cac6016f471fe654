"""A 401 from the local portal for a token it does not know says so, names the secret (never
its value) and how to register a token: what a new user meets at their action's first API call."""
import json

CODE = '''
import os
from hubspot import HubSpot
from hubspot.crm.objects import ApiException

def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    try:
        client.crm.objects.basic_api.get_by_id("contacts", "1")
    except ApiException as error:
        return {"outputFields": {"status": str(error.status)}}
    return {"outputFields": {"status": "200"}}
'''
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["HUBSPOT_TOKEN"]\n[outputs]\nstatus = "string"\n'
HINT = ("the API answered 401: the local portal knows no token given in HUBSPOT_TOKEN. In a test, register it "
        "first: portal.add_token(<its value>, [scopes])")


def test_run_action_says_the_portal_does_not_know_the_token(run_action, portal, make_action):
    folder = make_action(CODE, MANIFEST)
    result = run_action(folder, secrets={"HUBSPOT_TOKEN": "pat-unknown-to-the-portal"})
    assert result.outputs == {"status": "401"}
    assert [w for w in result.warnings if w.startswith(HINT)] != []
    assert "pat-unknown-to-the-portal" not in json.dumps(result.to_dict())


def test_a_known_token_gets_no_hint(run_action, portal, make_action):
    folder = make_action(CODE, MANIFEST)
    portal.add_token("pat-known", ["crm.objects.contacts.read"])
    result = run_action(folder, secrets={"HUBSPOT_TOKEN": "pat-known"})
    assert result.outputs == {"status": "404"}
    assert not [w for w in result.warnings if "401" in w]


def test_hs_actions_run_says_it_too(make_action, cli_main, seeded_portal_db):
    folder = make_action(CODE, MANIFEST)
    _, out, _ = cli_main("run", folder, "--json", "--portal-db", seeded_portal_db,
                         env={"HUBSPOT_TOKEN": "pat-unknown-to-the-portal"})
    report = json.loads(out)
    assert [w for w in report["warnings"] if w.startswith(HINT)] != [], report["warnings"]
    assert "local-portal-token" in " ".join(report["warnings"])

"""check, rule api-sunset: a URL of an API HubSpot has removed (every call to it is a 404)."""
from hs_actions.check import check
from hs_actions.harness import runtime
from tests.support import write_action


def findings(tmp_path, code):
    folder, helpers_dir = write_action(tmp_path, code)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule == "api-sunset"]


OWNERS_V2 = ("is a call of HubSpot's owners API (v2), which HubSpot sunset on 2025-03-24: HubSpot answers every call "
             "to it with a 404. Fix: call GET /crm/v3/owners/{ownerId} (the same ids) or GET /crm/v3/owners instead")


def test_a_url_of_a_sunset_api_is_an_error_naming_its_replacement(tmp_path):
    """A published action looked a meeting's owner up at /owners/v2/owners/{id}, sunset in 2025."""
    assert findings(tmp_path, '''\
        import os, requests
        BASE = "https://api.hubapi.com"

        def main(event):
            headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}
            owner = requests.get(f"https://api.hubapi.com/owners/v2/owners/{event['inputFields']['id']}", headers=headers)
            everyone = requests.get(BASE + "/owners/v2/owners", headers=headers)
            rows = requests.get("https://api.hubapi.com/hubdb/api/v2/tables/1/rows?portalId=1", headers=headers)
            return {"outputFields": {}}
        ''') == [
        f"actions/demo/action.py:6: api-sunset: /owners/v2/owners/ {OWNERS_V2}",
        f"actions/demo/action.py:7: api-sunset: /owners/v2/owners {OWNERS_V2}",
        "actions/demo/action.py:8: api-sunset: /hubdb/api/v2/tables/1/rows is a call of HubSpot's HubDB API (v2), "
        "which HubSpot sunset on 2024-12-16: HubSpot answers every call to it with a 404. Fix: call HubDB v3 "
        "(/cms/v3/hubdb) instead"]


def test_urls_of_live_apis_and_other_text_are_not_flagged(tmp_path):
    assert findings(tmp_path, '''\
        import os, requests

        def main(event):
            headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}
            requests.get("https://api.hubapi.com/crm/v3/owners/101", headers=headers)
            requests.get("https://api.hubapi.com/engagements/v1/engagements/1", headers=headers)
            print("owners/v2 is gone; /owners/v2x is not an API")
            return {"outputFields": {}}
        ''') == []

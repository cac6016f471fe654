"""Automation v4 flows over HTTP: a flow is kept as written, its known fields read by JSON type,
check_flow's rules and the revision an update is based on still apply."""
import copy


F = "/automation/v4/flows"
OWNED = ("id", "revisionId", "createdAt", "updatedAt", "nextAvailableActionId")
CODE = {"actionId": "1", "type": "CUSTOM_CODE", "runtime": "PYTHON39", "sourceCode": "def main(event): pass",
        "secretNames": [], "inputFields": [{"name": "email", "value": {"type": "OBJECT_PROPERTY", "propertyName": "email"}}],
        "outputFields": [{"name": "score", "type": "NUMBER"}], "connection": {"edgeType": "STANDARD", "nextActionId": "2"}}
DELAY = {"actionId": "2", "type": "SINGLE_CONNECTION", "actionTypeId": "0-1", "actionTypeVersion": 0,
         "fields": {"delta": "60", "time_unit": "MINUTES"}}
FLOW = {"name": "Lead routing", "type": "CONTACT_FLOW", "objectTypeId": "0-1", "flowType": "WORKFLOW",
        "isEnabled": False, "startActionId": "1", "actions": [CODE, DELAY],
        "enrollmentCriteria": {"type": "EVENT_BASED", "shouldReEnroll": False, "eventFilterBranches": []},
        "crmObjectCreationStatus": "COMPLETE", "customProperties": {"team": "emea"}, "blockedDates": [],
        "timeWindows": [], "dataSources": [], "suppressionListIds": [], "canEnrollFromSalesforce": False}


def written(flow: dict) -> dict:
    return {k: v for k, v in flow.items() if k not in OWNED}


def test_a_flow_is_kept_as_written_keys_it_does_not_type_and_their_order_too(portal_api, empty_portal):
    created = portal_api.post(F, json=FLOW)
    assert created.status_code == 201, created.text
    read = portal_api.get(f"{F}/{created.json()['id']}").json()
    assert written(read) == FLOW
    assert list(written(read)) == list(FLOW)


def test_numbers_are_read_as_strings_where_a_string_is_expected(portal_api, empty_portal):
    flow = {**FLOW, "startActionId": 1, "actions": [{**CODE, "actionId": 1}, DELAY]}
    created = portal_api.post(F, json=flow).json()
    assert (created["startActionId"], created["actions"][0]["actionId"]) == ("1", "1")
    found = portal_api.post(f"{F}/batch/read", json={"inputs": [{"flowId": int(created["id"]), "type": "FLOW_ID"}]})
    assert [f["id"] for f in found.json()["results"]] == [created["id"]]


def test_check_flows_rules_still_apply(portal_api, empty_portal):
    response = portal_api.post(F, json={**FLOW, "type": "PLATFORM_FLOW"})
    assert (response.status_code, response.json()["message"]) == (
        400, "Invalid flow: type: must be CONTACT_FLOW for objectTypeId 0-1, not 'PLATFORM_FLOW'")
    code = {k: v for k, v in CODE.items() if k != "sourceCode"}
    response = portal_api.post(F, json={**FLOW, "actions": [code, DELAY]})
    assert (response.status_code, response.json()["message"]) == (
        400, "Invalid flow: actions[0].sourceCode: required: the code, a string")
    assert portal_api.get(F).json()["results"] == []


def test_an_update_is_kept_as_written_from_the_revision_it_read(portal_api, empty_portal):
    flow_id = portal_api.post(F, json=FLOW).json()["id"]
    changed = copy.deepcopy(FLOW)
    changed["actions"][0]["sourceCode"] = "def main(event): return {}"
    changed["enrollmentCriteria"]["shouldReEnroll"] = True
    updated = portal_api.put(f"{F}/{flow_id}", json={**changed, "revisionId": 1})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["revisionId"], written(updated.json())) == ("2", changed)
    stale = portal_api.put(f"{F}/{flow_id}", json={**changed, "revisionId": "1"})
    assert (stale.status_code, stale.json()["message"]) == (409, (
        f"Flow {flow_id} has changed since revision 1 was read (it is now at revision 2): read it again and apply the "
        "change to the current revision."))


def test_a_flow_is_checked_as_hubspots_spec_says(portal_api, empty_portal):
    """Found by HubSpot's spec run against the portal: an objectTypeId of not-a-type, unknown
    top-level keys and flows without the fields the spec requires were all accepted."""
    bad_type = portal_api.post(F, json={**FLOW, "objectTypeId": "not-a-type", "type": "PLATFORM_FLOW"})
    assert (bad_type.status_code, bad_type.json()["message"]) == (400, (
        "Invalid flow: objectTypeId: 'not-a-type' is not an object type id of this portal (0-1 for contacts, 0-3 for "
        "deals, 2-<n> for a custom object...)"))
    unknown = portal_api.post(F, json={**FLOW, "colour": "blue", "owner": 1})
    assert unknown.json()["message"] == "Invalid flow: colour, owner: not a field of a flow (HubSpot's Automation v4 spec)"
    missing = portal_api.post(F, json={k: v for k, v in FLOW.items() if k not in ("blockedDates", "isEnabled")})
    assert missing.json()["message"] == "Invalid flow: blockedDates, isEnabled: required"
    flow = portal_api.post(F, json=FLOW).json()
    no_revision = portal_api.put(f"{F}/{flow['id']}", json=written(flow))
    assert no_revision.json()["message"] == "Invalid flow: revisionId: required"
    assert portal_api.put(f"{F}/{flow['id']}", json=flow).status_code == 200   # what a GET answered, PUT back

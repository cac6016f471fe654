"""A call HubSpot serves that the local portal does not model is named as one: in its 404, in the
request log, and in a run's report (scopes "unknown"); a path HubSpot has no API at is not, nor is
one of an API HubSpot has sunset (its 404 is production's too)."""
import re

import pytest

from hs_actions.portal import urls
from hs_actions.portal.models import load


GAP = ("HubSpot serves this call, but hs-actions cannot answer it locally, so this 404 is a gap in the local "
       "portal, not a bug in your code.")


def unmodelled_type(empty_portal) -> dict:
    """An object type HubSpot serves that the portal does not (whichever is left unmodelled)."""
    known = {n for t in empty_portal.backend.types.values() for n in t.names(empty_portal.portal_id)}
    return next(t for t in load("hubspot_apis.json")["objectTypes"] if t["name"] not in known)


@pytest.mark.parametrize("method, path, family", [
    ("POST", "/marketing/v3/forms", "HubSpot's forms API (form writes)"),
    ("DELETE", "/marketing/forms/2026-03/123", "HubSpot's forms API (form writes)"),
    ("GET", "/form-integrations/v1/submissions/forms/123", "HubSpot's forms API"),
    ("POST", "/crm/v3/imports", "HubSpot's CRM imports API"),
    ("GET", "/contacts/v1/lists/all/contacts/all", "HubSpot's legacy contacts API (v1)"),
    ("GET", "/crm/v3/lists/folders", "HubSpot's lists API (create, search, folders, filters)"),
    ("POST", "/cms/v3/hubdb/tables", "HubSpot's HubDB API (table writes, import, export)"),
    ("POST", "/cms/hubdb/2026-03/tables/t/draft/import", "HubSpot's HubDB API (table writes, import, export)"),
    ("GET", "/crm/v3/pipelines/deals/default/audit", "HubSpot's pipelines API (audit)"),
])
def test_a_call_hubspot_serves_and_the_portal_does_not_is_named_as_such(portal_api, empty_portal, method, path, family):
    response = portal_api.request(method, path, json={})
    assert response.status_code == 404
    body = response.json()
    assert body["message"] == (f"The local portal does not model {method} {path} ({family}): {GAP} See \"What it "
                               "does not do\" in hs_actions/portal/README.md.")
    assert (body["category"], body["subCategory"]) == ("OBJECT_NOT_FOUND", "hs_actions.NOT_MODELLED")
    logged = empty_portal.requests()[-1]
    assert (logged["unmodelled"], logged["scopes"], logged["scope"]) == (True, None, None)
    assert empty_portal.scopes_needed() == []


def test_an_object_type_hubspot_serves_and_the_portal_lacks_is_named_as_such(portal_api, empty_portal):
    missing = unmodelled_type(empty_portal)
    for spelling in (missing["name"], missing.get("id") or missing["name"]):
        response = portal_api.get(f"/crm/v3/objects/{spelling}/1")
        assert response.status_code == 404
        assert response.json()["message"].startswith(
            f"The local portal does not model the object type {spelling} (HubSpot's {missing['name']}): HubSpot serves it")
        assert empty_portal.requests()[-1]["unmodelled"] is True


def test_a_type_or_path_hubspot_does_not_have_keeps_hubspots_answer(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/widgets/1")
    assert (response.status_code, response.json()["message"]) == (400, "Unable to infer object type from: widgets")
    response = portal_api.get("/crm/v3/nothing")
    assert response.status_code == 404 and "subCategory" not in response.json()
    assert [(r["unmodelled"], r["scopes"]) for r in empty_portal.requests()] == [(False, []), (False, [])]


@pytest.mark.parametrize("method, path, family, date, instead", [
    ("GET", "/owners/v2/owners/101", "HubSpot's owners API (v2)", "2025-03-24",
     "GET /crm/v3/owners/{ownerId} (the same ids) or GET /crm/v3/owners"),
    ("GET", "/owners/v2/owners", "HubSpot's owners API (v2)", "2025-03-24",
     "GET /crm/v3/owners/{ownerId} (the same ids) or GET /crm/v3/owners"),
    ("GET", "/hubdb/api/v2/tables/1/rows", "HubSpot's HubDB API (v2)", "2024-12-16", "HubDB v3 (/cms/v3/hubdb)"),
])
def test_a_call_of_an_api_hubspot_has_sunset_is_its_404_not_a_gap(portal_api, empty_portal, method, path, family,
                                                                   date, instead):
    """Published actions still call the v2 owners API, which HubSpot removed on 2025-03-24 (its
    changelog): there the call is a 404, so it is the code to fix, not the local portal."""
    response = portal_api.request(method, path)
    assert response.status_code == 404
    body = response.json()
    assert body["message"] == (f"Unrecognized request URL ({method} {path}). HubSpot sunset {family} on {date}: "
                               f"HubSpot answers this call with a 404 too. Call {instead} instead.")
    assert body["category"] == "OBJECT_NOT_FOUND" and "subCategory" not in body
    assert (empty_portal.requests()[-1]["unmodelled"], empty_portal.requests()[-1]["scopes"]) == (False, [])


def test_a_path_beside_a_sunset_prefix_is_not_taken_for_it(portal_api):
    response = portal_api.get("/owners/v2x/owners")
    assert response.json()["message"].startswith("Unrecognized request URL (GET /owners/v2x/owners). HubSpot has no API")


def test_an_unmodelled_call_with_a_wrong_token_is_still_logged_as_unmodelled(portal_api, empty_portal):
    response = portal_api.get("/marketing/v3/campaigns", headers={"Authorization": "Bearer nobody"})
    assert response.status_code == 401
    assert empty_portal.requests()[-1]["unmodelled"] is True


def test_no_route_is_shadowed_by_an_unmodelled_operation():
    for route in urls.TABLE:
        path = re.sub(r"\{\w+\}", "p1", route.template)
        assert urls.resolve(route.method, path)[0] is route, f"{route.method} {route.template}"


"""Every request is logged: for the run report and for test assertions."""
from hs_actions.portal.testing import api, portal, portal_session  # noqa: F401 (fixtures)


def test_each_request_is_logged_with_its_run_status_and_scope(api, portal):
    api.get("/crm/v3/objects/contacts?limit=5&properties=email", headers={"X-HS-Actions-Run": "run-7"})
    api.get("/crm/v3/objects/contacts/404", headers={"X-HS-Actions-Run": "run-7"})
    api.get("/crm/v3/objects/contacts", headers={"X-HS-Actions-Run": "other"})
    entries = portal.requests(run="run-7")
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("GET", "/crm/v3/objects/contacts", "limit=5&properties=email", 200),
        ("GET", "/crm/v3/objects/contacts/404", "", 404)]
    first = entries[0]
    assert first["scope"] == "crm.objects.contacts.read" and first["run"] == "run-7" and first["token"] == "test"
    assert first["duration_ms"] > 0 and first["category"] is None
    assert entries[1]["category"] == "OBJECT_NOT_FOUND"
    assert len(portal.requests()) == 3


def test_refused_requests_are_logged_too(api, portal):
    api.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope", "X-HS-Actions-Run": "r"})
    api.get("/crm/v3/unknown", headers={"X-HS-Actions-Run": "r"})
    assert [(e["status"], e["category"], e["token"]) for e in portal.requests("r")] == [
        (401, "INVALID_AUTHENTICATION", None), (404, "OBJECT_NOT_FOUND", "test")]


def test_reset_empties_the_log(api, portal):
    api.get("/crm/v3/objects/contacts")
    portal.reset()
    assert portal.requests() == []


def test_a_refused_call_logs_the_scopes_it_would_have_needed(api, portal):
    wrong = {"Authorization": "Bearer nope", "X-HS-Actions-Run": "r"}
    assert api.patch("/crm/v3/objects/deals/1", json={"properties": {}}, headers=wrong).status_code == 401
    assert api.get("/crm/v3/objects/pets/1", headers=wrong).status_code == 401  # unknown type: still a 401 first
    assert api.get("/crm/v3/nowhere", headers=wrong).status_code == 401
    assert [(e["status"], e["scopes"]) for e in portal.requests("r")] == [
        (401, ["crm.objects.deals.write"]), (401, []), (401, [])]
    assert portal.scopes_needed("r") == ["crm.objects.deals.write"]

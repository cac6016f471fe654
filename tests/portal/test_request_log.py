"""Every request is logged: for the run report and for test assertions."""


def test_each_request_is_logged_with_its_run_status_and_scope(portal_api, empty_portal):
    portal_api.get("/crm/v3/objects/contacts?limit=5&properties=email", headers={"X-HS-Actions-Run": "run-7"})
    portal_api.get("/crm/v3/objects/contacts/404", headers={"X-HS-Actions-Run": "run-7"})
    portal_api.get("/crm/v3/objects/contacts", headers={"X-HS-Actions-Run": "other"})
    entries = empty_portal.requests(run="run-7")
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("GET", "/crm/v3/objects/contacts", "limit=5&properties=email", 200),
        ("GET", "/crm/v3/objects/contacts/404", "", 404)]
    first = entries[0]
    assert first["scope"] == "crm.objects.contacts.read" and first["run"] == "run-7" and first["token"] == "test"
    assert first["duration_ms"] > 0 and first["category"] is None
    assert entries[1]["category"] == "OBJECT_NOT_FOUND"
    assert len(empty_portal.requests()) == 3


def test_refused_requests_are_logged_too(portal_api, empty_portal):
    portal_api.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope", "X-HS-Actions-Run": "r"})
    portal_api.get("/crm/v3/unknown", headers={"X-HS-Actions-Run": "r"})
    assert [(e["status"], e["category"], e["token"]) for e in empty_portal.requests("r")] == [
        (401, "INVALID_AUTHENTICATION", None), (404, "OBJECT_NOT_FOUND", "test")]


def test_reset_empties_the_log(portal_api, empty_portal):
    portal_api.get("/crm/v3/objects/contacts")
    empty_portal.reset()
    assert empty_portal.requests() == []


def test_a_refused_call_logs_the_scopes_it_would_have_needed(portal_api, empty_portal):
    wrong = {"Authorization": "Bearer nope", "X-HS-Actions-Run": "r"}
    assert portal_api.patch("/crm/v3/objects/deals/1", json={"properties": {}}, headers=wrong).status_code == 401
    assert portal_api.get("/crm/v3/objects/pets/1", headers=wrong).status_code == 401  # unknown type: still a 401 first
    assert portal_api.get("/crm/v3/nowhere", headers=wrong).status_code == 401
    assert [(e["status"], e["scopes"]) for e in empty_portal.requests("r")] == [
        (401, ["crm.objects.deals.write"]), (401, []), (401, [])]
    assert empty_portal.scopes_needed("r") == ["crm.objects.deals.write"]

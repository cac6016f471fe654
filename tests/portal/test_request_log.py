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


def test_each_request_logs_the_body_it_was_sent(portal_api, empty_portal):
    run = {"X-HS-Actions-Run": "bodies"}
    portal_api.post("/crm/v3/objects/contacts", json={"properties": {"email": "a@b.co"}}, headers=run)
    portal_api.post("/crm/v3/objects/contacts/search", data=b"not json", headers=run)
    portal_api.get("/crm/v3/objects/contacts", headers=run)
    assert [e["body"] for e in empty_portal.requests("bodies")] == [{"properties": {"email": "a@b.co"}}, "not json", None]


def test_a_secret_in_a_body_is_never_logged(portal_api, empty_portal):
    empty_portal.mask_secrets({"TOKEN": "secret-value-1"})
    portal_api.post("/crm/v3/objects/notes", json={"properties": {"hs_note_body": "secret-value-1"}},
                    headers={"X-HS-Actions-Run": "masked"})
    assert empty_portal.requests("masked")[0]["body"] == {"properties": {"hs_note_body": "[secret TOKEN]"}}
    stored = empty_portal.backend.conn.execute("SELECT body FROM request_bodies").fetchall()
    assert stored and all("secret-value-1" not in row[0] for row in stored)


def test_a_database_made_before_bodies_were_logged_gains_them(tmp_path):
    import sqlite3

    from hs_actions.portal.portal import Portal

    db = tmp_path / "old.sqlite3"
    Portal(db=str(db)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE request_bodies")
    portal = Portal(db=str(db))
    try:
        portal.backend.log({"at": 0, "method": "POST", "path": "/x", "query": "", "status": 200, "duration_ms": 1.0,
                            "scope": None, "scopes": [], "run": "r", "token": None, "category": None, "body": b"{}"})
        assert portal.requests("r")[0]["body"] == {}
    finally:
        portal.close()

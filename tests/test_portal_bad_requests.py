"""Unknown routes and malformed requests: HubSpot's error body, and the server keeps serving."""
import socket

import pytest

from hs_actions.portal.testing import api, portal, portal_session  # noqa: F401 (fixtures)


@pytest.mark.parametrize("method, path", [
    ("GET", "/crm/v3/objects/contacts/1/nope"),
    ("PATCH", "/crm/v3/objects/contacts"),
    ("GET", "/nothing/v3/here"),
    ("POST", "/crm/v3/objects/contacts/1"),
])
def test_unknown_routes_are_404s_naming_method_and_path(api, portal, method, path):
    # Paths HubSpot has no API at; calls HubSpot serves that the portal does not: test_portal_unmodelled.py
    response = api.request(method, path, json={})
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"Unrecognized request URL ({method} {path}). HubSpot has no API at this path: check it against "
        "HubSpot's API reference.")
    assert "subCategory" not in response.json()


@pytest.mark.parametrize("body, message", [
    (b'{"properties": ', "Invalid input JSON on line 1, column 16: Expecting value"),
    (b"[1, 2]", "Invalid input JSON: expected a JSON object, found list"),
    (b'{"properties": {"email": {"nested": 1}}}', "Invalid input JSON: property email must be a string, not dict"),
    (b'{"properties": ["email"]}', "Invalid input JSON: properties must be an object"),
    (b'{"properties": {}, "associations": {"to": 1}}', "Invalid input JSON: associations must be a list of objects"),
    (b"", "Invalid input JSON: a JSON body is required"),
])
def test_malformed_bodies_are_400s(api, portal, body, message):
    response = api.post("/crm/v3/objects/contacts", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == message


def test_wrong_query_types_are_400s(api, portal):
    response = api.get("/crm/v3/objects/contacts?limit=many")
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid input JSON: limit must be an integer, not 'many'"


def test_the_server_survives_a_broken_connection(api, portal):
    with socket.create_connection((portal.server.host, portal.server.port)) as raw:
        raw.sendall(b"POST /crm/v3/objects/contacts HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    with socket.create_connection((portal.server.host, portal.server.port)) as raw:
        raw.sendall(b"BREW /coffee HTTP/1.1\r\n\r\n")
        answer = raw.recv(1000)
    assert answer.startswith(b"HTTP/1.1 501 ")
    assert b'"message": "Unsupported method (\'BREW\')"' in answer
    assert api.get("/crm/v3/objects/contacts").status_code == 200


def test_a_bug_in_the_portal_is_a_500_that_says_so(api, portal, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("oops")
    monkeypatch.setattr(portal.backend, "list", broken)
    response = api.get("/crm/v3/objects/contacts")
    assert response.status_code == 500
    assert response.json()["message"] == ("The local portal failed on this request (a bug in hs-actions, not in your "
                                          "action): KeyError: 'oops'")
    monkeypatch.undo()
    assert api.get("/crm/v3/objects/contacts").status_code == 200

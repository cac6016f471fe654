"""A client's mistakes get HubSpot's 4xx, never a 5xx, and the server keeps serving.

Unknown routes and methods, bodies of the wrong JSON shape, page sizes out of range, bodies
too large or badly framed, and requests that stop arriving.
"""
import http.client
import json
import socket

import pytest

from hs_actions.portal import server as portal_server
from tests.support import TOKEN, contact


@pytest.mark.parametrize("method, path", [
    ("GET", "/crm/v3/objects/contacts/1/nope"),
    ("GET", "/nothing/v3/here"),
    ("TRACE", "/nothing/v3/here"),
])
def test_unknown_routes_are_404s_naming_method_and_path(portal_api, empty_portal, method, path):
    # Paths HubSpot has no API at; calls HubSpot serves that the portal does not: tests/portal/test_unmodelled.py
    response = portal_api.request(method, path, json={})
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"Unrecognized request URL ({method} {path}). HubSpot has no API at this path: check it against "
        "HubSpot's API reference.")
    assert "subCategory" not in response.json()


@pytest.mark.parametrize("method, path, allowed", [
    ("TRACE", "/crm/v3/objects/contacts", "GET,HEAD,POST"),
    ("PATCH", "/crm/v3/objects/contacts", "GET,HEAD,POST"),
    ("POST", "/crm/v3/objects/contacts/1", "GET,HEAD,PATCH,DELETE"),
    ("BREW", "/crm/v3/owners", "GET,HEAD"),
    ("OPTIONS", "/crm/v3/objects/contacts/batch/read", "POST"),
])
def test_a_method_a_served_path_does_not_serve_is_a_405_with_allow(portal_api, empty_portal, method, path, allowed):
    # HubSpot answers 405 with an Allow header (HubSpot/hubspot-php#203); the body is the portal's.
    response = portal_api.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json()["message"] == (
        f"Method {method} is not allowed on {path}; this path allows {allowed.replace(',', ', ')}.")


def test_head_is_served_as_get_without_a_body(portal_api, empty_portal):
    contact(empty_portal, "ada@example.com")
    get, head = portal_api.get("/crm/v3/objects/contacts/1"), portal_api.head("/crm/v3/objects/contacts/1")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(get.content))


@pytest.mark.parametrize("body, message", [
    (b'{"properties": ', "Invalid input JSON on line 1, column 16: Expecting value"),
    (b"[1, 2]", "Invalid input JSON: the body must be an object, not a list"),
    (b'{"properties": {"email": {"nested": 1}}}', "Invalid input JSON: property email must be a string, not dict"),
    (b'{"properties": ["email"]}', "Invalid input JSON: properties must be an object, not a list"),
    (b'{"properties": {}, "associations": {"to": 1}}', "Invalid input JSON: associations must be a list, not an object"),
    (b"", "Invalid input JSON: a JSON body is required"),
    (b'{"properties": {"firstname": "\\ud800"}}',
     "Invalid input JSON: the string '\\ud800' holds a lone UTF-16 surrogate, which is not text: send valid Unicode"),
    (b'{"properties": {"firstname": "\xff"}}',
     "Invalid input JSON: 'utf-8' codec can't decode byte 0xff in position 30: invalid start byte"),
    (b"[" * 100_000, "Invalid input JSON: JSON nested more than 64 levels deep"),
    (b'{"properties": {"firstname": ' + b"[" * 70 + b"]" * 70 + b"}}",
     "Invalid input JSON: JSON nested more than 64 levels deep"),
    (b'{"properties": {"age": ' + b"9" * 5000 + b"}}",
     "Invalid input JSON: a number has more than 4300 digits"),
])
def test_malformed_bodies_are_400s(portal_api, empty_portal, body, message):
    response = portal_api.post("/crm/v3/objects/contacts", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == message
    assert empty_portal.backend.counts() == {}


FILTER = {"propertyName": "email", "operator": "EQ", "value": "ada@example.com"}


@pytest.mark.parametrize("method, path, body, message", [
    ("POST", "/crm/v3/objects/contacts/search",
     {"filterGroups": [{"filters": [FILTER, {**FILTER, "propertyName": ["email"]}]}]},
     "filterGroups[0].filters[1].propertyName must be a string, not a list"),
    ("POST", "/crm/v3/objects/contacts/search", {"filterGroups": [{"filters": [{**FILTER, "value": {"a": 1}}]}]},
     "filterGroups[0].filters[0].value must be a string, number or boolean, not an object"),
    ("POST", "/crm/v3/objects/contacts/search", {"filterGroups": [{"filters": [{"operator": "EQ", "value": "x"}]}]},
     "filterGroups[0].filters[0].propertyName is required"),
    ("POST", "/crm/v3/objects/contacts/search", {"sorts": [{"propertyName": "email", "direction": "SIDEWAYS"}]},
     "sorts[0].direction must be one of ASCENDING, DESCENDING, not 'SIDEWAYS'"),
    ("POST", "/crm/v3/objects/contacts/search", {"sorts": [{"propertyName": "email", "direction": "descending"}]},
     "sorts[0].direction must be one of ASCENDING, DESCENDING, not 'descending'"),
    ("POST", "/crm/v3/objects/contacts/search", {"sorts": [["email"]]}, "sorts[0] must be a string or an object, not a list"),
    ("POST", "/crm/v3/objects/contacts/search", {"query": ["ada"]}, "query must be a string, not a list"),
    ("POST", "/crm/v3/objects/contacts", {"properties": {}, "associations": ["companies/1"]},
     "associations[0] must be an object, not 'companies/1'"),
    ("POST", "/crm/v3/objects/contacts", {"properties": {}, "associations": [{"to": {"id": "1"}, "types": True}]},
     "associations[0].types must be a list, not true"),
    ("POST", "/crm/v3/objects/contacts", {"associations": [{"to": {"id": "1"}, "types": [
        {"associationCategory": ["HUBSPOT_DEFINED"], "associationTypeId": 1}]}]},
     "associations[0].types[0].associationCategory must be one of HUBSPOT_DEFINED, INTEGRATOR_DEFINED, "
     "USER_DEFINED, WORK, not a list"),
    ("POST", "/crm/v3/objects/contacts/batch/create", {"inputs": [{"properties": {}}, {"associations": [
        {"to": {"id": True}, "types": []}]}]},
     "inputs[1].associations[0].to.id must be a string, not true"),
    ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": "1"}], "idProperty": ["email"]},
     "idProperty must be a string, not a list"),
    ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": "1"}, {}]}, "inputs[1].id is required"),
    ("POST", "/crm/v3/objects/contacts/batch/update", {"inputs": [{"id": "1", "idProperty": ["email"]}]},
     "inputs[0].idProperty must be a string, not a list"),
    ("POST", "/crm/v3/objects/contacts/batch/upsert", {"inputs": [{"id": "a@example.com"}]},
     "inputs[0].idProperty is required"),
    ("POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": ["1"]}, "inputs[0] must be an object, not '1'"),
    ("POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": {"id": "1"}}, "inputs must be a list, not an object"),
    ("POST", "/crm/v3/objects/contacts/batch/archive", {}, "inputs is required"),
    ("PUT", "/crm/v4/objects/contacts/1/associations/companies/2",
     [{"associationCategory": ["HUBSPOT_DEFINED"], "associationTypeId": 1}],
     "[0].associationCategory must be one of HUBSPOT_DEFINED, INTEGRATOR_DEFINED, USER_DEFINED, WORK, not a list"),
    ("PUT", "/crm/v4/objects/contacts/1/associations/companies/2", [{"associationTypeId": "1"}],
     "[0].associationTypeId must be an integer, not '1'"),
    ("POST", "/crm/v4/associations/contacts/companies/batch/create",
     {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": [{"associationTypeId": None}]}]},
     "inputs[0].types[0].associationTypeId is required"),
    ("POST", "/crm/v4/associations/contacts/companies/batch/archive", {"inputs": [{"from": {"id": "1"}, "to": "2"}]},
     "inputs[0].to must be a list, not '2'"),
    ("POST", "/crm/v3/associations/contacts/companies/batch/create", {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}}]},
     "inputs[0].type is required"),
    ("POST", "/automation/v4/actions/callbacks/ap-1/complete", {"outputFields": ["a"]},
     "outputFields must be an object, not a list"),
    ("POST", "/automation/v4/actions/callbacks/complete", {"inputs": [{"callbackId": "ap-1", "outputFields": "a"}]},
     "inputs[0].outputFields must be an object, not 'a'"),
    ("POST", "/crm/v3/objects/contacts/merge", {"primaryObjectId": "1", "objectIdToMerge": {"id": "2"}},
     "objectIdToMerge must be a string, not an object"),
    ("POST", "/crm/v3/objects/contacts/gdpr-delete", {"objectId": "1", "idProperty": ["email"]},
     "idProperty must be a string, not a list"),
    ("POST", "/crm/v3/properties/contacts", {"name": "tier", "options": [{"label": "A", "value": "a", "hidden": "no"}]},
     "options[0].hidden must be true or false, not 'no'"),
    ("POST", "/crm/v3/properties/contacts", {"name": "tier", "numberDisplayHint": "money"},
     "numberDisplayHint must be one of currency, duration, formatted, percentage, probability, unformatted, not 'money'"),
    ("PATCH", "/crm/v3/properties/contacts/email", {"label": ["Mail"]}, "label must be a string, not a list"),
    ("POST", "/crm/v3/properties/contacts/batch/read", {"inputs": [{"name": "email"}], "archived": "false"},
     "archived must be true or false, not 'false'"),
    ("POST", "/crm/v3/properties/contacts/batch/create", {"inputs": [{"name": "a"}, {"name": "b", "displayOrder": "1"}]},
     "inputs[1].displayOrder must be an integer, not '1'"),
    ("POST", "/crm/v3/properties/contacts/batch/archive", {"inputs": [{"name": "a"}, {}]}, "inputs[1].name is required"),
    ("POST", "/crm/v3/properties/contacts/groups", {"name": "shoes", "label": "Shoes", "displayOrder": 1.5},
     "displayOrder must be an integer, not 1.5"),
    ("PATCH", "/crm/v3/properties/contacts/groups/contactinformation", {"displayOrder": True},
     "displayOrder must be an integer, not true"),
    ("POST", "/crm/v4/associations/contacts/companies/labels", {"label": "Boss", "name": {"x": 1}},
     "name must be a string, not an object"),
    ("PUT", "/crm/v4/associations/contacts/companies/labels", {"label": "Boss"}, "associationTypeId is required"),
    ("POST", "/cms/v3/hubdb/tables/t/rows/batch/read", {"inputs": [["1"]]}, "inputs[0] must be a string, not a list"),
    ("POST", "/cms/v3/hubdb/tables/t/rows/draft/batch/read", {"inputs": "1"}, "inputs must be a list, not '1'"),
    ("PUT", "/crm/v3/lists/1/memberships/add", {"recordIds": ["1"]}, "the body must be a list, not an object"),
    ("PUT", "/crm/v3/lists/1/memberships/remove", ["1", None], "[1] must be a string, not null"),
    ("PUT", "/crm/v3/lists/1/memberships/add-and-remove", {"recordIdsToAdd": ["1"]}, "recordIdsToRemove is required"),
    ("POST", "/automation/v4/flows", {"type": "CONTACT_FLOW", "objectTypeId": "0-1", "isEnabled": "no"},
     "isEnabled must be true or false, not 'no'"),
    ("PUT", "/automation/v4/flows/1", {"type": "CONTACT_FLOW", "actions": [{"actionId": ["1"]}]},
     "actions[0].actionId must be a string, not a list"),
    ("POST", "/automation/v4/flows/batch/read", {"inputs": [{"flowId": "1"}]}, "inputs[0].type is required"),
    ("POST", "/automation/v4/flows/batch/read", {"inputs": [{"flowId": "1", "type": "WORKFLOW_ID"}]},
     "inputs[0].type must be one of FLOW_ID, not 'WORKFLOW_ID'"),
])
def test_a_field_of_the_wrong_json_type_is_a_400_naming_it(portal_api, empty_portal, method, path, body, message):
    contact(empty_portal, "ada@example.com")
    response = portal_api.request(method, path, json=body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == "Invalid input JSON: " + message


@pytest.mark.parametrize("path, maximum", [
    ("/crm/v3/objects/contacts", 100),
    ("/crm/v4/objects/contacts/1/associations/companies", 500),
    ("/crm/v3/owners", 500),
    ("/cms/v3/hubdb/tables", 1000),
    ("/cms/v3/hubdb/tables/t/rows", 10000),
    ("/crm/v3/lists/1/memberships/join-order", 250),
    ("/automation/v4/flows", 100),
])
@pytest.mark.parametrize("limit", [0, -1, "max"])
def test_every_list_route_checks_limit_alike(portal_api, empty_portal, path, maximum, limit):
    contact(empty_portal, "ada@example.com")
    empty_portal.seed({"hubdb": [{"id": 1, "name": "t", "columns": [{"name": "a", "type": "TEXT"}], "rows": []}],
                 "lists": [{"id": 1, "name": "VIP", "members": []}]})
    for value in (limit, maximum + 1) if limit != "max" else (maximum + 1,):
        response = portal_api.get(path, params={"limit": value})
        assert response.status_code == 400
        assert response.json()["message"] == f"limit must be between 1 and {maximum}, but was {value}."
    assert portal_api.get(path, params={"limit": maximum}).status_code == 200


@pytest.mark.parametrize("method, path, body, status, message", [
    ("GET", "/crm/v3/objects/contacts/²", None, 404, "Object not found.  objectId are usually numeric."),
    ("POST", "/crm/v3/objects/contacts/merge", {"primaryObjectId": "²", "objectIdToMerge": "1"}, 404,
     "Object not found.  objectId are usually numeric."),
    ("GET", "/automation/v4/flows/²", None, 404, "Flow ² not found."),
    ("GET", "/crm/v3/lists/²", None, 404, "List ² does not exist."),
    ("GET", "/cms/v3/hubdb/tables/²", None, 404, "Table ² not found: no HubDB table has this id or name."),
    ("DELETE", "/crm/v4/associations/contacts/companies/labels/²", None, 400,
     "Invalid input JSON: associationTypeId must be an integer, not '²'"),
    ("GET", "/cms/v3/hubdb/tables?after=²", None, 400,
     "after must be the paging.next.after of an earlier page (a number of 0 or more), but was '²'."),
    ("GET", "/cms/v3/hubdb/tables/t/rows?after=🙂", None, 400,
     "after must be the paging.next.after of an earlier page (a number of 0 or more), but was '🙂'."),
])
def test_ids_of_digits_int_cannot_read_are_4xx(portal_api, empty_portal, method, path, body, status, message):
    # "²" is a digit to str.isdigit, not to int()
    contact(empty_portal, "ada@example.com")
    empty_portal.seed({"hubdb": [{"id": 1, "name": "t", "columns": [{"name": "a", "type": "TEXT"}], "rows": []}]})
    response = portal_api.request(method, path, json=body)
    assert (response.status_code, response.json()["message"]) == (status, message)


def test_ids_of_digits_int_cannot_read_in_bodies_are_missing_records(portal_api, empty_portal):
    ada = contact(empty_portal, "ada@example.com")
    empty_portal.seed({"hubdb": [{"id": 1, "name": "t", "columns": [{"name": "a", "type": "TEXT"}], "rows": []}],
                 "lists": [{"id": 1, "name": "VIP", "members": []}]})
    added = portal_api.put("/crm/v3/lists/1/memberships/add", json=["²", ada]).json()
    assert (added["recordsIdsAdded"], added["recordIdsMissing"]) == ([ada], ["²"])
    rows = portal_api.post("/cms/v3/hubdb/tables/t/rows/batch/read", json={"inputs": ["²"]})
    assert (rows.status_code, rows.json()["errors"][0]["context"]) == (207, {"ids": ["²"]})
    found = portal_api.post("/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [
        {"propertyName": "associations.company", "operator": "EQ", "value": "²"}]}]})
    assert (found.status_code, found.json()["total"]) == (200, 0)
    flow = {"type": "CONTACT_FLOW", "objectTypeId": "0-1", "flowType": "WORKFLOW", "isEnabled": False,
            "canEnrollFromSalesforce": False, "blockedDates": [], "customProperties": {}, "dataSources": [],
            "suppressionListIds": [], "timeWindows": [], "actions": [{"actionId": "²", "type": "DELAY"}]}
    created = portal_api.post("/automation/v4/flows", json=flow)
    assert (created.status_code, created.json()["nextAvailableActionId"]) == (201, "1")


def test_wrong_query_types_are_400s(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/contacts?limit=many")
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid input JSON: limit must be an integer, not 'many'"


def test_seeding_ids_in_descending_order_keeps_the_id_counter_ahead(portal_api, empty_portal):
    empty_portal.seed({"records": {"contacts": [{"id": "9000", "properties": {}}, {"id": "8000", "properties": {}}]}})
    created = [portal_api.post("/crm/v3/objects/contacts", json={"properties": {}}) for _ in range(2)]
    assert [r.status_code for r in created] == [201, 201]
    assert [r.json()["id"] for r in created] == ["9001", "9002"]


# ---- bodies the server cannot take, framing it cannot follow ---------------------------------

def exchange(server, request: bytes) -> tuple[http.client.HTTPResponse, dict]:
    """Send raw bytes; the response and its JSON body (the socket's own timeout: 10 s)."""
    sock = socket.create_connection((server.host, server.port), timeout=10)
    with sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = response.read()
    return response, json.loads(payload) if payload else {}


def post(path: str, headers: str, body: bytes = b"") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\n{headers}\r\n").encode() + body


def test_a_body_over_the_cap_is_a_413_and_nothing_is_written(portal_api, empty_portal):
    record = {"properties": {"firstname": "x" * 1000}}
    body = json.dumps({"inputs": [record] * (portal_server.MAX_BODY_BYTES // 1000 + 1)}).encode()
    response = portal_api.post("/crm/v3/objects/contacts/batch/create", data=body,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["message"] == (
        f"The request body is {len(body)} bytes; the local portal accepts at most {portal_server.MAX_BODY_BYTES} bytes per "
        "request: send fewer or smaller records per call.")
    assert empty_portal.backend.counts() == {}
    assert empty_portal.requests()[-1]["status"] == 413


def test_a_chunked_body_over_the_cap_is_a_413(empty_portal):
    piece = b"x" * 65_536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(portal_server.MAX_BODY_BYTES // len(piece) + 1))
    response, body = exchange(empty_portal.server, post("/crm/v3/objects/contacts", "Transfer-Encoding: chunked\r\n",
                                                  chunks + b"0\r\n\r\n"))
    assert response.status == 413
    assert body["message"].startswith(f"The request body is {portal_server.MAX_BODY_BYTES + len(piece)} bytes;")


def test_a_chunked_body_is_read(empty_portal):
    payload = json.dumps({"properties": {"email": "ada@example.com"}}).encode()
    chunked = b"5;ext=1\r\n" + payload[:5] + b"\r\n" + b"%X\r\n" % (len(payload) - 5) + payload[5:] + b"\r\n"
    response, body = exchange(empty_portal.server, post("/crm/v3/objects/contacts", "Transfer-Encoding: chunked\r\n",
                                                  chunked + b"0\r\nX-Trailer: 1\r\n\r\n"))
    assert response.status == 201
    assert body["properties"]["email"] == "ada@example.com"


@pytest.mark.parametrize("headers, body, message", [
    ("Content-Length: ten\r\n", b"{}", "Content-Length 'ten' is not a number of bytes."),
    ("Content-Length: -2\r\n", b"{}", "Content-Length '-2' is not a number of bytes."),
    ("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}", "Content-Length '2, 3' is not a number of bytes."),
    ("Transfer-Encoding: gzip\r\n", b"{}",
     "Transfer-Encoding 'gzip' is not supported (with Content-Length None): send either a Content-Length or "
     "Transfer-Encoding: chunked."),
    ("Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", b"2\r\n{}\r\n0\r\n\r\n",
     "Transfer-Encoding 'chunked' is not supported (with Content-Length '2'): send either a Content-Length or "
     "Transfer-Encoding: chunked."),
    ("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n",
     "The chunked request body is malformed: chunk size 'zz' is not hexadecimal."),
    ("Transfer-Encoding: chunked\r\n", b"1\r\n{}\r\n0\r\n\r\n",
     "The chunked request body is malformed: a chunk is longer than its size says."),
    ("Content-Length: 1000\r\n", b"{}", "The request body ended after 2 of the 1000 bytes announced by Content-Length."),
])
def test_bad_framing_is_a_400_and_the_connection_closes(portal_api, empty_portal, headers, body, message):
    sock = socket.create_connection((empty_portal.server.host, empty_portal.server.port), timeout=10)
    with sock:
        sock.sendall(post("/crm/v3/objects/contacts", headers, body))
        if "1000" in headers:
            sock.shutdown(socket.SHUT_WR)    # the client gives up sending
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 400
        assert response.getheader("Connection") == "close"
        assert json.loads(response.read())["message"] == message
    assert empty_portal.backend.counts() == {}
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 200


@pytest.mark.parametrize("framing, sent, message", [
    ("Content-Length: 1000\r\n", b'{"properties": ',
     "The request body ended after 15 of the 1000 bytes announced by Content-Length."),
    ("Transfer-Encoding: chunked\r\n", b"10\r\n{\"prop",
     "The request body ended after 6 of the 16 bytes announced by its chunk size."),
    ("Transfer-Encoding: chunked\r\n", b"10\r\n{\"properties\":1}\r\n",
     "The chunked request body is malformed: the body ended before its last chunk."),
])
def test_a_client_that_stops_sending_does_not_hold_a_server_thread(empty_portal, framing, sent, message):
    server = portal_server.PortalServer(empty_portal, read_timeout=0.5).start()
    try:
        sock = socket.create_connection((server.host, server.port), timeout=10)
        with sock:
            sock.sendall(post("/crm/v3/objects/contacts", framing, sent))   # and then nothing, connection open
            response = http.client.HTTPResponse(sock)
            response.begin()
            assert response.status == 400
            assert json.loads(response.read())["message"] == message
            assert sock.recv(1) == b""      # closed by the server
    finally:
        server.close()
    assert empty_portal.backend.counts() == {}


def test_a_request_line_that_never_ends_is_dropped_after_the_timeout(empty_portal):
    server = portal_server.PortalServer(empty_portal, read_timeout=0.5).start()
    try:
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(b"GET /crm/v3/obj")
            assert sock.recv(1) == b""
    finally:
        server.close()


def test_the_server_survives_a_broken_connection(portal_api, empty_portal):
    with socket.create_connection((empty_portal.server.host, empty_portal.server.port)) as raw:
        raw.sendall(b"POST /crm/v3/objects/contacts HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    with socket.create_connection((empty_portal.server.host, empty_portal.server.port)) as raw:
        raw.sendall(b"GET /crm/v3/objects/contacts HTTP/1.1\r\nContent-Length: 1\r\n\r\n")
        raw.shutdown(socket.SHUT_WR)
        answer = raw.recv(1000)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 200


def test_a_bug_in_the_portal_is_a_500_that_says_so(portal_api, empty_portal, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("oops")
    monkeypatch.setattr(empty_portal.backend, "list", broken)
    response = portal_api.get("/crm/v3/objects/contacts")
    assert response.status_code == 500
    assert response.json()["message"] == ("The local portal failed on this request (a bug in hs-actions, not in your "
                                          "action): KeyError: 'oops'")
    monkeypatch.undo()
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 200


@pytest.mark.parametrize("path, message", [
    ("/crm/v3/objects/contacts?archived=maybe", "archived must be true or false, not 'maybe'"),
    ("/crm/v3/objects/contacts?archived=1", "archived must be true or false, not '1'"),
    ("/crm/v3/properties/contacts?dataSensitivity=bogus",
     "dataSensitivity must be one of highly_sensitive, non_sensitive, sensitive, not 'bogus'"),
    ("/crm/v3/properties/contacts/email?dataSensitivity=bogus",
     "dataSensitivity must be one of highly_sensitive, non_sensitive, sensitive, not 'bogus'"),
])
def test_query_booleans_and_enums_are_checked_as_in_a_body(portal_api, path, message):
    response = portal_api.get(path)
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert portal_api.get(path.split("?")[0] + "?archived=False").status_code == 200


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b'{"properties": {"email": "x@example.com"}}'),
    ("application/x-www-form-urlencoded", b"properties=email"),
])
def test_a_body_that_is_not_json_is_a_415_and_creates_nothing(portal_api, empty_portal, content_type, body):
    response = portal_api.post("/crm/v3/objects/contacts", data=body, headers={"Content-Type": content_type})
    assert (response.status_code, response.json()["message"]) == (415, (
        f"Unsupported Media Type: the body is sent as {content_type}; this API reads JSON "
        "(Content-Type: application/json)"))
    assert empty_portal.backend.counts() == {}


def test_json_with_a_charset_or_without_a_content_type_is_read(portal_api, empty_portal):
    body = b'{"properties": {"email": "a@example.com"}}'
    sent = portal_api.post("/crm/v3/objects/contacts", data=body,
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert sent.status_code == 201
    bare = portal_api.post("/crm/v3/objects/contacts", data=body.replace(b"a@", b"b@"))
    assert bare.status_code == 201

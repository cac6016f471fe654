"""Fuzzing every route of the route table: no request a client can make gets a 5xx.

The cases come from `urls.TABLE`, so a route is fuzzed as soon as it is in the table; a route
with a path parameter this file cannot make, or whose handler takes a body without declaring
its shape (`@reads`), fails `test_every_route_can_be_fuzzed` until it is added here. Three
sweeps, each on a seeded portal, against a served portal over HTTP:
- every field of each declared body (and the body itself) replaced by each other JSON kind;
- every path parameter and query parameter given each edge value (the rest valid);
- hypothesis: paths, queries and bodies generated together (bodies from the declared shapes,
  mostly of the right kinds with values the portal knows, sometimes any JSON or bytes that
  are not JSON), deterministic (derandomize) and bounded by MAX_EXAMPLES per route:
  HS_ACTIONS_FUZZ_EXAMPLES=200 ./scripts/test tests/portal/test_fuzz.py sends more of them
  (scripts/spec_check fuzzes the routes from HubSpot's own specs besides).
"""
from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hs_actions.portal import urls
from hs_actions.portal.portal import ALL_SCOPES, Portal
from hs_actions.portal.responses import shapes

# Per route, in every test run; more when asked (above). Each example is a request, so this is
# most of the sweep's cost: 10 per route keeps it to a few seconds of CPU.
MAX_EXAMPLES = int(os.environ.get("HS_ACTIONS_FUZZ_EXAMPLES", "10"))
TOKEN = "pat-local-fuzz"
BODY_METHODS = ("POST", "PUT", "PATCH")

TYPES = ["contacts", "companies", "deals", "tickets", "0-1", "0-2", "contact", "COMPANY", "p_pets", "2-1", "pets", "x"]
IDS = ["1", "2", "300", "301", "361", "481", "600", "0", "-1", "1.5", "99999999999999999999", "ada@example.com"]
PROPERTY_NAMES = ["email", "firstname", "lastname", "hs_object_id", "createdate", "lastmodifieddate", "name",
                  "domain", "amount", "dealstage", "closedate", "hubspot_owner_id", "lifecyclestage", "pet_name",
                  "num_employees", "hs_pipeline_stage", "nope"]
# Values no parameter expects: empty, control characters, a lone surrogate, bad escapes, long.
ODD = ["", " ", "\x00", "\ud800", "%zz", "🙂", "²", "1e3", "a" * 2000]
WORDS = [*TYPES, *IDS, *PROPERTY_NAMES, *ODD, "EQ", "IN", "BETWEEN", "HAS_PROPERTY", "CONTAINS_TOKEN",
         "ASCENDING", "DESCENDING", "HUBSPOT_DEFINED", "USER_DEFINED", "contact_to_company", "279", "2024-01-01",
         "2024-01-01T00:00:00Z", "1704067200000", "true", "NaN", "*", "string", "number", "enumeration", "text",
         "select", "contactinformation", "territories", "VIP", "FLOW_ID", "CONTACT_FLOW", "PLATFORM_FLOW",
         "CUSTOM_CODE", "PYTHON39", "500", "1003"]
# Each path parameter's values, the first a valid one (contact 1 is associated with company 308 and
# in list 7; label 1003 is the one `served` makes).
PARAMETERS = {
    "object_type": TYPES, "to_object_type": ["companies", *TYPES], "object_id": IDS, "to_object_id": ["308", *IDS],
    "property_name": PROPERTY_NAMES,
    "association_type": ["contact_to_company", "company_to_contact", "1", "279", "3", "deal_to_contact"],
    "pipeline_id": ["default", "0", "renewals"], "stage_id": ["appointmentscheduled", "closedwon", "1"],
    "owner_id": ["101", "102", "106", "1"], "callback_id": ["ap-1-2-3-4"],
    "group_name": ["contactinformation", "shoes", "dealinformation", "nope"],
    "association_type_id": ["1003", "1004", "1001", "279", "1", "999", "x", "99999999999999999999"],
    "flow_id": ["500", "100000001", "1", "x", "99999999999999999999"],
    "table": ["territories", "5", "plans", "6", "nope", "99999999999999999999"],
    "row_id": ["1", "2", "9", "x", "99999999999999999999"],
    "list_id": ["7", "8", "99", "x", "99999999999999999999"],
    "list_name": ["VIP", "Big accounts", "nope"],
    "object_type_id": ["0-1", "0-2", "2-1", "contacts", "0-999", "x"],
    "record_id": IDS,
    "form_id": ["5f745bfa-8589-40c2-9940-f9081123e0b4", "00000000-0000-0000-0000-000000000000", "x", "%00"],
}
QUERY = {
    "limit": ["0", "1", "10", "100", "101", "500", "501", "-1", "1.5", "99999999999999999999"],
    "after": ["0", "1", "300", "-1", "x", "MQ==", "99999999999999999999"],
    "properties": ["email,firstname", "nope"], "propertiesWithHistory": ["email", "nope"],
    "associations": ["companies,contacts", "x"], "archived": ["true", "false", "True"],
    "idProperty": ["email", "firstname", "nope"], "email": ["olivia@example-portal.com", "x"],
    "sort": ["state", "-rank", "name", "nope"], "offset": ["0", "1", "-1", "x"], "listIds": ["7", "7,8,x"],
    "rank__gt": ["1", "x"], "state__in": ["CA,NY"], "createdAfter": ["2024-01-01T00:00:00Z", "x"],
}

# A valid value for each body field by name, so that a body of valid kinds reaches the backend's rules.
FIELD_EXAMPLES = {"propertyName": "email", "operator": "EQ", "value": "ada", "highValue": "b", "id": "1",
                  "idProperty": "email", "type": "contact_to_company", "associationTypeId": 279, "query": "ada",
                  "limit": 10, "after": "0", "primaryObjectId": "1", "objectIdToMerge": "2", "objectId": "2",
                  "name": "tier", "label": "Tier", "fieldType": "text", "groupName": "contactinformation",
                  "callbackId": "ap-1-2-3-4", "flowId": "500", "objectTypeId": "0-1", "revisionId": "1",
                  "actionId": "1", "recordIdsToAdd": "2", "recordIdsToRemove": "1", "inputs": "1"}
LEAF_EXAMPLES = {id(shapes.TEXT): "1", id(shapes.INTEGER): 1, id(shapes.BOOLEAN): False, id(shapes.SCALAR): "1",
                 id(shapes.ANY): "1", id(shapes.ANY_OR_NULL): "1"}
OTHER_KINDS = [["x"], {"x": "1"}, True, 7, 2.5, "x", None]


# What the valid parameter values name: contact 1 has company 308, deal 361 and pet 600, and is in
# list 7; table territories (5) has rows 1 and 2; flow 500 has a custom-code action.
CODE_ACTION = {"actionId": "1", "type": "CUSTOM_CODE", "runtime": "PYTHON39", "sourceCode": "def main(event): pass",
               "secretNames": [], "inputFields": [], "outputFields": [{"name": "x", "type": "STRING"}]}
SEED = {
    "forms": [{"id": "5f745bfa-8589-40c2-9940-f9081123e0b4", "name": "Contact us",
               "fields": [{"name": "email", "required": True}, {"name": "firstname"}]}],
    "schemas": [{"name": "pets", "objectTypeId": "2-1", "primaryDisplayProperty": "pet_name",
                 "associatedObjects": ["CONTACT"], "properties": [{"name": "pet_name", "type": "string",
                                                                   "fieldType": "text"}]}],
    "owners": [{"id": "101", "email": "olivia@example-portal.com", "userId": 1}, {"id": "102", "archived": True}],
    "records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com", "firstname": "Ada"}},
                             {"id": "2", "properties": {"email": "grace@example.com", "hubspot_owner_id": "101"}}],
                "companies": [{"id": "308", "properties": {"name": "Acme", "domain": "acme.example"}}],
                "deals": [{"id": "361", "properties": {"dealname": "Big", "amount": "10", "dealstage": "closedwon"}}],
                "tickets": [{"id": "481", "properties": {"subject": "Help", "hs_pipeline_stage": "1"}}],
                "p_pets": [{"id": "600", "properties": {"pet_name": "Rex"}}]},
    "associations": [{"from": "contacts/1", "to": "companies/308"}, {"from": "contacts/1", "to": "deals/361"},
                     {"from": "p_pets/600", "to": "contacts/1"}, {"from": "tickets/481", "to": "contacts/1"}],
    "hubdb": [{"id": 5, "name": "territories", "label": "Territories", "columns": [
                  {"name": "state", "type": "TEXT"}, {"name": "rank", "type": "NUMBER"},
                  {"name": "tier", "type": "SELECT", "options": ["gold", "silver"]}, {"name": "since", "type": "DATE"}],
               "rows": [{"id": 1, "path": "ca", "name": "California",
                         "values": {"state": "CA", "rank": 2, "tier": "gold", "since": "2024-01-01"}},
                        {"id": 2, "values": {"state": "NY", "rank": 1, "tier": "silver"}}],
               "draftRows": [{"id": 1, "values": {"state": "CA", "rank": 3}}]},
              {"id": 6, "name": "plans", "published": False, "columns": [{"name": "plan", "type": "TEXT"}],
               "rows": [{"values": {"plan": "gold"}}]}],
    "lists": [{"id": 7, "name": "VIP", "members": ["1"]},
              {"id": 8, "name": "Big accounts", "objectType": "0-2", "processingType": "DYNAMIC", "members": ["308"]}],
    "flows": [{"id": "500", "name": "Routing", "type": "CONTACT_FLOW", "objectTypeId": "0-1", "flowType": "WORKFLOW",
               "isEnabled": False, "actions": [CODE_ACTION]}],
}


class Connection:
    """One kept-alive HTTP/1.1 connection to the served portal, opened again where the portal
    closed it. A request written whole and an answer read by its Content-Length (the portal
    always sends one), rather than with requests or http.client: the sweeps send some 25,000
    requests, and either client's own work per call (requests' merging of settings and reading
    proxies from the environment, http.client's parsing of headers with the email package) cost
    more CPU than the portal's answer. The bytes sent are http.client's: the same headers, every
    target percent-encoded already."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.head = (f"Host: {parts.netloc}\r\nAccept-Encoding: identity\r\nAuthorization: Bearer {TOKEN}\r\n"
                     "Content-Type: application/json\r\n")
        self.sock: socket.socket | None = None
        self.unread = b""

    def send(self, method: str, target: str, body: bytes) -> Answer:
        request = f"{method} {target} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        try:
            return self._send(request)
        except (ConnectionError, EOFError):      # closed by the portal since the last answer
            self.close()
            return self._send(request)

    def _send(self, request: bytes) -> Answer:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=30)
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.unread:
            self._read()
        head, _, self.unread = self.unread.partition(b"\r\n\r\n")
        status, *fields = head.decode("iso-8859-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (f.partition(":") for f in fields)}
        length = int(headers["content-length"])
        while len(self.unread) < length:
            self._read()
        body, self.unread = self.unread[:length], self.unread[length:]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(int(status.split()[1]), body.decode("utf-8", "replace"))

    def _read(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise EOFError("the portal closed the connection")
        self.unread += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.unread = None, b""


@dataclass
class Answer:
    status_code: int
    text: str


@pytest.fixture(scope="module")
def portal_served():
    """The served portal, and a snapshot of it seeded (restored per test: seeding again cost more)."""
    portal = Portal(db=":memory:")
    portal.rate_limit("unlimited")
    server = portal.serve()
    portal.seed(SEED)
    label = portal.backend.create_association_label("contacts", "companies", {"label": "Manager", "name": "manager"})
    assert str(label[0].type_id) == PARAMETERS["association_type_id"][0]
    portal.add_token(TOKEN, ALL_SCOPES)
    seeded = portal.snapshot()
    connection = Connection(server.url)
    yield portal, seeded, connection
    connection.close()
    seeded.close()
    portal.close()


@pytest.fixture
def served(portal_served):
    """call(route, params, query, body) on the seeded portal, back to as seeded per test."""
    portal, seeded, connection = portal_served
    portal.restore(seeded)

    def call(route, params: dict, query: dict, body: bytes) -> tuple[str, Answer]:
        """The request as sent (method, path, query, body), and its answer."""
        path = route.template
        for name, value in params.items():
            path = path.replace("{" + name + "}", escape(value))
        target = path + ("?" + "&".join(f"{escape(k)}={escape(v)}" for k, v in query.items()) if query else "")
        return f"{route.method} {target} {body[:300]!r}", connection.send(route.method, target, body)

    return call


def escape(text: str) -> str:
    """Percent-encoded, lone surrogates included (as their UTF-8 bytes would be)."""
    return quote(text, safe="", errors="surrogatepass")


def declared(route) -> bool:
    return getattr(route.handler, "body", None) is not None


def route_id(route) -> str:
    return f"{route.method} {route.template}"


def test_every_route_can_be_fuzzed():
    params = {name for route in urls.TABLE for name in route.pattern.groupindex}
    assert params <= set(PARAMETERS), (
        f"add values for the path parameter(s) {sorted(params - set(PARAMETERS))} to PARAMETERS in {__file__}")
    undeclared = [route_id(r) for r in urls.TABLE if r.method in BODY_METHODS and not hasattr(r.handler, "body")]
    assert not undeclared, ("declare the body of these routes' handlers with @reads(shape) "
                            f"(hs_actions/portal/responses/shapes.py; @reads(None) for no body): {undeclared}")


# ---- every field of another JSON kind -------------------------------------------------------

def example(shape, name: str | None = None):
    """A body of `shape` with every field present and of the right kind."""
    if isinstance(shape, shapes.Required):
        return example(shape.shape, name)
    if isinstance(shape, shapes.Open):
        return example(shape.fields, name)
    if isinstance(shape, dict):
        return {key: example(field, key) for key, field in shape.items()}
    if isinstance(shape, list):
        return [example(shape[0], name)]
    if isinstance(shape, shapes.Enum):
        return shape.values[0]
    if isinstance(shape, shapes.MapOf):
        return {"firstname": example(shape.value)}
    if isinstance(shape, shapes.OneOf):
        return example(shape.shapes[-1], name)
    return FIELD_EXAMPLES.get(name, LEAF_EXAMPLES[id(shape)])


def with_each_field_of_another_kind(value, path: str = ""):
    """(path, body) for every field of `value`, and the body itself, replaced by each JSON kind."""
    for other in OTHER_KINDS:
        if type(other) is not type(value):
            yield path or "the body", other
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        child = f"{path}[{key}]" if isinstance(value, list) else f"{path}.{key}" if path else key
        for where, replaced in with_each_field_of_another_kind(item, child):
            copy = dict(value) if isinstance(value, dict) else list(value)
            copy[key] = replaced
            yield where, copy


def valid_params(route) -> dict:
    return {name: PARAMETERS[name][0] for name in route.pattern.groupindex}


def valid_body(route) -> bytes:
    return json.dumps(example(route.handler.body)).encode() if declared(route) else b""


@pytest.mark.parametrize("route", [r for r in urls.TABLE if declared(r)], ids=route_id)
def test_every_body_field_of_another_json_kind_is_not_a_5xx(served, route):
    failures = []
    for where, body in with_each_field_of_another_kind(example(route.handler.body)):
        sent, response = served(route, valid_params(route), {}, json.dumps(body).encode())
        if response.status_code >= 500:
            failures.append(f"{where}: {sent} -> {response.status_code} {response.text[:300]}")
    assert not failures, "\n".join(failures)


# ---- every parameter's edge values ----------------------------------------------------------

@pytest.mark.parametrize("route", urls.TABLE, ids=route_id)
def test_every_parameter_edge_value_is_not_a_5xx(served, route):
    params, body = valid_params(route), valid_body(route)
    cases = [({**params, name: value}, {}) for name in params for value in PARAMETERS[name][1:] + ODD]
    cases += [(params, {name: value}) for name, values in QUERY.items() for value in values + ODD]
    failures = []
    for case_params, query in cases:
        sent, response = served(route, case_params, query, body)
        if response.status_code >= 500:
            failures.append(f"{sent} -> {response.status_code} {response.text[:300]}")
    assert not failures, "\n".join(failures)


# ---- generated requests ---------------------------------------------------------------------

def known(values: list[str]) -> st.SearchStrategy:
    """Mostly the valid value, or another the portal knows, sometimes any text."""
    return st.one_of(st.just(values[0]), st.just(values[0]), st.sampled_from(values), st.sampled_from(WORDS),
                     st.text(max_size=12))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(WORDS) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=8)
LEAVES = {
    id(shapes.TEXT): st.one_of(st.sampled_from(WORDS), st.text(max_size=10), st.integers(-5, 700)),
    id(shapes.INTEGER): st.one_of(st.integers(-3, 600), st.sampled_from([2**31, 2**63, -2**63 - 1, 10**30])),
    id(shapes.BOOLEAN): st.booleans(),
    id(shapes.SCALAR): st.one_of(st.sampled_from(WORDS), st.text(max_size=10), st.integers(), st.floats(), st.booleans()),
    id(shapes.ANY): JSON,
    id(shapes.ANY_OR_NULL): st.one_of(JSON, st.none()),
}


def body_of(shape, name: str | None = None) -> st.SearchStrategy:
    """JSON values of `shape`: at every level mostly the declared kind, sometimes any JSON value."""
    if isinstance(shape, shapes.Required):
        return body_of(shape.shape, name)
    if isinstance(shape, shapes.Open):   # its keys, and others kept as sent
        right = st.builds(lambda typed, other: {**other, **typed} if isinstance(typed, dict) else typed,
                          body_of(shape.fields, name), st.dictionaries(st.text(max_size=6), JSON, max_size=2))
        return st.one_of(right, right, right, JSON)
    if isinstance(shape, dict):
        required = {k: body_of(v, k) for k, v in shape.items() if isinstance(v, shapes.Required)}
        optional = {k: body_of(v, k) for k, v in shape.items() if not isinstance(v, shapes.Required)}
        right = st.fixed_dictionaries(required, optional=optional)
    elif isinstance(shape, list):
        right = st.lists(body_of(shape[0], name), max_size=3)
    elif isinstance(shape, shapes.Enum):
        right = st.sampled_from(shape.values)
    elif isinstance(shape, shapes.MapOf):
        right = st.dictionaries(st.sampled_from(PROPERTY_NAMES) | st.text(max_size=6), body_of(shape.value), max_size=4)
    elif isinstance(shape, shapes.OneOf):
        right = st.one_of(*(body_of(s, name) for s in shape.shapes))
    else:
        right = st.one_of(st.just(FIELD_EXAMPLES[name]), LEAVES[id(shape)]) if name in FIELD_EXAMPLES \
            else LEAVES[id(shape)]
    return st.one_of(right, right, right, JSON)


def request_body(route) -> st.SearchStrategy:
    made = (body_of(route.handler.body) if declared(route) else JSON).map(lambda v: json.dumps(v).encode())
    return st.one_of(made, made, made, st.just(b""), st.binary(max_size=24))


# Made once, drawn from by every example: a strategy made again per draw was validated again each
# time, which cost more than the request it made.
KNOWN = {name: known(values) for name, values in PARAMETERS.items()}
QUERIES = st.fixed_dictionaries({}, optional={k: known(v) for k, v in QUERY.items()})
BODIES = {route_id(route): request_body(route) for route in urls.TABLE}


@pytest.mark.parametrize("route", urls.TABLE, ids=route_id)
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_generated_request_gets_a_5xx(served, route, data):
    params = {name: data.draw(KNOWN[name], label=name) for name in route.pattern.groupindex}
    query = data.draw(QUERIES, label="query")
    sent, response = served(route, params, query, data.draw(BODIES[route_id(route)], label="body"))
    assert response.status_code < 500, f"{sent} -> {response.text[:500]}"

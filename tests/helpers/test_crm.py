"""shared.helpers.properties and .associations against a loopback API, on the toolkit's
hubspot-api-client and on HubSpot's runtime (8.x) when it is prepared."""
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hs_actions.harness import runtime

ROOT = Path(__file__).resolve().parents[2]
RECORD = {"id": "51", "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z", "archived": False}
ROUTES = {
    ("GET", "/crm/v3/objects/contacts/51?properties=email&properties=phone"):
        (200, {**RECORD, "properties": {"email": "ada@example.com", "hs_object_id": "51"}}),
    ("GET", "/crm/v3/objects/contacts/52?properties=email"):
        (404, {"status": "error", "message": "Object not found.", "category": "OBJECT_NOT_FOUND",
               "correlationId": "00000000-0000-0000-0000-000000000000"}),
    ("PATCH", "/crm/v3/objects/contacts/51"):
        (200, {**RECORD, "properties": {"lifecyclestage": "lead", "hs_object_id": "51"}}),
    ("GET", "/crm/v4/objects/contacts/51/associations/companies?limit=500"):
        (200, {"results": [{"toObjectId": 7, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}]}],
               "paging": {"next": {"after": "MQ", "link": None}}}),
    ("GET", "/crm/v4/objects/contacts/51/associations/companies?after=MQ&limit=500"):
        (200, {"results": [{"toObjectId": 9, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}]}]}),
    ("PUT", "/crm/v4/objects/contacts/51/associations/default/companies/7"):
        (200, {"status": "COMPLETE", "startedAt": "2024-01-01T00:00:00Z", "completedAt": "2024-01-01T00:00:01Z",
               "results": [{"from": {"id": "51"}, "to": {"id": "7"},
                            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}]}),
}

SCENARIO = """
import datetime, json, sys
sys.path.insert(0, sys.argv[2])
from shared.helpers.client import hubspot_client
from shared.helpers.properties import get_properties, update_properties
from shared.helpers.associations import associate, associated_ids

def loopback(package, api_name, config):
    configuration = package.Configuration()
    configuration.host = sys.argv[1]
    configuration.access_token = config["access_token"]
    return getattr(package, api_name)(api_client=package.ApiClient(configuration=configuration))

client = hubspot_client("token", api_factory=loopback)
out = {"read": get_properties(client, "CONTACT", 51, ["email", "phone"])}
out["updated"] = update_properties(client, "CONTACT", 51, {
    "lifecyclestage": "lead", "is_vip": True, "score": 12, "note": None,
    "first_order": datetime.date(2024, 1, 31)})
out["companies"] = associated_ids(client, "CONTACT", "51", "companies")
associate(client, "CONTACT", 51, "COMPANY", 7)
try:
    get_properties(client, "contacts", 52, ["email"])
except Exception as error:
    out["missing"] = [type(error).__name__, error.status]
print(json.dumps(out))
"""


class _Handler(BaseHTTPRequestHandler):
    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.seen.append((self.command, self.path, body, self.headers.get("Authorization")))
        status, payload = ROUTES.get((self.command, self.path), (599, {"message": "unrouted"}))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PATCH = do_PUT = _serve

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _interpreters():
    prepared = runtime.current()
    return [
        pytest.param(sys.executable, id="toolkit"),
        pytest.param(
            str(prepared.python), id="hubspot-runtime",
            marks=pytest.mark.skipif(prepared.fallback, reason="HubSpot's runtime is not prepared (hs-actions setup)"),
        ),
    ]


@pytest.mark.parametrize("python", _interpreters())
def test_properties_and_associations_make_the_api_calls_hubspot_serves(api, python):
    url = "http://127.0.0.1:%d" % api.server_address[1]
    done = subprocess.run([python, "-c", SCENARIO, url, str(ROOT)], capture_output=True, text=True,
                          env={"token": "test-token-2", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "read": {"email": "ada@example.com", "phone": None},
        "updated": {"lifecyclestage": "lead", "hs_object_id": "51"},
        "companies": [7, 9],
        "missing": ["NotFoundException", 404],
    }
    assert [seen[:3] for seen in api.seen] == [
        ("GET", "/crm/v3/objects/contacts/51?properties=email&properties=phone", None),
        ("PATCH", "/crm/v3/objects/contacts/51", {"properties": {
            "lifecyclestage": "lead", "is_vip": "true", "score": "12", "note": "", "first_order": "1706659200000"}}),
        ("GET", "/crm/v4/objects/contacts/51/associations/companies?limit=500", None),
        ("GET", "/crm/v4/objects/contacts/51/associations/companies?after=MQ&limit=500", None),
        ("PUT", "/crm/v4/objects/contacts/51/associations/default/companies/7", None),
        ("GET", "/crm/v3/objects/contacts/52?properties=email", None),
    ]
    assert {seen[3] for seen in api.seen} == {"Bearer test-token-2"}


def test_object_types_map_from_event_names_to_api_names():
    from hs_actions.core import hubspot_runtime
    from shared.helpers.properties import OBJECT_TYPE_PATHS, api_object_type

    assert set(OBJECT_TYPE_PATHS) <= set(hubspot_runtime.STANDARD_OBJECT_TYPES)
    assert api_object_type("LINE_ITEM") == "line_items"
    assert api_object_type("2-123") == "2-123"
    assert api_object_type("p_cars") == "p_cars"
    with pytest.raises(ValueError) as error:
        api_object_type("COURSE")
    assert str(error.value) == (
        "'COURSE': no CRM API name known for this object type; pass the API name or type id "
        "instead (e.g. 'contacts' or '2-123')"
    )


def test_values_that_are_not_property_values_are_refused():
    from shared.helpers.properties import to_property_value

    assert to_property_value(1.5) == "1.5"
    with pytest.raises(ValueError) as error:
        to_property_value(["a"])
    assert str(error.value) == "['a'] cannot be a property value: give a string, number, boolean or date"

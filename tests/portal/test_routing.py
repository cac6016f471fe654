"""routing.install(): unchanged production code reaches the portal, tagged with the run.

The main case runs on HubSpot's runtime (Python 3.9, hubspot-api-client 8.2.1 where host= is
ignored, urllib3 1.26, requests 2.28); the others run in this interpreter (client 12,
urllib3 2.x).
"""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import TOKEN, contact
from hs_actions.core import project

RUNTIME_PYTHON = project.current().runtime_env / "bin" / "python"
ROUTING = project.current().root / "hs_actions" / "harness" / "inside" / "routing.py"

# Production-style action code: no host, no port, the token from the environment.
PRODUCTION = """
import os
import hubspot
import requests
from hubspot.crm.contacts import SimplePublicObjectInput

client = hubspot.HubSpot(access_token=os.getenv("TEST_SECRET"))
got = client.crm.contacts.basic_api.get_by_id(CONTACT_ID)
client.crm.contacts.basic_api.update(CONTACT_ID, SimplePublicObjectInput(properties={"firstname": "Routed"}))
raw = requests.get("https://api.hubapi.com/crm/v3/objects/contacts/" + CONTACT_ID,
                   headers={"Authorization": "Bearer " + os.getenv("TEST_SECRET")})
print(json.dumps({"email": got.properties["email"], "status": raw.status_code,
                  "firstname": raw.json()["properties"]["firstname"],
                  "hubspot": hubspot.__version__ if hasattr(hubspot, "__version__") else "",
                  "urllib3": __import__("urllib3").__version__}))
"""


def script(port: int, contact_id: str, import_first: bool) -> str:
    """Load routing.py by path (as the harness does), install, then run PRODUCTION."""
    early = "import urllib3, hubspot\n" if import_first else ""
    return early + textwrap.dedent(f"""
        import importlib.util, json
        spec = importlib.util.spec_from_file_location("_routing", {str(ROUTING)!r})
        routing = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(routing)
        routing.install({{"api.hubapi.com": "127.0.0.1:{port}"}}, "run-{int(import_first)}")
        CONTACT_ID = {contact_id!r}
    """) + PRODUCTION


def run(python: Path, code: str) -> dict:
    done = subprocess.run([str(python), "-I", "-c", code], env={"TEST_SECRET": TOKEN},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not RUNTIME_PYTHON.exists(), reason="HubSpot's runtime is not prepared (.hs-actions/runtime)")
@pytest.mark.parametrize("import_first", [False, True], ids=["urllib3-imported-after", "urllib3-imported-before"])
def test_production_code_on_hubspots_runtime_reaches_the_portal(empty_portal, import_first):
    contact_id = contact(empty_portal, "routed@example.com")
    seen = run(RUNTIME_PYTHON, script(empty_portal.server.port, contact_id, import_first))
    assert seen["email"] == "routed@example.com"
    assert (seen["status"], seen["firstname"]) == (200, "Routed")
    assert seen["urllib3"].startswith("1.26")
    calls = empty_portal.requests(run=f"run-{int(import_first)}")
    assert [(c["method"], c["path"], c["status"]) for c in calls] == [
        ("GET", f"/crm/v3/objects/contacts/{contact_id}", 200),
        ("PATCH", f"/crm/v3/objects/contacts/{contact_id}", 200),
        ("GET", f"/crm/v3/objects/contacts/{contact_id}", 200)]
    assert empty_portal.scopes_needed(f"run-{int(import_first)}") == ["crm.objects.contacts.read", "crm.objects.contacts.write"]


@pytest.mark.parametrize("import_first", [False, True], ids=["urllib3-imported-after", "urllib3-imported-before"])
def test_production_code_with_client_12_and_urllib3_2(empty_portal, import_first):
    contact_id = contact(empty_portal, "routed@example.com")
    seen = run(Path(sys.executable), script(empty_portal.server.port, contact_id, import_first))
    assert (seen["email"], seen["status"], seen["firstname"]) == ("routed@example.com", 200, "Routed")
    assert seen["urllib3"].startswith("2.")
    assert len(empty_portal.requests(run=f"run-{int(import_first)}")) == 3


def test_other_hosts_are_left_alone_and_uninstall_restores_urllib3(empty_portal):
    import urllib3

    from hs_actions.harness.inside import routing
    original = urllib3.PoolManager._new_pool
    routing.install({"api.hubapi.com": f"127.0.0.1:{empty_portal.server.port}"}, "in-process")
    try:
        manager = urllib3.PoolManager()
        routed = manager.connection_from_url("https://api.hubapi.com/crm/v3/objects/contacts")
        other = manager.connection_from_url("https://example.com/")
        assert (routed.scheme, routed.host, routed.port) == ("http", "127.0.0.1", empty_portal.server.port)
        assert (type(other).__name__, other.host) == ("HTTPSConnectionPool", "example.com")
        answer = manager.request("GET", "https://api.hubapi.com/crm/v3/objects/contacts",
                                 headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status == 200
        assert empty_portal.requests(run="in-process")[0]["path"] == "/crm/v3/objects/contacts"
    finally:
        routing.uninstall()
    assert urllib3.PoolManager._new_pool is original
    assert urllib3.PoolManager().connection_from_url("https://api.hubapi.com/").host == "api.hubapi.com"

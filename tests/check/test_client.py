"""check, rules client-attribute and client-api-key: a path on the HubSpot client that the
runtime's hubspot-api-client (8.2.1) lacks, and API keys, which HubSpot removed."""
import json
import subprocess
from pathlib import Path

import pytest

from hs_actions.check import check
from hs_actions.check.client import SURFACE
from hs_actions.core.hubspot_runtime import LIBRARIES
from hs_actions.harness import runtime
from tests.support import write_action

ROOT = Path(__file__).resolve().parents[2]


def findings(tmp_path, code):
    folder, helpers_dir = write_action(tmp_path, code)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule.startswith("client-")]


def test_a_path_8_2_1_lacks_is_an_error_naming_the_nearest(tmp_path):
    """Two real actions called client.crm.deals.associations_api, which 8.2.1 does not have."""
    assert findings(tmp_path, '''\
        import os
        from hubspot import HubSpot

        def main(event):
            client = HubSpot(access_token=os.environ["TOKEN"])
            client.crm.deals.basic_api.get_by_id("1")
            client.crm.deals.associations_api.get_page("1", "contacts")
            client.crm.contacts.basic_api.get_by_idd("1")
            client.crm.associations.v4.basic_api.create_default("deals", "1", "contacts", "2")
            return {"outputFields": {}}
        ''') == [
        "actions/demo/action.py:7: client-attribute: client.crm.deals.associations_api: hubspot-api-client 8.2.1, "
        "the version in HubSpot's runtime, has no 'associations_api' on client.crm.deals; the nearest it has is "
        "client.crm.objects.associations_api. Fix: use client.crm.objects.associations_api",
        "actions/demo/action.py:8: client-attribute: client.crm.contacts.basic_api.get_by_idd: hubspot-api-client "
        "8.2.1, the version in HubSpot's runtime, has no 'get_by_idd' on client.crm.contacts.basic_api; the nearest it "
        "has is client.crm.contacts.basic_api.get_by_id. Fix: use client.crm.contacts.basic_api.get_by_id"]


def test_clients_are_found_by_how_they_are_made(tmp_path):
    assert len(findings(tmp_path, '''\
        import hubspot

        class Sync:
            def __init__(self, token):
                self.api = hubspot.HubSpot(access_token=token)

            def run(self):
                return self.api.crm.dealz

        def main(event):
            other = hubspot.Client.create(access_token="x")
            other.cms.hubdb.rows_api.update_draft_table_row("t", "1", {})
            other.cms.hubdbb
            return {"outputFields": {}}
        ''')) == 2


def test_other_objects_and_results_are_left_alone(tmp_path):
    assert findings(tmp_path, '''\
        import os
        from hubspot import HubSpot

        def main(event):
            client = HubSpot(access_token=os.environ["TOKEN"])
            deal = client.crm.deals.basic_api.get_by_id("1")
            name = deal.properties.get("dealname")
            other = {"crm": 1}
            return {"outputFields": {"name": name, "x": other.keys().anything}}
        ''') == []


def test_api_key_is_an_error(tmp_path):
    assert findings(tmp_path, '''\
        import os
        import hubspot

        def main(event):
            client = hubspot.HubSpot(api_key=os.environ["KEY"])
            return {"outputFields": {}}
        ''') == [
        "actions/demo/action.py:5: client-api-key: the HubSpot client is given api_key=, but HubSpot removed API keys: "
        "every call would be a 401. Fix: pass access_token= a private app's token, read from a secret (os.environ[...])"]


def test_the_surface_is_the_runtime_clients_version_generated_from_the_package(tmp_path):
    data = json.loads(SURFACE.read_text())
    assert data["version"] == next(lib.version for lib in LIBRARIES if lib.distribution == "hubspot-api-client")
    python = ROOT / ".hs-actions" / "runtime" / "bin" / "python"
    if not python.exists():
        pytest.skip("no runtime Python here to regenerate the surface with")
    out = tmp_path / "surface.json"
    subprocess.run([str(python), str(ROOT / "scripts" / "client_surface.py"), str(out)], check=True,
                   capture_output=True)
    assert json.loads(out.read_text()) == data

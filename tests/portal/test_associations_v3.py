"""Associations v3, as hubspot-api-client 8.x (HubSpot's runtime) calls them."""
import json
import subprocess
import textwrap

import pytest

from tests.support import TOKEN, contact
from hs_actions.core import project

RUNTIME_PYTHON = project.current().runtime_env / "bin" / "python"


@pytest.fixture
def pair(empty_portal):
    company = empty_portal.backend.create("companies", {"name": "Acme"})
    return contact(empty_portal, "a@acme.example"), str(company.id)


def test_put_list_and_delete_by_v3_name(portal_api, pair):
    contact_id, company_id = pair
    base = f"/crm/v3/objects/contacts/{contact_id}/associations/companies"
    created = portal_api.put(f"{base}/{company_id}/contact_to_company")
    assert created.status_code == 200
    assert created.json()["associations"]["companies"]["results"] == [{"id": company_id, "type": "contact_to_company"}]
    portal_api.put(f"{base}/{company_id}/279")
    assert portal_api.get(base).json()["results"] == [{"id": company_id, "type": "contact_to_company"},
                                               {"id": company_id, "type": "contact_to_company_unlabeled"}]
    inverse = portal_api.get(f"/crm/v3/objects/companies/{company_id}/associations/contacts").json()["results"]
    assert {a["type"] for a in inverse} == {"company_to_contact", "company_to_contact_unlabeled"}
    assert portal_api.delete(f"{base}/{company_id}/contact_to_company").status_code == 204
    assert portal_api.get(base).json()["results"] == [{"id": company_id, "type": "contact_to_company_unlabeled"}]


def test_an_unknown_v3_type_is_a_400(portal_api, pair):
    contact_id, company_id = pair
    response = portal_api.put(f"/crm/v3/objects/contacts/{contact_id}/associations/companies/{company_id}/deal_to_company")
    assert response.status_code == 400
    assert response.json()["message"] == ("Association type deal_to_company (any category) is not valid between "
                                          "contacts and companies")


def test_types_lists_the_pairs_types(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/associations/deals/companies/types")
    assert response.json() == {"results": [{"id": "5", "name": "deal_to_company"},
                                           {"id": "341", "name": "deal_to_company_unlabeled"}]}


def test_batch_create_read_archive(portal_api, pair):
    contact_id, company_id = pair
    batch = "/crm/v3/associations/contacts/companies/batch"
    link = {"from": {"id": contact_id}, "to": {"id": company_id}, "type": "contact_to_company_unlabeled"}
    created = portal_api.post(f"{batch}/create", json={"inputs": [link]})
    assert created.status_code == 201
    assert created.json()["results"] == [link]
    read = portal_api.post(f"{batch}/read", json={"inputs": [{"id": contact_id}]})
    assert read.json()["results"] == [{"from": {"id": contact_id},
                                       "to": [{"id": company_id, "type": "contact_to_company_unlabeled"}]}]
    assert portal_api.post(f"{batch}/archive", json={"inputs": [link]}).status_code == 204
    assert portal_api.post(f"{batch}/read", json={"inputs": [{"id": contact_id}]}).status_code == 207


@pytest.mark.skipif(not RUNTIME_PYTHON.exists(), reason="HubSpot's runtime is not prepared (.hs-actions/runtime)")
def test_the_8x_client_on_hubspots_runtime(empty_portal, pair):
    contact_id, company_id = pair
    deal = str(empty_portal.backend.create("deals", {"dealname": "Pilot"}).id)
    code = textwrap.dedent(f"""
        import importlib.util, json, os
        spec = importlib.util.spec_from_file_location("_routing", {str(project.current().root / "hs_actions/harness/inside/routing.py")!r})
        routing = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(routing)
        routing.install({{"api.hubapi.com": "127.0.0.1:{empty_portal.server.port}"}}, "v3")
        from hubspot import HubSpot
        from hubspot.crm.associations import BatchInputPublicAssociation, BatchInputPublicObjectId
        client = HubSpot(access_token=os.getenv("TEST_SECRET"))
        client.crm.objects.associations_api.create("deals", {deal!r}, "companies", {company_id!r}, "deal_to_company")
        listed = client.crm.objects.associations_api.get_all("deals", {deal!r}, "companies")
        client.crm.associations.batch_api.create("contacts", "deals", batch_input_public_association=
            BatchInputPublicAssociation(inputs=[{{"from": {{"id": {contact_id!r}}}, "to": {{"id": {deal!r}}},
                                                  "type": "contact_to_deal"}}]))
        read = client.crm.associations.batch_api.read("deals", "contacts",
            batch_input_public_object_id=BatchInputPublicObjectId(inputs=[{{"id": {deal!r}}}]))
        print(json.dumps({{"listed": [(a.id, a.type) for a in listed.results],
                          "read": [(t.id, t.type) for t in read.results[0].to]}}))
    """)
    done = subprocess.run([str(RUNTIME_PYTHON), "-I", "-c", code], env={"TEST_SECRET": TOKEN},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {"listed": [[company_id, "deal_to_company"]], "read": [[contact_id, "deal_to_contact"]]}
    assert [r["status"] for r in empty_portal.requests(run="v3")] == [200, 200, 201, 200]

"""HubSpot's runtime client (hubspot-api-client 8.2.1 on Python 3.9) accepts every answer.

One subprocess on the runtime interpreter routes to the portal and makes a sweep of the calls
custom code makes; each must come back as the model the 8.x client builds (or None for
204s), not as an exception.
"""
import json
import subprocess

import pytest

from hs_actions.portal.testing import TOKEN, portal, portal_session  # noqa: F401 (fixtures)
from hs_actions.project import ROOT, RUNTIME_ENV

RUNTIME_PYTHON = RUNTIME_ENV / "bin" / "python"
SWEEP = '''
import importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("_routing", sys.argv[1])
routing = importlib.util.module_from_spec(spec); spec.loader.exec_module(routing)
routing.install({"api.hubapi.com": sys.argv[2]}, "sweep8")
from hubspot import HubSpot
from hubspot.crm.contacts import (SimplePublicObjectInput, SimplePublicObjectInputForCreate, PublicObjectSearchRequest,
    BatchReadInputSimplePublicObjectId, BatchInputSimplePublicObjectBatchInput, BatchInputSimplePublicObjectInputForCreate,
    BatchInputSimplePublicObjectId)
client = HubSpot(access_token=os.getenv("TEST_SECRET"))
c = client.crm.contacts
out = {}
def call(name, fn):
    try:
        result = fn()
        out[name] = type(result).__name__
    except Exception as e:
        out[name] = "ERROR %s: %s" % (type(e).__name__, str(e)[:300])
call("get", lambda: c.basic_api.get_by_id("1", properties=["email"], associations=["companies"], properties_with_history=["email"]))
call("page", lambda: c.basic_api.get_page(limit=2, associations=["companies"]))
call("create", lambda: c.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": "sweep@example.com"})))
call("update", lambda: c.basic_api.update("1", SimplePublicObjectInput(properties={"firstname": "S"})))
call("search", lambda: c.search_api.do_search(PublicObjectSearchRequest(filter_groups=[{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}], sorts=["-createdate"], properties=["email"], limit=5)))
call("batch_read", lambda: c.batch_api.read(BatchReadInputSimplePublicObjectId(inputs=[{"id": "1"}, {"id": "999999"}], properties=["email"], properties_with_history=[])))
call("batch_create", lambda: c.batch_api.create(BatchInputSimplePublicObjectInputForCreate(inputs=[{"properties": {"email": "sweep2@example.com"}}])))
call("batch_update", lambda: c.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[{"id": "1", "properties": {"lastname": "S"}}])))
call("batch_archive", lambda: c.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": "2"}])))
call("archive", lambda: c.basic_api.archive("3"))
call("objects_get", lambda: client.crm.objects.basic_api.get_by_id("deals", "361", properties=["amount"]))
call("companies_search", lambda: client.crm.companies.search_api.do_search(__import__("hubspot.crm.companies", fromlist=["x"]).PublicObjectSearchRequest(query="acme", limit=3)))
call("properties", lambda: client.crm.properties.core_api.get_all("deals"))
call("property", lambda: client.crm.properties.core_api.get_by_name("contacts", "lifecyclestage"))
call("owners", lambda: client.crm.owners.owners_api.get_page(limit=2))
call("owner", lambda: client.crm.owners.owners_api.get_by_id(101))
call("pipelines", lambda: client.crm.pipelines.pipelines_api.get_all("deals"))
call("stages", lambda: client.crm.pipelines.pipeline_stages_api.get_all("tickets", "0"))
call("v4_list", lambda: client.crm.associations.v4.basic_api.get_page("contacts", "1", "companies"))
call("v4_default", lambda: client.crm.associations.v4.basic_api.create_default("contacts", "4", "deals", "361"))
call("v3_list", lambda: client.crm.objects.associations_api.get_all("contacts", "1", "companies"))
call("v3_types", lambda: client.crm.associations.schema.types_api.get_all("contacts", "companies"))
call("callback", lambda: client.automation.actions.callbacks_api.complete("ap-1-2-3-4", __import__("hubspot.automation.actions", fromlist=["x"]).CallbackCompletionRequest(output_fields={"a": "b"})))
print(json.dumps(out))
'''
EXPECTED = {
    "get": "SimplePublicObjectWithAssociations",
    "page": "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    "create": "SimplePublicObject",
    "update": "SimplePublicObject",
    "search": "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
    "batch_read": "BatchResponseSimplePublicObjectWithErrors",
    "batch_create": "BatchResponseSimplePublicObject",
    "batch_update": "BatchResponseSimplePublicObject",
    "batch_archive": "NoneType",
    "archive": "NoneType",
    "objects_get": "SimplePublicObjectWithAssociations",
    "companies_search": "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
    "properties": "CollectionResponsePropertyNoPaging",
    "property": "ModelProperty",
    "owners": "CollectionResponsePublicOwnerForwardPaging",
    "owner": "PublicOwner",
    "pipelines": "CollectionResponsePipelineNoPaging",
    "stages": "CollectionResponsePipelineStageNoPaging",
    "v4_list": "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
    "v4_default": "BatchResponsePublicDefaultAssociation",
    "v3_list": "CollectionResponseAssociatedIdForwardPaging",
    "v3_types": "CollectionResponsePublicAssociationDefinitionNoPaging",
    "callback": "NoneType",
}


@pytest.mark.skipif(not RUNTIME_PYTHON.exists(), reason="HubSpot's runtime is not prepared (.hs-actions/runtime)")
def test_the_8x_client_accepts_every_answer(portal):
    portal.seed_default()
    done = subprocess.run([str(RUNTIME_PYTHON), "-I", "-c", SWEEP, str(ROOT / "hs_actions/portal/routing.py"),
                           f"127.0.0.1:{portal.server.port}"], env={"TEST_SECRET": TOKEN},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    assert {r["run"] for r in portal.requests()} == {"sweep8"}

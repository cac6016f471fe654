"""HubSpot's runtime client (hubspot-api-client 8.2.1 on Python 3.9) accepts every answer: its crm
(objects, properties, associations, owners, pipelines, lists), cms.hubdb and automation APIs.

One subprocess on the runtime interpreter routes to the portal and makes a sweep of the calls
custom code makes; each must come back as the model the 8.x client builds (or None for
204s), not as an exception.
"""
import json
import subprocess

import pytest

from tests.support import TOKEN
from hs_actions.core import project

RUNTIME_PYTHON = project.current().runtime_env / "bin" / "python"
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
import hubspot.crm.objects.tasks as tasks, hubspot.crm.products as products, hubspot.crm.line_items as line_items
TASK = tasks.SimplePublicObjectInputForCreate(properties={"hs_timestamp": "2025-05-01T10:00:00Z", "hs_task_subject": "Sweep"},
    associations=[{"to": {"id": "1"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}]}])
call("task_create", lambda: client.crm.objects.tasks.basic_api.create(TASK))
call("task_search", lambda: client.crm.objects.tasks.search_api.do_search(tasks.PublicObjectSearchRequest(filter_groups=[{"filters": [{"propertyName": "associations.contact", "operator": "EQ", "value": "1"}]}], properties=["hs_task_subject"], limit=5)))
call("notes_page", lambda: client.crm.objects.notes.basic_api.get_page(limit=2, associations=["contacts"]))
call("calls_get", lambda: client.crm.objects.calls.basic_api.get_by_id("863", properties=["hs_call_direction"], associations=["contacts"]))
call("meetings_batch_read", lambda: client.crm.objects.meetings.batch_api.read(__import__("hubspot.crm.objects.meetings", fromlist=["x"]).BatchReadInputSimplePublicObjectId(inputs=[{"id": "923"}, {"id": "1"}], properties=["hs_meeting_outcome"], properties_with_history=[])))
call("emails_update", lambda: client.crm.objects.emails.basic_api.update("963", __import__("hubspot.crm.objects.emails", fromlist=["x"]).SimplePublicObjectInput(properties={"hs_email_subject": "Re: sweep"})))
call("objects_leads", lambda: client.crm.objects.basic_api.get_page("leads", limit=2, associations=["contacts"]))
call("line_items_page", lambda: client.crm.line_items.basic_api.get_page(limit=2, properties=["amount", "quantity"]))
call("line_items_batch", lambda: client.crm.line_items.batch_api.read(line_items.BatchReadInputSimplePublicObjectId(inputs=[{"id": "533"}], properties=["amount"], properties_with_history=[])))
call("line_item_create", lambda: client.crm.line_items.basic_api.create(line_items.SimplePublicObjectInputForCreate(properties={"name": "Sweep", "price": "5", "quantity": "2"}, associations=[{"to": {"id": "361"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 20}]}])))
call("quote_get", lambda: client.crm.quotes.basic_api.get_by_id("643", properties=["hs_title"], associations=["line_items", "deals"]))
call("quotes_search", lambda: client.crm.quotes.search_api.do_search(__import__("hubspot.crm.quotes", fromlist=["x"]).PublicObjectSearchRequest(limit=3)))
call("product_create", lambda: client.crm.products.basic_api.create(products.SimplePublicObjectInputForCreate(properties={"name": "Sweep", "price": "5"}, associations=[])))
call("product_update", lambda: client.crm.products.basic_api.update("521", products.SimplePublicObjectInput(properties={"price": "55"})))
call("deal_line_items", lambda: client.crm.associations.v4.basic_api.get_page("deals", "361", "line_items"))
def refused(name, fn):
    try:
        fn()
        out[name] = "not refused"
    except Exception as e:
        out[name] = "%s %s %s" % (type(e).__name__, e.status, json.loads(e.body)["message"])
refused("task_missing_timestamp", lambda: client.crm.objects.tasks.basic_api.create(tasks.SimplePublicObjectInputForCreate(properties={"hs_task_subject": "x"}, associations=[])))
call("callback", lambda: client.automation.actions.callbacks_api.complete("ap-1-2-3-4", __import__("hubspot.automation.actions", fromlist=["x"]).CallbackCompletionRequest(output_fields={"a": "b"})))
from hubspot.automation.actions import BatchInputCallbackCompletionBatchRequest, CallbackCompletionBatchRequest
from hubspot.cms.hubdb import BatchInputString
from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest
from hubspot.crm.contacts import PublicGdprDeleteInput, PublicMergeInput
from hubspot.crm.properties import BatchReadInputPropertyName, PropertyCreate, PropertyGroupCreate, PropertyUpdate
call("callbacks", lambda: client.automation.actions.callbacks_api.complete_batch(BatchInputCallbackCompletionBatchRequest(inputs=[CallbackCompletionBatchRequest(callback_id="ap-1-2-3-5", output_fields={"a": "b"})])))
call("merge", lambda: c.public_object_api.merge(PublicMergeInput(primary_object_id="10", object_id_to_merge="11")))
call("objects_merge", lambda: client.crm.objects.public_object_api.merge("companies", PublicMergeInput(primary_object_id="301", object_id_to_merge="302")))
call("gdpr", lambda: c.gdpr_api.purge(PublicGdprDeleteInput(object_id="12")))
call("group_create", lambda: client.crm.properties.groups_api.create("contacts", PropertyGroupCreate(name="sweep", label="Sweep")))
call("groups", lambda: client.crm.properties.groups_api.get_all("contacts"))
call("property_create", lambda: client.crm.properties.core_api.create("contacts", PropertyCreate(name="sweep_size", label="Size", type="number", field_type="number", group_name="sweep")))
call("property_update", lambda: client.crm.properties.core_api.update("contacts", "sweep_size", PropertyUpdate(label="Shoe size")))
call("properties_read", lambda: client.crm.properties.batch_api.read("contacts", BatchReadInputPropertyName(inputs=[{"name": "email"}, {"name": "sweep_size"}], archived=False)))
call("property_archive", lambda: client.crm.properties.core_api.archive("contacts", "sweep_size"))
call("label_create", lambda: client.crm.associations.v4.schema.definitions_api.create("contacts", "companies", PublicAssociationDefinitionCreateRequest(label="Boss", name="boss")))
call("hubdb_tables", lambda: client.cms.hubdb.tables_api.get_all_tables())
call("hubdb_table", lambda: client.cms.hubdb.tables_api.get_table_details("territories"))
call("hubdb_rows", lambda: client.cms.hubdb.rows_api.get_table_rows("territories", sort=["-country"], limit=2))
call("hubdb_draft_rows", lambda: client.cms.hubdb.rows_api.read_draft_table_rows("1001"))
call("hubdb_row", lambda: client.cms.hubdb.rows_api.get_table_row("territories", "1"))
call("hubdb_batch", lambda: client.cms.hubdb.rows_batch_api.read_table_rows("territories", BatchInputString(inputs=["1", "2"])))
call("list", lambda: client.crm.lists.lists_api.get_by_id(1))
call("list_add", lambda: client.crm.lists.memberships_api.add(1, [13, 14]))
call("list_members", lambda: client.crm.lists.memberships_api.get_page(1, limit=3))
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
    "task_create": "SimplePublicObject",
    "task_search": "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
    "notes_page": "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    "calls_get": "SimplePublicObjectWithAssociations",
    "meetings_batch_read": "BatchResponseSimplePublicObjectWithErrors",
    "emails_update": "SimplePublicObject",
    "objects_leads": "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    "line_items_page": "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    "line_items_batch": "BatchResponseSimplePublicObject",
    "line_item_create": "SimplePublicObject",
    "quote_get": "SimplePublicObjectWithAssociations",
    "quotes_search": "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
    "product_create": "SimplePublicObject",
    "product_update": "SimplePublicObject",
    "deal_line_items": "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
    "task_missing_timestamp": "ApiException 400 Error creating TASK. Some required properties were not set.",
    "callback": "NoneType",
    "callbacks": "NoneType",
    "merge": "SimplePublicObject",
    "objects_merge": "SimplePublicObject",
    "gdpr": "NoneType",
    "group_create": "PropertyGroup",
    "groups": "CollectionResponsePropertyGroupNoPaging",
    "property_create": "ModelProperty",
    "property_update": "ModelProperty",
    "properties_read": "BatchResponseProperty",
    "property_archive": "NoneType",
    "label_create": "CollectionResponseAssociationSpecWithLabelNoPaging",
    "hubdb_tables": "CollectionResponseWithTotalHubDbTableV3ForwardPaging",
    "hubdb_table": "HubDbTableV3",
    "hubdb_rows": "CollectionResponseWithTotalHubDbTableRowV3ForwardPaging",
    "hubdb_draft_rows": "CollectionResponseWithTotalHubDbTableRowV3ForwardPaging",
    "hubdb_row": "HubDbTableRowV3",
    "hubdb_batch": "BatchResponseHubDbTableRowV3",
    "list": "ListFetchResponse",
    "list_add": "MembershipsUpdateResponse",
    "list_members": "CollectionResponseLong",
}


@pytest.mark.skipif(not RUNTIME_PYTHON.exists(), reason="HubSpot's runtime is not prepared (.hs-actions/runtime)")
def test_the_8x_client_accepts_every_answer(empty_portal):
    empty_portal.seed_default()
    done = subprocess.run([str(RUNTIME_PYTHON), "-I", "-c", SWEEP, str(project.current().root / "hs_actions/harness/inside/routing.py"),
                           f"127.0.0.1:{empty_portal.server.port}"], env={"TEST_SECRET": TOKEN},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    assert {r["run"] for r in empty_portal.requests()} == {"sweep8"}

"""Every route's response, and every error body, deserialises through the official client's models.

The generated models check required fields and enumerations when built, so a missing key or
a wrong value raises here. The sweep at the end fails when a route is added to urls.py
without a case in CASES.
"""
import importlib
import json
from types import SimpleNamespace

import pytest

from hs_actions.portal import urls
from hs_actions.portal.models import load
from tests.support import contact

C = "/crm/v3/objects/contacts"
FORM = "5f745bfa-8589-40c2-9940-f9081123e0b4"
# hubspot-api-client has no models for Automation v4 flows: their responses are checked against
# the keys HubSpot's v4 schemas require (names of fields, as published), with their JSON types.
AUTOMATION = "automation.flows"
LEGACY = "legacy"   # APIs the client has no package for, checked as AUTOMATION is
FLOW_KEYS = {"actions": list, "blockedDates": list, "canEnrollFromSalesforce": bool, "createdAt": str,
             "crmObjectCreationStatus": str, "customProperties": dict, "dataSources": list, "flowType": str, "id": str,
             "isEnabled": bool, "nextAvailableActionId": str, "objectTypeId": str, "revisionId": str,
             "suppressionListIds": list, "timeWindows": list, "type": str, "updatedAt": str}
REQUIRED = {
    "ApiContactFlow": FLOW_KEYS,
    "ApiFlowListing": {k: FLOW_KEYS[k] for k in ("createdAt", "flowType", "id", "isEnabled", "objectTypeId",
                                                  "revisionId", "updatedAt")},
    "CollectionResponseApiFlowListingForwardPaging": {"results": ["ApiFlowListing"]},
    # The legacy forms v2 (no client models): the keys of its reference's example form.
    "FormV2": {"portalId": int, "guid": str, "name": str, "submitText": str, "formFieldGroups": list,
               "createdAt": int, "updatedAt": int, "formType": str},
    "FormsV2": ["FormV2"],
    "BatchResponseApiFlowWithErrors": {"completedAt": str, "results": ["ApiContactFlow"], "startedAt": str,
                                       "status": str, "numErrors": int, "errors": list},
}
CODE_ACTION = {"actionId": "1", "type": "CUSTOM_CODE", "runtime": "PYTHON39", "sourceCode": "def main(event): pass",
               "secretNames": [], "inputFields": [], "outputFields": [{"name": "x", "type": "STRING"}]}
FLOW = {"type": "CONTACT_FLOW", "objectTypeId": "0-1", "flowType": "WORKFLOW", "isEnabled": False, "name": "f",
        "actions": [CODE_ACTION], "blockedDates": [], "canEnrollFromSalesforce": False, "customProperties": {},
        "dataSources": [], "crmObjectCreationStatus": "COMPLETE", "suppressionListIds": [], "timeWindows": []}
V4 = "/crm/v4/associations/contacts/companies/batch"
SPEC = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]
P = "/crm/v3/properties/contacts"
SHOE = {"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number", "groupName": "contactinformation"}
LABELS = "/crm/v4/associations/contacts/companies/labels"
T = "/cms/v3/hubdb/tables/territories"
L = "/crm/v3/lists/7"
TERRITORIES = {"id": 5, "name": "territories", "label": "Territories", "columns": [
    {"name": "state", "type": "TEXT"}, {"name": "rank", "type": "NUMBER"},
    {"name": "tier", "type": "SELECT", "options": ["gold", "silver"]}, {"name": "since", "type": "DATE"}],
    "rows": [{"id": 1, "path": "ca", "name": "California", "values": {"state": "CA", "rank": 2, "tier": "gold",
                                                                       "since": "2024-01-01"}},
             {"id": 2, "values": {"state": "NY", "rank": 1, "tier": "silver"}}]}

# (method, route template) -> (path, json body, expected status, client package, model)
CASES = {
    ("GET", urls.OBJECT): ("/crm/v3/objects/contacts?limit=1&associations=companies", None, 200, "crm.objects",
                           "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging"),
    ("POST", urls.OBJECT): (C, {"properties": {"email": "new@example.com"}}, 201, "crm.objects", "SimplePublicObject"),
    ("POST", urls.OBJECT + "/search"): (C + "/search", {"limit": 1}, 200, "crm.objects",
                                        "CollectionResponseWithTotalSimplePublicObjectForwardPaging"),
    ("POST", urls.OBJECT + "/batch/read"): (C + "/batch/read", {"inputs": [{"id": "{contact}"}, {"id": "0"}],
                                            "properties": [], "propertiesWithHistory": ["email"]}, 207,
                                            "crm.objects", "BatchResponseSimplePublicObjectWithErrors"),
    ("POST", urls.OBJECT + "/batch/create"): (C + "/batch/create", {"inputs": [{"properties": {"email": "b@x.com"}}]},
                                              201, "crm.objects", "BatchResponseSimplePublicObject"),
    ("POST", urls.OBJECT + "/batch/update"): (C + "/batch/update", {"inputs": [{"id": "{contact}", "properties": {}},
                                                                               {"id": "0", "properties": {}}]},
                                              207, "crm.objects", "BatchResponseSimplePublicObjectWithErrors"),
    ("POST", urls.OBJECT + "/batch/archive"): (C + "/batch/archive", {"inputs": [{"id": "0"}]}, 204, None, None),
    ("POST", urls.OBJECT + "/batch/upsert"): (C + "/batch/upsert", {"inputs": [
        {"idProperty": "email", "id": "taken@example.com", "properties": {"firstname": "T"}},
        {"idProperty": "email", "id": "fresh@example.com", "properties": {}}]}, 200, "crm.objects",
        "BatchResponseSimplePublicUpsertObject"),
    ("GET", "/crm/v3/pipelines/{object_type}"): ("/crm/v3/pipelines/deals", None, 200, "crm.pipelines",
                                                 "CollectionResponsePipelineNoPaging"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): ("/crm/v3/pipelines/tickets/0", None, 200,
                                                               "crm.pipelines", "Pipeline"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages"): ("/crm/v3/pipelines/deals/default/stages", None,
                                                                      200, "crm.pipelines",
                                                                      "CollectionResponsePipelineStageNoPaging"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): (
        "/crm/v3/pipelines/deals/default/stages/closedwon", None, 200, "crm.pipelines", "PipelineStage"),
    ("POST", "/crm/v3/pipelines/{object_type}"): ("/crm/v3/pipelines/deals", {"label": "New", "stages": [
        {"label": "Open", "metadata": {"probability": "0.5"}}]}, 201, "crm.pipelines", "Pipeline"),
    ("PATCH", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): ("/crm/v3/pipelines/deals/default", {"label": "Sales"},
                                                                 200, "crm.pipelines", "Pipeline"),
    ("PUT", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): ("/crm/v3/pipelines/tickets/0", {"label": "Support", "stages": [
        {"label": "New", "metadata": {"ticketState": "OPEN"}}]}, 200, "crm.pipelines", "Pipeline"),
    ("DELETE", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): ("/crm/v3/pipelines/tickets/0", None, 204, None, None),
    ("POST", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages"): (
        "/crm/v3/pipelines/deals/default/stages", {"label": "Lost again", "metadata": {"probability": "0.0"}}, 201,
        "crm.pipelines", "PipelineStage"),
    ("PATCH", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): (
        "/crm/v3/pipelines/deals/default/stages/closedwon", {"label": "Won!"}, 200, "crm.pipelines", "PipelineStage"),
    ("PUT", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): (
        "/crm/v3/pipelines/deals/default/stages/closedwon", {"label": "Won", "metadata": {"probability": "1.0"}}, 200,
        "crm.pipelines", "PipelineStage"),
    ("DELETE", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): (
        "/crm/v3/pipelines/deals/default/stages/closedlost", None, 204, None, None),
    ("GET", urls.ONE): (C + "/{contact}?propertiesWithHistory=email&associations=companies", None, 200,
                        "crm.objects", "SimplePublicObjectWithAssociations"),
    ("PATCH", urls.ONE): (C + "/{contact}", {"properties": {"firstname": "P"}}, 200, "crm.objects", "SimplePublicObject"),
    ("DELETE", urls.ONE): (C + "/{spare}", None, 204, None, None),
    ("GET", "/crm/v3/properties/{object_type}"): ("/crm/v3/properties/deals", None, 200, "crm.properties",
                                                   "CollectionResponsePropertyNoPaging"),
    ("GET", "/crm/v3/properties/{object_type}/{property_name}"): ("/crm/v3/properties/contacts/lifecyclestage", None,
                                                                   200, "crm.properties", "ModelProperty"),
    ("GET", urls.V4_ONE): ("/crm/v4/objects/contacts/{contact}/associations/companies", None, 200,
                           "crm.associations.v4", "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging"),
    ("PUT", "/crm/v4/objects/{object_type}/{object_id}/associations/default/{to_object_type}/{to_object_id}"): (
        "/crm/v4/objects/contacts/{spare}/associations/default/companies/{company}", None, 200,
        "crm.associations.v4", "BatchResponsePublicDefaultAssociation"),
    ("PUT", urls.V4_ONE + "/{to_object_id}"): ("/crm/v4/objects/contacts/{spare}/associations/companies/{company}",
                                               [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
                                               201, "crm.associations.v4", "LabelsBetweenObjectPair"),
    ("DELETE", urls.V4_ONE + "/{to_object_id}"): ("/crm/v4/objects/contacts/{spare}/associations/companies/{company}",
                                                  None, 204, None, None),
    ("GET", "/crm/v4/associations/{object_type}/{to_object_type}/labels"): (
        "/crm/v4/associations/contacts/companies/labels", None, 200, "crm.associations.v4.schema",
        "CollectionResponseAssociationSpecWithLabelNoPaging"),
    ("POST", urls.V4_BATCH + "/read"): (V4 + "/read", {"inputs": [{"id": "{contact}"}, {"id": "{spare}"}]}, 207,
                                        "crm.associations.v4", "BatchResponsePublicAssociationMultiWithLabelWithErrors"),
    ("POST", urls.V4_BATCH + "/create"): (V4 + "/create", {"inputs": [{"from": {"id": "{spare}"}, "to": {"id": "{company}"},
                                                                       "types": SPEC}]}, 201,
                                          "crm.associations.v4", "BatchResponseLabelsBetweenObjectPair"),
    ("POST", urls.V4_BATCH + "/associate/default"): (V4 + "/associate/default",
                                                     {"inputs": [{"from": {"id": "{spare}"}, "to": {"id": "{company}"}}]},
                                                     200, "crm.associations.v4", "BatchResponsePublicDefaultAssociation"),
    ("POST", urls.V4_BATCH + "/archive"): (V4 + "/archive", {"inputs": [{"from": {"id": "{spare}"},
                                                                         "to": [{"id": "{company}"}]}]}, 204, None, None),
    ("POST", urls.V4_BATCH + "/labels/archive"): (V4 + "/labels/archive", {"inputs": [
        {"from": {"id": "{spare}"}, "to": {"id": "{company}"}, "types": SPEC}]}, 204, None, None),
    ("GET", urls.V3_ONE): (C + "/{contact}/associations/companies", None, 200, "crm.objects", "CollectionResponseAssociatedId"),
    ("PUT", urls.V3_ONE + "/{to_object_id}/{association_type}"): (
        C + "/{spare}/associations/companies/{company}/contact_to_company", None, 200, "crm.objects",
        "SimplePublicObjectWithAssociations"),
    ("DELETE", urls.V3_ONE + "/{to_object_id}/{association_type}"): (
        C + "/{spare}/associations/companies/{company}/279", None, 204, None, None),
    ("GET", urls.V3_PAIR + "/types"): ("/crm/v3/associations/contacts/companies/types", None, 200,
                                       "crm.associations.schema", "CollectionResponsePublicAssociationDefinitionNoPaging"),
    ("POST", urls.V3_PAIR + "/batch/read"): ("/crm/v3/associations/contacts/companies/batch/read",
                                             {"inputs": [{"id": "{contact}"}, {"id": "{spare}"}]}, 207,
                                             "crm.associations", "BatchResponsePublicAssociationMultiWithErrors"),
    ("POST", urls.V3_PAIR + "/batch/create"): ("/crm/v3/associations/contacts/companies/batch/create", {"inputs": [
        {"from": {"id": "{spare}"}, "to": {"id": "{company}"}, "type": "contact_to_company_unlabeled"}]}, 201,
        "crm.associations", "BatchResponsePublicAssociation"),
    ("POST", urls.V3_PAIR + "/batch/archive"): ("/crm/v3/associations/contacts/companies/batch/archive", {"inputs": [
        {"from": {"id": "{spare}"}, "to": {"id": "{company}"}, "type": "contact_to_company_unlabeled"}]}, 204, None, None),
    ("GET", "/crm/v3/owners/"): ("/crm/v3/owners/?limit=1", None, 200, "crm.owners", "CollectionResponsePublicOwnerForwardPaging"),
    ("GET", "/crm/v3/owners"): ("/crm/v3/owners", None, 200, "crm.owners", "CollectionResponsePublicOwnerForwardPaging"),
    ("GET", "/crm/v3/owners/{owner_id}"): ("/crm/v3/owners/101", None, 200, "crm.owners", "PublicOwner"),
    ("POST", "/automation/v4/actions/callbacks/{callback_id}/complete"): (
        "/automation/v4/actions/callbacks/ap-1-2-3-4/complete", {"outputFields": {"a": "1"}}, 204, None, None),
    ("GET", "/crm/v3/schemas"): ("/crm/v3/schemas", None, 200, "crm.schemas", "CollectionResponseObjectSchemaNoPaging"),
    ("GET", "/crm/v3/schemas/{object_type}"): ("/crm/v3/schemas/p_pets", None, 200, "crm.schemas", "ObjectSchema"),
    ("GET", "/automation/v4/flows"): ("/automation/v4/flows?limit=1", None, 200, AUTOMATION,
                                      "CollectionResponseApiFlowListingForwardPaging"),
    ("POST", "/automation/v4/flows"): ("/automation/v4/flows", {**FLOW, "name": "new"}, 201, AUTOMATION, "ApiContactFlow"),
    ("POST", "/automation/v4/flows/batch/read"): ("/automation/v4/flows/batch/read", {"inputs": [
        {"flowId": "{flow}", "type": "FLOW_ID"}, {"flowId": "1", "type": "FLOW_ID"}]}, 207, AUTOMATION,
        "BatchResponseApiFlowWithErrors"),
    ("GET", "/automation/v4/flows/{flow_id}"): ("/automation/v4/flows/{flow}", None, 200, AUTOMATION, "ApiContactFlow"),
    ("PUT", "/automation/v4/flows/{flow_id}"): ("/automation/v4/flows/{flow}", {**FLOW, "revisionId": "1"}, 200,
                                                AUTOMATION, "ApiContactFlow"),
    ("DELETE", "/automation/v4/flows/{flow_id}"): ("/automation/v4/flows/{flow}", None, 204, None, None),
    ("POST", "/automation/v4/actions/callbacks/complete"): (
        "/automation/v4/actions/callbacks/complete", {"inputs": [{"callbackId": "ap-1-2-3-4", "outputFields": {"a": "1"}}]},
        204, None, None),
    ("POST", urls.OBJECT + "/merge"): (C + "/merge", {"primaryObjectId": "{contact}", "objectIdToMerge": "{spare}"}, 200,
                                       "crm.objects", "SimplePublicObject"),
    ("POST", urls.OBJECT + "/gdpr-delete"): (C + "/gdpr-delete", {"objectId": "{spare}"}, 204, None, None),
    ("GET", urls.GROUPS): (P + "/groups", None, 200, "crm.properties", "CollectionResponsePropertyGroupNoPaging"),
    ("POST", urls.GROUPS): (P + "/groups", {"name": "shoes", "label": "Shoes"}, 201, "crm.properties", "PropertyGroup"),
    ("GET", urls.GROUPS + "/{group_name}"): (P + "/groups/contactinformation", None, 200, "crm.properties", "PropertyGroup"),
    ("PATCH", urls.GROUPS + "/{group_name}"): (P + "/groups/spare_group", {"label": "Kept"}, 200, "crm.properties",
                                               "PropertyGroup"),
    ("DELETE", urls.GROUPS + "/{group_name}"): (P + "/groups/spare_group", None, 204, None, None),
    ("POST", urls.PROPERTIES): (P, SHOE, 201, "crm.properties", "ModelProperty"),
    ("POST", urls.PROPERTIES + "/batch/read"): (P + "/batch/read", {"inputs": [{"name": "email"}, {"name": "nope"}],
                                                                    "archived": False}, 207, "crm.properties",
                                                "BatchResponsePropertyWithErrors"),
    ("POST", urls.PROPERTIES + "/batch/create"): (P + "/batch/create", {"inputs": [SHOE]}, 201, "crm.properties",
                                                  "BatchResponseProperty"),
    ("POST", urls.PROPERTIES + "/batch/archive"): (P + "/batch/archive", {"inputs": [{"name": "spare_prop"}]}, 204,
                                                   None, None),
    ("PATCH", urls.PROPERTIES + "/{property_name}"): (P + "/spare_prop", {"label": "Renamed"}, 200, "crm.properties",
                                                      "ModelProperty"),
    ("DELETE", urls.PROPERTIES + "/{property_name}"): (P + "/spare_prop", None, 204, None, None),
    ("POST", urls.V4_LABELS): (LABELS, {"label": "Manager", "name": "manager", "inverseLabel": "Managed"}, 200,
                               "crm.associations.v4.schema", "CollectionResponseAssociationSpecWithLabelNoPaging"),
    ("PUT", urls.V4_LABELS): (LABELS, {"associationTypeId": "{label}", "label": "Boss"}, 204, None, None),
    ("DELETE", urls.V4_LABELS + "/{association_type_id}"): (LABELS + "/{label}", None, 204, None, None),
    ("GET", urls.HUBDB_TABLES): (urls.HUBDB_TABLES + "?sort=-name", None, 200, "cms.hubdb",
                           "CollectionResponseWithTotalHubDbTableV3ForwardPaging"),
    ("GET", urls.HUBDB_TABLES + "/draft"): (urls.HUBDB_TABLES + "/draft", None, 200, "cms.hubdb",
                                      "CollectionResponseWithTotalHubDbTableV3ForwardPaging"),
    ("GET", urls.HUBDB_TABLE): (T, None, 200, "cms.hubdb", "HubDbTableV3"),
    ("GET", urls.HUBDB_TABLE + "/draft"): ("/cms/v3/hubdb/tables/5/draft", None, 200, "cms.hubdb", "HubDbTableV3"),
    ("GET", urls.HUBDB_TABLE + "/rows"): (T + "/rows?rank__gt=0&sort=-rank&limit=1", None, 200, "cms.hubdb",
                                    "UnifiedCollectionResponseWithTotalBaseHubDbTableRowV3"),
    ("GET", urls.HUBDB_TABLE + "/rows/draft"): (T + "/rows/draft?tier__in=gold&offset=0", None, 200, "cms.hubdb",
                                          "RandomAccessCollectionResponseWithTotalHubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/rows/batch/read"): (T + "/rows/batch/read", {"inputs": ["1", "99"]}, 207, "cms.hubdb",
                                                "BatchResponseHubDbTableRowV3WithErrors"),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/read"): (T + "/rows/draft/batch/read", {"inputs": ["1"]}, 200,
                                                      "cms.hubdb", "BatchResponseHubDbTableRowV3"),
    ("GET", urls.HUBDB_TABLE + "/rows/{row_id}"): (T + "/rows/1", None, 200, "cms.hubdb", "HubDbTableRowV3"),
    ("GET", urls.HUBDB_TABLE + "/rows/{row_id}/draft"): (T + "/rows/2/draft", None, 200, "cms.hubdb", "HubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/rows"): (T + "/rows", {"values": {"state": "TX", "tier": "gold"}}, 201, "cms.hubdb",
                                     "HubDbTableRowV3"),
    ("PATCH", urls.HUBDB_TABLE + "/rows/{row_id}/draft"): (T + "/rows/1/draft", {"values": {"rank": 3}}, 200, "cms.hubdb",
                                                     "HubDbTableRowV3"),
    ("PUT", urls.HUBDB_TABLE + "/rows/{row_id}/draft"): (T + "/rows/1/draft", {"values": {"state": "CA"}}, 200, "cms.hubdb",
                                                   "HubDbTableRowV3"),
    ("DELETE", urls.HUBDB_TABLE + "/rows/{row_id}/draft"): (T + "/rows/2/draft", None, 204, None, None),
    ("POST", urls.HUBDB_TABLE + "/rows/{row_id}/draft/clone"): (T + "/rows/2/draft/clone", None, 200, "cms.hubdb",
                                                          "HubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/create"): (T + "/rows/draft/batch/create", {"inputs": [
        {"values": {"state": "WA"}}]}, 201, "cms.hubdb", "BatchResponseHubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/update"): (T + "/rows/draft/batch/update", {"inputs": [
        {"id": "1", "values": {"rank": 5}}, {"id": "99", "values": {}}]}, 207, "cms.hubdb",
        "BatchResponseHubDbTableRowV3WithErrors"),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/replace"): (T + "/rows/draft/batch/replace", {"inputs": [
        {"id": "2", "values": {"state": "NJ"}}]}, 200, "cms.hubdb", "BatchResponseHubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/purge"): (T + "/rows/draft/batch/purge", {"inputs": ["1"]}, 204,
                                                       None, None),
    ("POST", urls.HUBDB_TABLE + "/rows/draft/batch/clone"): (T + "/rows/draft/batch/clone", {"inputs": ["1"]}, 200,
                                                       "cms.hubdb", "BatchResponseHubDbTableRowV3"),
    ("POST", urls.HUBDB_TABLE + "/draft/publish"): (T + "/draft/publish", None, 200, "cms.hubdb", "HubDbTableV3"),
    ("POST", urls.HUBDB_TABLE + "/draft/reset"): (T + "/draft/reset", None, 200, "cms.hubdb", "HubDbTableV3"),
    ("POST", urls.HUBDB_TABLE + "/unpublish"): (T + "/unpublish", None, 200, "cms.hubdb", "HubDbTableV3"),
    ("POST", urls.HUBDB_TABLE + "/draft/clone"): (T + "/draft/clone", {"newName": "copy", "copyRows": True}, 200,
                                            "cms.hubdb", "HubDbTableV3"),
    ("GET", "/crm/v3/lists"): ("/crm/v3/lists?listIds=7&listIds=8", None, 200, "crm.lists", "ListsByIdResponse"),
    ("GET", "/crm/v3/lists/"): ("/crm/v3/lists/?listIds=7", None, 200, "crm.lists", "ListsByIdResponse"),
    ("GET", "/crm/v3/lists/object-type-id/{object_type_id}/name/{list_name}"): (
        "/crm/v3/lists/object-type-id/0-1/name/VIP", None, 200, "crm.lists", "ListFetchResponse"),
    ("GET", "/crm/v3/lists/records/{object_type_id}/{record_id}/memberships"): (
        "/crm/v3/lists/records/0-1/{contact}/memberships", None, 200, "crm.lists",
        "ApiCollectionResponseRecordListMembershipNoPaging"),
    ("GET", urls.LIST): (L, None, 200, "crm.lists", "ListFetchResponse"),
    ("GET", urls.LIST + "/memberships"): (L + "/memberships?limit=1", None, 200, "crm.lists",
                                          "ApiCollectionResponseJoinTimeAndRecordId"),
    ("GET", urls.LIST + "/memberships/join-order"): (L + "/memberships/join-order", None, 200, "crm.lists",
                                                     "ApiCollectionResponseJoinTimeAndRecordId"),
    ("PUT", urls.LIST + "/memberships/add"): (L + "/memberships/add", ["{spare}", "0"], 200, "crm.lists",
                                              "MembershipsUpdateResponse"),
    ("PUT", urls.LIST + "/memberships/remove"): (L + "/memberships/remove", ["{contact}"], 200, "crm.lists",
                                                 "MembershipsUpdateResponse"),
    ("PUT", urls.LIST + "/memberships/add-and-remove"): (L + "/memberships/add-and-remove", {
        "recordIdsToAdd": ["{spare}"], "recordIdsToRemove": ["{contact}"]}, 200, "crm.lists", "MembershipsUpdateResponse"),
    ("GET", "/marketing/v3/forms"): ("/marketing/v3/forms?limit=1", None, 200, "marketing.forms",
                                     "CollectionResponseFormDefinitionBaseForwardPaging"),
    ("GET", "/marketing/v3/forms/"): ("/marketing/v3/forms/", None, 200, "marketing.forms",
                                      "CollectionResponseFormDefinitionBaseForwardPaging"),
    ("GET", "/marketing/v3/forms/{form_id}"): ("/marketing/v3/forms/{form}", None, 200, "marketing.forms",
                                               "FormDefinitionBase"),
    ("GET", "/forms/v2/forms"): ("/forms/v2/forms", None, 200, LEGACY, "FormsV2"),
    ("GET", "/forms/v2/forms/{form_id}"): ("/forms/v2/forms/{form}", None, 200, LEGACY, "FormV2"),
}

# Error bodies: (method, path, body, status), deserialised into each package's Error model.
ERRORS = [
    ("GET", C + "/0", None, 404),
    ("POST", C, {"properties": {"nope": "1"}}, 400),
    ("POST", C, {"properties": {"email": "taken@example.com"}}, 409),
    ("GET", "/crm/v3/nothing", None, 404),
    ("GET", "/crm/v3/properties/contacts/nope", None, 404),
    ("GET", "/crm/v3/owners/0", None, 404),
    ("GET", "/marketing/v3/campaigns", None, 404),
    ("GET", "/marketing/v3/forms/00000000-0000-0000-0000-000000000000", None, 404),
    ("GET", "/crm/v3/objects/goal_targets/1", None, 404),
    ("POST", P, {**SHOE, "name": "Shoe Size"}, 400),
    ("POST", P, {**SHOE, "name": "email"}, 409),
    ("GET", T + "/rows?nope__eq=1", None, 400),
    ("GET", "/cms/v3/hubdb/tables/nope", None, 404),
    ("PUT", "/crm/v3/lists/0/memberships/add", [], 404),
    ("POST", C + "/merge", {"primaryObjectId": "{contact}", "objectIdToMerge": "{contact}"}, 400),
]


def _seed(empty_portal) -> dict:
    """Every case's records, schemas, labels, lists, forms and flow; the ids they were given."""
    empty_portal.seed({"owners": [{"id": "101", "email": "o@example.com", "firstName": "O", "lastName": "W", "userId": 1,
                             "teams": [{"id": "1", "name": "Sales", "primary": True}]}],
                  "schemas": [{"name": "pets", "objectTypeId": "2-7", "primaryDisplayProperty": "pet_name",
                               "associatedObjects": ["CONTACT"],
                               "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}]})
    company = str(empty_portal.backend.create("companies", {"name": "Acme"}).id)
    main = contact(empty_portal, "taken@example.com")
    empty_portal.backend.associate_default("contacts", main, "companies", company)
    empty_portal.backend.create_property_group("contacts", {"name": "spare_group", "label": "Spare"})
    empty_portal.backend.create_property("contacts", {**SHOE, "name": "spare_prop"})
    label = empty_portal.backend.create_association_label("contacts", "companies", {"label": "Spare", "name": "spare"})[0]
    empty_portal.seed({"hubdb": [TERRITORIES], "lists": [{"id": 7, "name": "VIP", "members": [main]}],
                       "forms": [{"id": FORM, "name": "Contact us", "fields": [
                           {"name": "email", "required": True}, {"name": "lifecyclestage"}, {"name": "message"}]}]})
    flow = empty_portal.backend.create_flow(FLOW)["id"]
    return {"flow": flow, "form": FORM, "contact": main, "spare": contact(empty_portal, "spare@example.com"), "company": company,
            "label": label.type_id}


@pytest.fixture(scope="module")
def seeded():
    """{"snapshot", "ids"}: the portal as _seed leaves it, taken by the module's first test.
    Every other test restores that copy rather than seeding again (10 ms each, for 230 tests)."""
    taken: dict = {}
    yield taken
    if "snapshot" in taken:
        taken["snapshot"].close()


@pytest.fixture
def ids(empty_portal, seeded):
    """The seeded portal (this test's own: restored from the copy, whatever an earlier test
    wrote), and the ids of what it holds."""
    if "snapshot" in seeded:
        empty_portal.restore(seeded["snapshot"])
    else:
        seeded["ids"] = _seed(empty_portal)
        seeded["snapshot"] = empty_portal.snapshot()
    return seeded["ids"]


def _fill(value, ids):
    """`value` with each {name} filled in; a string that is only "{name}" becomes that id as it is
    (an association type id is a JSON number)."""
    if isinstance(value, str):
        return ids[value[1:-1]] if value[1:-1] in ids and value == "{" + value[1:-1] + "}" else value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def deserialize(package: str, text: str, model: str):
    if package in (AUTOMATION, LEGACY):
        return _required(json.loads(text), model)
    module = importlib.import_module(f"hubspot.{package}")
    return module.ApiClient().deserialize(SimpleNamespace(data=text), model)


def _required(body, model: str):
    if isinstance(REQUIRED[model], list):   # a JSON list of one model
        assert isinstance(body, list) and body, f"{model}: not a list, or empty"
        for item in body:
            _required(item, REQUIRED[model][0])
        return type(model, (), {})()
    for key, kind in REQUIRED[model].items():
        assert key in body, f"{model}: {key} is missing"
        if isinstance(kind, list):
            assert isinstance(body[key], list)
            for item in body[key]:
                _required(item, kind[0])
        else:
            assert isinstance(body[key], kind), f"{model}.{key}: {body[key]!r} is not {kind.__name__}"
    return type(model, (), {})()


@pytest.mark.parametrize("key", list(CASES), ids=[f"{m} {t}" for m, t in CASES])
def test_each_route_answers_a_shape_the_client_accepts(portal_api, ids, key):
    method, _ = key
    path, body, status, package, model = CASES[key]
    response = portal_api.request(method, _fill(path, ids), json=_fill(body, ids))
    assert response.status_code == status, response.text
    if model is None:
        assert response.content == b""
        return
    parsed = deserialize(package, response.text, model)
    assert type(parsed).__name__ == model


@pytest.mark.parametrize("method, path, body, status", ERRORS)
@pytest.mark.parametrize("package", ["crm.objects", "crm.contacts", "crm.properties", "crm.owners", "crm.associations.v4",
                                     "cms.hubdb", "crm.lists", "marketing.forms"])
def test_error_bodies_fit_every_packages_error_model(portal_api, ids, method, path, body, status, package):
    response = portal_api.request(method, _fill(path, ids), json=_fill(body, ids))
    assert response.status_code == status, response.text
    error = deserialize(package, response.text, "Error")
    assert error.category and error.message and error.correlation_id


def test_every_route_has_a_contract_case():
    routes = {(route.method, route.template) for route in urls.TABLE}
    assert routes == set(CASES)


TYPES = load("object_types.json")["standard"]
SAMPLE = {"datetime": "2025-05-01T10:00:00Z", "date": "2025-05-01", "number": "12", "string": "Sample"}


@pytest.mark.parametrize("spec", TYPES, ids=[s["name"] for s in TYPES])
def test_every_object_type_answers_shapes_the_client_accepts(portal_api, empty_portal, spec):
    """Create, get with associations, list, search and batch read of each type, through crm.objects' models."""
    props = {p.name: p for p in empty_portal.backend.properties(spec["name"])}
    values = {group[0]: SAMPLE[props[group[0]].type] for group in spec["requiredProperties"]}
    base = f"/crm/v3/objects/{spec['objectTypeId']}"
    created = portal_api.post(base, json={"properties": values})
    assert created.status_code == 201, created.text
    assert type(deserialize("crm.objects", created.text, "SimplePublicObject")).__name__ == "SimplePublicObject"
    record = created.json()["id"]
    answers = [
        (portal_api.get(f"{base}/{record}?associations=contacts"), "SimplePublicObjectWithAssociations"),
        (portal_api.get(f"{base}?limit=1"), "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging"),
        (portal_api.post(f"{base}/search", json={"limit": 1}), "CollectionResponseWithTotalSimplePublicObjectForwardPaging"),
        (portal_api.post(f"{base}/batch/read", json={"inputs": [{"id": record}, {"id": "0"}]}),
         "BatchResponseSimplePublicObjectWithErrors"),
        (portal_api.get(f"/crm/v3/properties/{spec['objectTypeId']}"), "CollectionResponsePropertyNoPaging"),
    ]
    for response, model in answers:
        assert response.status_code in (200, 207), response.text
        package = "crm.properties" if model.startswith("CollectionResponseProperty") else "crm.objects"
        assert type(deserialize(package, response.text, model)).__name__ == model
    refused = portal_api.post(base, json={"properties": {"nope": "1"}})
    assert deserialize("crm.objects", refused.text, "Error").category == "VALIDATION_ERROR"


def test_every_object_type_has_every_scope_the_routes_ask_for(empty_portal):
    # A route asking for a kind of scope a type lacks would be a 500, not HubSpot's answer.
    empty_portal.seed({"schemas": [{"name": "pets", "objectTypeId": "2-1"}]})
    kinds = {kind for route in urls.TABLE for kind, param in route.access if param is not None}
    assert kinds == {"read", "write", "schema", "schemaWrite"}
    for object_type in empty_portal.backend.types.values():
        assert kinds <= set(object_type.scopes), object_type.name

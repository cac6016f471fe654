"""Association labels v4: USER_DEFINED labels between two object types, created, used, renamed, deleted."""
import pytest
from hubspot.crm.associations.v4.schema import (PublicAssociationDefinitionCreateRequest,
                                                 PublicAssociationDefinitionUpdateRequest)


LABELS = "/crm/v4/associations/contacts/companies/labels"
SEED = {"records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}}],
                    "companies": [{"id": "10", "properties": {"name": "Acme"}}]}}


def labels(portal_api, path=LABELS):
    return {t["typeId"]: t["label"] for t in portal_api.get(path).json()["results"] if t["category"] == "USER_DEFINED"}


def test_a_paired_label_is_a_type_each_way_and_can_be_used_at_once(hubspot_client, portal_api, empty_portal):
    empty_portal.seed(SEED)
    created = hubspot_client.crm.associations.v4.schema.definitions_api.create("contacts", "companies",
        PublicAssociationDefinitionCreateRequest(label="Manager", name="manager", inverse_label="Managed company"))
    forward, backward = created.results
    assert (forward.category, forward.label, backward.label) == ("USER_DEFINED", "Manager", "Managed company")
    assert labels(portal_api) == {forward.type_id: "Manager"}
    assert labels(portal_api, "/crm/v4/associations/companies/contacts/labels") == {backward.type_id: "Managed company"}
    linked = portal_api.put("/crm/v4/objects/contacts/1/associations/companies/10",
                     json=[{"associationCategory": "USER_DEFINED", "associationTypeId": forward.type_id}])
    assert linked.status_code == 201 and linked.json()["labels"] == ["Manager"]
    seen = portal_api.get("/crm/v4/objects/companies/10/associations/contacts").json()["results"][0]["associationTypes"]
    assert {"category": "USER_DEFINED", "typeId": backward.type_id, "label": "Managed company"} in seen


def test_an_unpaired_label_reads_the_same_both_ways(portal_api, empty_portal):
    forward, backward = portal_api.post(LABELS, json={"label": "Partner", "name": "partner"}).json()["results"]
    assert (forward["label"], backward["label"]) == ("Partner", "Partner")
    assert backward["typeId"] == forward["typeId"] + 1


def test_rename_a_label_and_its_inverse(hubspot_client, portal_api, empty_portal):
    forward, backward = portal_api.post(LABELS, json={"label": "Manager", "name": "manager", "inverseLabel": "Team"}).json()["results"]
    hubspot_client.crm.associations.v4.schema.definitions_api.update("contacts", "companies",
        PublicAssociationDefinitionUpdateRequest(association_type_id=forward["typeId"], label="Boss", inverse_label="Staff"))
    assert labels(portal_api) == {forward["typeId"]: "Boss"}
    assert labels(portal_api, "/crm/v4/associations/companies/contacts/labels") == {backward["typeId"]: "Staff"}


def test_delete_a_label_once_no_association_uses_it(hubspot_client, portal_api, empty_portal):
    empty_portal.seed(SEED)
    forward = portal_api.post(LABELS, json={"label": "Manager", "name": "manager"}).json()["results"][0]["typeId"]
    portal_api.put("/crm/v4/objects/contacts/1/associations/companies/10",
            json=[{"associationCategory": "USER_DEFINED", "associationTypeId": forward}])
    response = portal_api.delete(f"{LABELS}/{forward}")
    assert response.status_code == 400
    assert response.json()["message"] == (f"Association label {forward} (Manager) is used by 1 association(s): remove "
                                          "it from those records before deleting it.")
    portal_api.delete("/crm/v4/objects/contacts/1/associations/companies/10")
    hubspot_client.crm.associations.v4.schema.definitions_api.remove("contacts", "companies", forward)
    assert labels(portal_api) == {} and labels(portal_api, "/crm/v4/associations/companies/contacts/labels") == {}


def test_hubspots_own_types_unknown_ids_and_taken_names_are_refused(portal_api, empty_portal):
    response = portal_api.put(LABELS, json={"associationTypeId": 1, "label": "Main"})
    assert (response.status_code, response.json()["message"]) == (400, (
        "Association type 1 from contacts to companies is HUBSPOT_DEFINED, not a label made with this API: only "
        "those can be changed or deleted."))
    response = portal_api.delete(f"{LABELS}/999")
    assert (response.status_code, response.json()["message"]) == (
        404, "There is no association type 999 from contacts to companies.")
    portal_api.post(LABELS, json={"label": "Manager", "name": "manager"})
    response = portal_api.post("/crm/v4/associations/companies/contacts/labels", json={"label": "Other", "name": "manager"})
    assert (response.status_code, response.json()["message"]) == (
        409, "An association label named manager already exists between companies and contacts.")


@pytest.mark.parametrize("body, message", [
    ({"name": "manager"}, "Invalid input JSON: label must be a non-empty string"),
    ({"label": "Manager", "name": ""}, "Invalid input JSON: name must be a non-empty string"),
])
def test_a_label_needs_a_label_and_a_name(portal_api, empty_portal, body, message):
    response = portal_api.post(LABELS, json=body)
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_label_writes_need_both_types_write_scopes(portal_api, empty_portal):
    empty_portal.add_token("reader", ["crm.objects.contacts.read", "crm.objects.companies.read"])
    response = portal_api.post(LABELS, json={"label": "Manager", "name": "manager"}, headers={"Authorization": "Bearer reader"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == [
        "crm.objects.contacts.write", "crm.objects.companies.write"]

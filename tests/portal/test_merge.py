"""Record merge: a new record with a new id, the primary's values (the merged record's where the
primary has none), both records' associations and history, and old ids that keep answering."""
import json

import pytest
from hubspot.crm.contacts import PublicMergeInput, SimplePublicObjectInput
from hubspot.crm.contacts.exceptions import ApiException, ForbiddenException, NotFoundException


SEED = {
    "records": {
        "contacts": [
            {"id": "1", "createdAt": "2024-03-01T00:00:00Z",
             "properties": {"email": "ada@example.com", "firstname": "Ada", "lifecyclestage": "lead"}},
            {"id": "2", "createdAt": "2024-01-01T00:00:00Z",
             "properties": {"email": "ada.l@example.com", "firstname": "Augusta", "lastname": "Lovelace",
                            "lifecyclestage": "customer"}},
            {"id": "3", "properties": {"email": "other@example.com"}},
        ],
        "companies": [{"id": "10", "properties": {"name": "Primary Co"}},
                      {"id": "11", "properties": {"name": "Merged Co"}}],
        "deals": [{"id": "20", "properties": {"dealname": "Deal of 2"}}],
    },
    "associations": [
        {"from": "contacts/1", "to": "companies/10", "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1},
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]},
        {"from": "contacts/2", "to": "companies/11", "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1},
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]},
        {"from": "contacts/2", "to": "deals/20"},
    ],
    "lists": [{"id": 5, "name": "Merged away", "members": ["2", "3"]}],
}


@pytest.fixture
def merged(hubspot_client, empty_portal):
    empty_portal.seed(SEED)
    return hubspot_client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id="1", object_id_to_merge="2"))


def test_a_merge_makes_a_new_record_that_both_old_ids_answer_as(hubspot_client, merged):
    assert merged.id not in ("1", "2", "3")
    for old in ("1", "2", merged.id):
        got = hubspot_client.crm.contacts.basic_api.get_by_id(old, properties=["hs_merged_object_ids", "firstname"])
        assert got.id == merged.id
        assert got.properties["hs_merged_object_ids"] == "1;2"
        assert got.properties["firstname"] == "Ada"


def test_the_primary_wins_and_the_merged_record_fills_what_it_lacks(hubspot_client, merged):
    got = hubspot_client.crm.contacts.basic_api.get_by_id(
        merged.id, properties=["email", "firstname", "lastname", "lifecyclestage", "hs_additional_emails", "createdate"])
    assert got.properties["email"] == "ada@example.com"
    assert got.properties["firstname"] == "Ada"                      # the primary's
    assert got.properties["lastname"] == "Lovelace"                  # only the merged record had one
    assert got.properties["hs_additional_emails"] == "ada.l@example.com"
    assert got.properties["lifecyclestage"] == "customer"            # the stage furthest down the funnel
    assert got.properties["createdate"] == "2024-01-01T00:00:00.000Z"


def test_associations_move_and_the_primarys_primary_company_wins(portal_api, merged):
    companies = portal_api.get(f"/crm/v4/objects/contacts/{merged.id}/associations/companies").json()["results"]
    labels = {c["toObjectId"]: sorted(t["typeId"] for t in c["associationTypes"]) for c in companies}
    assert labels == {10: [1, 279], 11: [279]}
    deals = portal_api.get(f"/crm/v4/objects/contacts/{merged.id}/associations/deals").json()["results"]
    assert [d["toObjectId"] for d in deals] == [20]
    back = portal_api.get("/crm/v4/objects/deals/20/associations/contacts").json()["results"]
    assert [c["toObjectId"] for c in back] == [int(merged.id)]


def test_history_of_both_records_is_the_merged_records(hubspot_client, merged):
    got = hubspot_client.crm.contacts.basic_api.get_by_id(merged.id, properties_with_history=["email"])
    assert sorted(v.value for v in got.properties_with_history["email"]) == ["ada.l@example.com", "ada@example.com"]


def test_list_memberships_move_to_the_merged_record(portal_api, merged):
    members = portal_api.get("/crm/v3/lists/5/memberships").json()["results"]
    assert sorted(m["recordId"] for m in members) == sorted(["3", merged.id])


def test_old_ids_work_in_updates_batches_and_a_second_merge(hubspot_client, portal_api, empty_portal, merged):
    hubspot_client.crm.contacts.basic_api.update("2", SimplePublicObjectInput(properties={"jobtitle": "Engineer"}))
    assert empty_portal.record("contacts", merged.id)["properties"]["jobtitle"] == "Engineer"
    read = portal_api.post("/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": "1"}, {"id": "2"}]}).json()
    assert [r["id"] for r in read["results"]] == [merged.id]
    again = hubspot_client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id="3", object_id_to_merge="1"))
    got = hubspot_client.crm.contacts.basic_api.get_by_id("2", properties=["hs_merged_object_ids", "email"])
    assert got.id == again.id
    assert got.properties["hs_merged_object_ids"] == f"1;2;3;{merged.id}"
    assert got.properties["email"] == "other@example.com"


def test_merging_a_record_with_itself_is_a_400(hubspot_client, portal_api, merged):
    response = portal_api.post("/crm/v3/objects/contacts/merge", json={"primaryObjectId": "1", "objectIdToMerge": merged.id})
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"Cannot merge a record with itself: primaryObjectId and objectIdToMerge are both record {merged.id}.")


def test_merging_an_unknown_record_is_a_404_and_changes_nothing(hubspot_client, empty_portal):
    empty_portal.seed(SEED)
    with pytest.raises(NotFoundException):
        hubspot_client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id="1", object_id_to_merge="99"))
    assert empty_portal.record("contacts", 1)["id"] == "1"


@pytest.mark.parametrize("body, message", [
    ({"primaryObjectId": "1"}, "Invalid input JSON: objectIdToMerge is required"),
    ({"primaryObjectId": True, "objectIdToMerge": "2"}, "Invalid input JSON: primaryObjectId must be a string, not true"),
])
def test_a_merge_needs_both_ids(portal_api, empty_portal, body, message):
    empty_portal.seed(SEED)
    response = portal_api.post("/crm/v3/objects/contacts/merge", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_companies_deals_tickets_and_custom_objects_merge_too(portal_api, empty_portal):
    empty_portal.seed({"schemas": [{"name": "pets", "objectTypeId": "2-1", "primaryDisplayProperty": "pet_name",
                              "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}],
                 "records": {"companies": [{"id": "1", "properties": {"name": "A", "domain": "a.example"}},
                                           {"id": "2", "properties": {"domain": "b.example"}}],
                             "deals": [{"id": "3", "properties": {"dealname": "D"}}, {"id": "4", "properties": {}}],
                             "tickets": [{"id": "5", "properties": {"subject": "T"}}, {"id": "6", "properties": {}}],
                             "p_pets": [{"id": "7", "properties": {"pet_name": "Rex"}}, {"id": "8", "properties": {}}]}})
    for object_type, primary, other in (("companies", "1", "2"), ("deals", "3", "4"), ("tickets", "5", "6"),
                                        ("2-1", "7", "8")):
        response = portal_api.post(f"/crm/v3/objects/{object_type}/merge",
                            json={"primaryObjectId": primary, "objectIdToMerge": other})
        assert response.status_code == 200, response.text
        merged = portal_api.get(f"/crm/v3/objects/{object_type}/{other}?properties=hs_merged_object_ids").json()
        assert (merged["id"], merged["properties"]["hs_merged_object_ids"]) == (response.json()["id"], f"{primary};{other}")
    assert portal_api.get("/crm/v3/objects/companies/1?properties=domain").json()["properties"]["domain"] == "a.example"


def test_merge_needs_the_types_write_scope(hubspot_client, empty_portal):
    empty_portal.seed(SEED)
    empty_portal.add_token("read-only", ["crm.objects.contacts.read"])
    from hubspot import HubSpot
    with pytest.raises(ForbiddenException) as raised:
        HubSpot(access_token="read-only", host=empty_portal.server.url).crm.contacts.basic_api.merge(
            PublicMergeInput(primary_object_id="1", object_id_to_merge="2"))
    body = json.loads(raised.value.body)
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.contacts.write"]
    assert isinstance(raised.value, ApiException)

"""CRM objects v3 through the official client: get, list, create, update, archive."""
import json

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate
from hubspot.crm.contacts.exceptions import NotFoundException
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput

from tests.support import contact


def test_get_returns_the_default_properties_as_strings(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "ada@example.com", firstname="Ada", annualrevenue="1200")
    got = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id)
    assert got.id == contact_id
    assert set(got.properties) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
    assert got.properties["email"] == "ada@example.com"
    assert got.properties["hs_object_id"] == contact_id
    assert got.properties["lastname"] is None
    assert got.archived is False
    assert got.created_at <= got.updated_at


def test_get_asks_for_named_properties_and_ignores_unknown_ones(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "ada@example.com", annualrevenue="1200", lifecyclestage="lead")
    got = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id, properties=["annualrevenue", "lifecyclestage", "nope"])
    # HubSpot always adds the create date, the last-modified date and hs_object_id.
    assert list(got.properties) == ["annualrevenue", "createdate", "hs_object_id", "lastmodifieddate", "lifecyclestage"]
    assert (got.properties["annualrevenue"], got.properties["lifecyclestage"]) == ("1200", "lead")


def test_get_by_id_property_email(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "Grace@Example.com")
    got = hubspot_client.crm.contacts.basic_api.get_by_id("grace@example.com", id_property="email")
    assert got.id == contact_id


def test_get_of_a_missing_record_is_hubspots_404(hubspot_client, empty_portal):
    with pytest.raises(NotFoundException) as raised:
        hubspot_client.crm.contacts.basic_api.get_by_id("999")
    body = json.loads(raised.value.body)
    assert raised.value.status == 404
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["message"] == "Object not found.  objectId are usually numeric."
    assert body["context"] == {"id": ["999"]}
    assert len(body["correlationId"]) == 36


def test_create_answers_201_with_the_written_and_default_properties(hubspot_client, empty_portal):
    created = hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"email": "linus@example.com", "firstname": "Linus", "jobtitle": "Kernel"}))
    assert created.properties["jobtitle"] == "Kernel"
    assert created.properties["hs_object_id"] == created.id
    assert created.properties["createdate"] == created.properties["lastmodifieddate"]
    assert empty_portal.record("contacts", created.id)["properties"]["firstname"] == "Linus"
    assert empty_portal.requests()[-1]["status"] == 201


def test_create_with_a_taken_email_is_a_409_conflict(hubspot_client, empty_portal):
    existing = contact(empty_portal, "dup@example.com")
    with pytest.raises(ContactsApiException) as raised:
        hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": "DUP@example.com"}))
    assert raised.value.status == 409
    body = json.loads(raised.value.body)
    assert body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {existing}"


def test_update_changes_only_the_given_properties_and_empty_clears(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "ada@example.com", firstname="Ada", lastname="Lovelace")
    before = empty_portal.record("contacts", contact_id)
    updated = hubspot_client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(
        properties={"firstname": "Augusta", "lastname": ""}))
    assert updated.properties["firstname"] == "Augusta"
    assert updated.properties["lastname"] is None
    after = empty_portal.record("contacts", contact_id)
    assert after["properties"]["email"] == "ada@example.com"
    assert "lastname" not in after["properties"]
    assert after["updatedAt"] >= before["updatedAt"]


def test_a_null_property_value_is_ignored_neither_set_nor_cleared(portal_api, empty_portal):
    """HubSpot answers an update with {"hs_next_step": null} 200 and leaves the value as it was
    (hubspot-api-nodejs#324); a published action creates a record with a null value it was given
    for an empty property, which the portal refused as a 400."""
    contact_id = contact(empty_portal, "ada@example.com", firstname="Ada", lastname="Lovelace")
    response = portal_api.patch(f"/crm/v3/objects/contacts/{contact_id}",
                                json={"properties": {"firstname": None, "lastname": "King"}})
    assert response.status_code == 200, response.text
    after = empty_portal.record("contacts", contact_id)["properties"]
    assert (after["firstname"], after["lastname"]) == ("Ada", "King")
    created = portal_api.post("/crm/v3/objects/contacts", json={"properties": {"email": "b@example.com", "jobtitle": None}})
    assert created.status_code == 201, created.text
    assert "jobtitle" not in empty_portal.record("contacts", created.json()["id"])["properties"]
    batch = portal_api.post("/crm/v3/objects/contacts/batch/update",
                            json={"inputs": [{"id": contact_id, "properties": {"lastname": None, "jobtitle": "Countess"}}]})
    assert batch.status_code == 200, batch.text
    assert empty_portal.record("contacts", contact_id)["properties"]["lastname"] == "King"
    assert empty_portal.record("contacts", contact_id)["properties"]["jobtitle"] == "Countess"


def test_update_by_email_id_property(portal_api, empty_portal):
    contact_id = contact(empty_portal, "ada@example.com")
    response = portal_api.patch("/crm/v3/objects/contacts/ada@example.com?idProperty=email",
                         json={"properties": {"firstname": "Ada"}})
    assert response.status_code == 200
    assert response.json()["id"] == contact_id


def test_archive_answers_204_and_the_record_leaves_gets_and_lists(hubspot_client, empty_portal, portal_api):
    contact_id = contact(empty_portal, "gone@example.com")
    assert portal_api.delete(f"/crm/v3/objects/contacts/{contact_id}").status_code == 204
    with pytest.raises(NotFoundException):
        hubspot_client.crm.contacts.basic_api.get_by_id(contact_id)
    archived = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id, archived=True)
    assert archived.archived is True and archived.archived_at is not None
    assert hubspot_client.crm.contacts.basic_api.get_page().results == []
    assert [r.id for r in hubspot_client.crm.contacts.basic_api.get_page(archived=True).results] == [contact_id]
    assert portal_api.delete(f"/crm/v3/objects/contacts/{contact_id}").status_code == 404


def test_list_pages_with_limit_and_after(hubspot_client, empty_portal):
    ids = [contact(empty_portal, f"c{i}@example.com") for i in range(5)]
    first = hubspot_client.crm.contacts.basic_api.get_page(limit=2)
    assert [r.id for r in first.results] == ids[:2]
    second = hubspot_client.crm.contacts.basic_api.get_page(limit=2, after=first.paging.next.after)
    third = hubspot_client.crm.contacts.basic_api.get_page(limit=2, after=second.paging.next.after)
    assert [r.id for r in second.results + third.results] == ids[2:]
    assert third.paging is None


def test_list_limit_over_100_is_refused(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/contacts?limit=101")
    assert response.status_code == 400
    assert response.json()["message"] == "limit must be between 1 and 100, but was 101."


@pytest.mark.parametrize("object_type", ["deals", "0-3", "deal", "DEAL"])
def test_object_type_by_name_or_id(hubspot_client, empty_portal, object_type):
    created = hubspot_client.crm.objects.basic_api.create(object_type, ObjectInput(properties={"dealname": "Pilot", "amount": "10"}))
    got = hubspot_client.crm.objects.basic_api.get_by_id("deals", created.id, properties=["amount"])
    assert set(got.properties) == {"amount", "createdate", "hs_lastmodifieddate", "hs_object_id"}
    assert got.properties["amount"] == "10"


def test_unknown_object_type_is_a_400(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/widgets/1")
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == "Unable to infer object type from: widgets"


def test_custom_objects_by_type_id_and_fully_qualified_name(hubspot_client, empty_portal):
    empty_portal.seed({"schemas": [{
        "name": "pets", "objectTypeId": "2-1001", "labels": {"singular": "Pet", "plural": "Pets"},
        "primaryDisplayProperty": "pet_name", "associatedObjects": ["CONTACT"],
        "properties": [{"name": "pet_name", "label": "Name", "type": "string", "fieldType": "text"},
                       {"name": "legs", "label": "Legs", "type": "number", "fieldType": "number"}]}]})
    created = hubspot_client.crm.objects.basic_api.create("2-1001", ObjectInput(properties={"pet_name": "Rex", "legs": "4"}))
    assert created.properties["pet_name"] == "Rex"
    assert set(created.properties) >= {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
    again = hubspot_client.crm.objects.basic_api.get_by_id("p_pets", created.id, properties=["legs"])
    assert set(again.properties) == {"legs", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
    assert again.properties["legs"] == "4"


def test_create_with_associations(hubspot_client, empty_portal):
    company = empty_portal.backend.create("companies", {"name": "Acme"})
    created = hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"email": "assoc@example.com"},
        associations=[{"to": {"id": str(company.id)},
                       "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]}]))
    got = hubspot_client.crm.contacts.basic_api.get_by_id(created.id, associations=["companies"])
    assert got.associations["companies"].results[0].id == str(company.id)
    assert got.associations["companies"].results[0].type == "contact_to_company_unlabeled"


def test_record_gives_every_set_property_for_an_event(empty_portal):
    contact_id = contact(empty_portal, "ev@example.com", firstname="Ev")
    record = empty_portal.record("contact", contact_id)
    assert record["id"] == contact_id
    assert record["properties"]["firstname"] == "Ev"
    assert record["properties"]["hs_object_id"] == contact_id
    assert empty_portal.record("contacts", "424242") is None


def test_list_limit_0_says_the_allowed_range(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/contacts?limit=0")
    assert response.status_code == 400
    assert response.json()["message"] == "limit must be between 1 and 100, but was 0."


def test_an_id_beyond_64_bits_is_not_found_not_a_crash(portal_api):
    answer = portal_api.get("/crm/v3/objects/contacts/99999999999999999999")
    assert answer.status_code == 404
    assert answer.json()["category"] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize("after", ["-5", "abc", "1e3"])
def test_list_with_a_negative_or_non_numeric_after_is_a_400_not_the_first_page(portal_api, empty_portal, after):
    for n in range(3):
        contact(empty_portal, f"p{n}@example.com")
    response = portal_api.get("/crm/v3/objects/contacts", params={"after": after})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert f"but was {after}" in response.json()["message"] or f"but was {after!r}" in response.json()["message"]


def test_list_after_past_every_id_is_an_empty_page(portal_api, empty_portal):
    contact(empty_portal, "p@example.com")
    response = portal_api.get("/crm/v3/objects/contacts", params={"after": "9" * 30})
    assert response.status_code == 200 and response.json()["results"] == []


def _invalid_email(body: dict, value: str) -> None:
    assert body["category"] == "VALIDATION_ERROR"
    # HubSpot's answer, as clients log it: the property errors as JSON inside the message
    assert body["message"].startswith(
        'Property values were not valid: [{"isValid":false,"message":' + json.dumps(f"Email address {value} is invalid")
        + ',"error":"INVALID_EMAIL","name":"email"')
    assert body["errors"] == [{"message": f"Email address {value} is invalid", "code": "INVALID_EMAIL",
                               "context": {"propertyName": ["email"]}}]


@pytest.mark.parametrize("value", ["not-an-email", "ada@", "ada@acme", "ada@@acme.com", "a b@acme.com",
                                   '"ada"@acme.com', "ada@acme.com ", "ada@acme..com"])
def test_create_with_an_invalid_email_is_hubspots_400_invalid_email(hubspot_client, empty_portal, value):
    with pytest.raises(ContactsApiException) as raised:
        hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": value}))
    assert raised.value.status == 400
    _invalid_email(json.loads(raised.value.body), value)
    assert empty_portal.backend.counts() == {}


def test_update_to_an_invalid_email_is_a_400_and_changes_nothing(portal_api, empty_portal):
    contact_id = contact(empty_portal, "ada@example.com")
    response = portal_api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"email": "not-an-email"}})
    assert response.status_code == 400
    _invalid_email(response.json(), "not-an-email")
    assert empty_portal.record("contacts", contact_id)["properties"]["email"] == "ada@example.com"


@pytest.mark.parametrize("value", ["ada@example.com", "a.b+tag@mail.acme.co.uk", "o'brien@acme.example",
                                   "user@email.삼성", ""])
def test_valid_email_addresses_and_clearing_are_accepted(portal_api, empty_portal, value):
    contact_id = contact(empty_portal, "ada@example.com")
    response = portal_api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"email": value}})
    assert response.status_code == 200
    assert response.json()["properties"]["email"] == (value or None)


def test_email_format_is_checked_on_contacts_only(portal_api, empty_portal):
    # companies have no email property; a custom string property is not an email address
    empty_portal.seed({"properties": {"companies": [{"name": "support_email", "type": "string", "fieldType": "text"}]}})
    response = portal_api.post("/crm/v3/objects/companies", json={"properties": {"support_email": "not-an-email"}})
    assert response.status_code == 201

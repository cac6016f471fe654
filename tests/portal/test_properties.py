"""Properties v3 (definitions) and the validation HubSpot applies to written values."""
import json

import pytest
from hubspot.crm.contacts import ApiException, SimplePublicObjectInput, SimplePublicObjectInputForCreate
from hubspot.crm.properties.exceptions import NotFoundException

from tests.support import contact


def test_list_properties_with_types_options_and_metadata(hubspot_client, empty_portal):
    properties = {p.name: p for p in hubspot_client.crm.properties.core_api.get_all("contacts").results}
    assert {"email", "firstname", "lifecyclestage", "hs_object_id", "createdate"} <= set(properties)
    stage = properties["lifecyclestage"]
    assert (stage.type, stage.field_type) == ("enumeration", "radio")
    assert [o.value for o in stage.options][:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    assert properties["hs_object_id"].modification_metadata.read_only_value is True
    assert properties["email"].has_unique_value is True


def test_get_one_property_and_404_for_an_unknown_one(hubspot_client, empty_portal):
    amount = hubspot_client.crm.properties.core_api.get_by_name("deals", "amount")
    assert (amount.name, amount.type, amount.field_type) == ("amount", "number", "number")
    with pytest.raises(NotFoundException) as raised:
        hubspot_client.crm.properties.core_api.get_by_name("deals", "shoe_size")
    body = json.loads(raised.value.body)
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["message"] == "Unable to find property shoe_size for object type deals"


def test_seeded_custom_properties_are_listed_and_writable(hubspot_client, empty_portal):
    empty_portal.seed({"properties": {"contacts": [
        {"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select",
         "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}]}]}})
    tier = hubspot_client.crm.properties.core_api.get_by_name("contacts", "tier")
    assert tier.hubspot_defined is False and [o.value for o in tier.options] == ["gold", "silver"]
    created = hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"tier": "gold"}))
    assert created.properties["tier"] == "gold"


def _refused(hubspot_client, contact_id, properties):
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties=properties))
    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    return body


def test_unknown_property_is_refused(hubspot_client, empty_portal):
    body = _refused(hubspot_client, contact(empty_portal, "v@example.com"), {"shoe_size": "9"})
    assert body["message"] == ('Property values were not valid: [{"isValid":false,"message":"Property \\"shoe_size\\" '
                               'does not exist","error":"PROPERTY_DOESNT_EXIST","name":"shoe_size",'
                               '"localizedErrorMessage":"Property \\"shoe_size\\" does not exist"}]')
    assert body["errors"] == [{"message": 'Property "shoe_size" does not exist', "code": "PROPERTY_DOESNT_EXIST",
                               "context": {"propertyName": ["shoe_size"]}}]


def test_bad_enumeration_option_is_refused_naming_the_allowed_ones(hubspot_client, empty_portal):
    body = _refused(hubspot_client, contact(empty_portal, "v@example.com"), {"lifecyclestage": "royalty"})
    detail = json.loads(body["message"].split(": ", 1)[1])[0]
    assert detail["error"] == "INVALID_OPTION"
    assert detail["message"] == ("royalty was not one of the allowed options: [subscriber, lead, marketingqualifiedlead, "
                                 "salesqualifiedlead, opportunity, customer, evangelist, other]")


@pytest.mark.parametrize("name, value, code", [
    ("annualrevenue", "lots", "INVALID_NUMBER"),
    ("date_of_birth", "2024-01-01T10:00:00Z", "INVALID_DATE"),       # dates must be midnight UTC
    ("createdate", "yesterday", "INVALID_DATETIME"),
    ("hs_email_optout", "maybe", "INVALID_BOOLEAN"),
    ("hs_object_id", "5", "READ_ONLY_VALUE"),
])
def test_values_of_the_wrong_type_are_refused(hubspot_client, empty_portal, name, value, code):
    body = _refused(hubspot_client, contact(empty_portal, "v@example.com"), {name: value})
    assert body["errors"][0]["code"] == code
    assert body["errors"][0]["context"] == {"propertyName": [name]}


def test_every_problem_is_reported_and_nothing_is_written(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "v@example.com", firstname="Before")
    body = _refused(hubspot_client, contact_id, {"firstname": "After", "annualrevenue": "x", "nope": "1"})
    assert [e["code"] for e in body["errors"]] == ["INVALID_NUMBER", "PROPERTY_DOESNT_EXIST"]
    assert empty_portal.record("contacts", contact_id)["properties"]["firstname"] == "Before"


def test_values_are_normalised_as_hubspot_stores_them(hubspot_client, empty_portal):
    created = hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={
        "date_of_birth": "1815-12-10", "hs_email_optout": "TRUE", "annualrevenue": 1200}))
    got = hubspot_client.crm.contacts.basic_api.get_by_id(created.id, properties=["date_of_birth", "hs_email_optout",
                                                                           "annualrevenue", "createdate"])
    assert got.properties["date_of_birth"] == "1815-12-10"
    assert got.properties["hs_email_optout"] == "true"
    assert got.properties["annualrevenue"] == "1200"
    assert got.properties["createdate"].endswith("Z")


def test_properties_need_the_schema_scope(portal_api, empty_portal):
    empty_portal.add_token("pat-na1-objects-only", ["crm.objects.contacts.read"])
    response = portal_api.get("/crm/v3/properties/contacts", headers={"Authorization": "Bearer pat-na1-objects-only"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"] == {"requiredGranularScopes": ["crm.schemas.contacts.read"]}


def test_owner_properties_take_only_active_owner_ids(hubspot_client, empty_portal):
    empty_portal.seed({"owners": [{"id": "11", "email": "o@example.com"}, {"id": "12", "email": "x@example.com", "archived": True}]})
    contact_id = contact(empty_portal, "v@example.com")
    updated = hubspot_client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": "11"}))
    assert updated.properties["hubspot_owner_id"] == "11"
    for bad in ("12", "99"):
        body = _refused(hubspot_client, contact_id, {"hubspot_owner_id": bad})
        assert body["errors"][0]["message"] == f"{bad} is not a valid owner id: no active owner has it"
        assert body["errors"][0]["code"] == "INVALID_OPTION"

"""Property and property group writes: HubSpot's checks, and a created property is usable at once."""
import json

import pytest
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from hubspot.crm.properties import (BatchInputPropertyCreate, BatchReadInputPropertyName, OptionInput, PropertyCreate,
                                    PropertyGroupCreate, PropertyGroupUpdate, PropertyUpdate)
from hubspot.crm.properties.exceptions import ApiException, NotFoundException

from hs_actions.portal.portal import Portal


P = "/crm/v3/properties/contacts"
TIER = {"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select", "groupName": "contactinformation",
        "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}]}


def refused(portal_api, method, path, body, status=400):
    response = portal_api.request(method, path, json=body)
    assert response.status_code == status, response.text
    return response.json()["message"]


def test_a_created_property_is_listed_and_writable_at_once(hubspot_client, empty_portal):
    created = hubspot_client.crm.properties.core_api.create("contacts", PropertyCreate(
        name="tier", label="Tier", type="enumeration", field_type="select", group_name="contactinformation",
        options=[OptionInput(label="Gold", value="gold", hidden=False, display_order=0)]))
    assert (created.name, created.hubspot_defined, created.modification_metadata.archivable) == ("tier", False, True)
    assert created.created_at.year >= 2024
    assert "tier" in {p.name for p in hubspot_client.crm.properties.core_api.get_all("contacts").results}
    contact = hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"tier": "gold"}))
    assert contact.properties["tier"] == "gold"
    with pytest.raises(Exception) as raised:
        hubspot_client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"tier": "bronze"}))
    assert "bronze was not one of the allowed options: [gold]" in raised.value.body


@pytest.mark.parametrize("change, message", [
    ({"name": "Tier Level"}, "Invalid name Tier Level: an internal name starts with a lowercase letter and holds only "
                             "lowercase letters, digits and underscores, at most 100 characters."),
    ({"name": "1tier"}, "Invalid name 1tier: an internal name starts with a lowercase letter and holds only lowercase "
                        "letters, digits and underscores, at most 100 characters."),
    ({"fieldType": "text"}, "fieldType text does not go with type enumeration: use one of booleancheckbox, checkbox, "
                            "radio, select, calculation_equation."),
    ({"type": "money"}, "Invalid type money: use one of bool, enumeration, date, datetime, string, number, phone_number."),
    ({"groupName": "nowhere"}, "Property group nowhere does not exist for contacts."),
    ({"label": None}, "Missing required field(s) label: a property needs name, label, type, fieldType and groupName."),
    ({"options": [{"label": "A", "value": "a"}, {"label": "B", "value": "a"}]}, "Option values must be unique; repeated: a."),
    ({"type": "number", "fieldType": "number"}, "A property of type number has no options: only enumeration and bool "
                                                "properties do."),
    ({"type": "string", "fieldType": "textarea", "options": [], "hasUniqueValue": True},
     "hasUniqueValue is for fieldType text, number, not textarea."),
])
def test_what_hubspot_refuses_on_create(portal_api, empty_portal, change, message):
    body = {k: v for k, v in {**TIER, **change}.items() if v is not None}
    assert refused(portal_api, "POST", P, body) == message
    assert portal_api.get(f"{P}/{body.get('name')}").status_code == 404


def test_a_taken_name_is_a_409(hubspot_client, portal_api, empty_portal):
    assert refused(portal_api, "POST", P, {**TIER, "name": "email"}, 409) == "A property named email already exists for contacts."
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.properties.core_api.create("contacts", PropertyCreate(
            name="firstname", label="F", type="string", field_type="text", group_name="contactinformation"))
    assert raised.value.status == 409 and json.loads(raised.value.body)["category"] == "CONFLICT"


def test_a_bool_property_gets_yes_and_no(portal_api, empty_portal):
    created = portal_api.post(P, json={"name": "vip", "label": "VIP", "type": "bool", "fieldType": "booleancheckbox",
                                "groupName": "contactinformation"}).json()
    assert [o["value"] for o in created["options"]] == ["true", "false"]


def test_update_changes_only_what_is_given_and_options_are_replaced(hubspot_client, portal_api, empty_portal):
    portal_api.post(P, json=TIER)
    updated = hubspot_client.crm.properties.core_api.update("contacts", "tier", PropertyUpdate(
        label="Level", options=[OptionInput(label="Platinum", value="platinum", hidden=False, display_order=0)]))
    assert (updated.label, updated.field_type, [o.value for o in updated.options]) == ("Level", "select", ["platinum"])
    response = portal_api.post("/crm/v3/objects/contacts", json={"properties": {"tier": "gold"}})
    assert response.status_code == 400 and "gold was not one of the allowed options: [platinum]" in response.text
    assert refused(portal_api, "PATCH", f"{P}/tier", {"fieldType": "text"}) == (
        "fieldType text does not go with type enumeration: use one of booleancheckbox, checkbox, radio, select, "
        "calculation_equation.")
    assert refused(portal_api, "PATCH", f"{P}/tier", {"name": "level"}) == (
        "Unknown field(s) name: what can change is label, type, fieldType, groupName, description, options, "
        "displayOrder, hidden, formField, calculationFormula.")


def test_hubspot_defined_properties_cannot_be_changed_or_archived(portal_api, empty_portal):
    assert refused(portal_api, "PATCH", f"{P}/email", {"label": "Mail"}) == (
        "email is a HubSpot-defined property of contacts: its definition cannot be changed.")
    assert refused(portal_api, "DELETE", f"{P}/email", None) == (
        "email is a HubSpot-defined property of contacts: it cannot be archived.")


def test_archive_removes_the_definition_and_values_and_keeps_the_name(hubspot_client, portal_api, empty_portal):
    portal_api.post(P, json=TIER)
    contact = portal_api.post("/crm/v3/objects/contacts", json={"properties": {"tier": "gold", "email": "a@example.com"}}).json()
    hubspot_client.crm.properties.core_api.archive("contacts", "tier")
    with pytest.raises(NotFoundException):
        hubspot_client.crm.properties.core_api.get_by_name("contacts", "tier")
    assert "tier" not in empty_portal.record("contacts", contact["id"])["properties"]
    archived = portal_api.get(f"{P}?archived=true").json()["results"]
    assert [(p["name"], p["archived"]) for p in archived] == [("tier", True)]
    assert portal_api.get(f"{P}/tier?archived=true").json()["archivedAt"]
    written = portal_api.patch(f"/crm/v3/objects/contacts/{contact['id']}", json={"properties": {"tier": "gold"}})
    assert written.status_code == 400 and 'Property \\"tier\\" does not exist' in written.text
    assert refused(portal_api, "POST", P, TIER, 409) == (
        "A property named tier already exists for contacts, archived: an archived property keeps its name.")


def test_batch_read_create_and_archive(hubspot_client, portal_api, empty_portal):
    read = hubspot_client.crm.properties.batch_api.read("contacts", BatchReadInputPropertyName(
        inputs=[{"name": "email"}, {"name": "nope"}], archived=False))
    assert [p.name for p in read.results] == ["email"]
    assert read.errors[0].message == "Unable to find property nope for object type contacts"
    response = portal_api.post(f"{P}/batch/create", json={"inputs": [TIER, {**TIER, "name": "Bad Name"}]})
    assert response.status_code == 207
    assert [p["name"] for p in response.json()["results"]] == ["tier"]
    assert response.json()["errors"][0]["message"].startswith("Invalid name Bad Name")
    created = hubspot_client.crm.properties.batch_api.create("contacts", BatchInputPropertyCreate(inputs=[PropertyCreate(
        name="size", label="Size", type="number", field_type="number", group_name="contactinformation")]))
    assert [p.name for p in created.results] == ["size"]
    assert portal_api.post(f"{P}/batch/archive", json={"inputs": [{"name": "tier"}, {"name": "size"}, {"name": "gone"}]}
                    ).status_code == 204
    assert {p["name"] for p in portal_api.get(f"{P}?archived=true").json()["results"]} == {"tier", "size"}
    assert refused(portal_api, "POST", f"{P}/batch/archive", {"inputs": [{"name": "email"}]}) == (
        "email is a HubSpot-defined property of contacts: it cannot be archived.")


def test_property_groups(hubspot_client, portal_api, empty_portal):
    groups = {g.name: g.label for g in hubspot_client.crm.properties.groups_api.get_all("contacts").results}
    assert groups["contactinformation"] == "Contact information"
    group = hubspot_client.crm.properties.groups_api.create("contacts", PropertyGroupCreate(name="shoes", label="Shoes"))
    assert (group.name, group.label, group.archived) == ("shoes", "Shoes", False)
    assert refused(portal_api, "POST", f"{P}/groups", {"name": "shoes", "label": "Again"}, 409) == (
        "A property group named shoes already exists for contacts.")
    portal_api.post(P, json={"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number",
                      "groupName": "shoes"})
    renamed = hubspot_client.crm.properties.groups_api.update("contacts", "shoes", PropertyGroupUpdate(label="Footwear"))
    assert hubspot_client.crm.properties.groups_api.get_by_name("contacts", "shoes").label == renamed.label == "Footwear"
    assert refused(portal_api, "PATCH", f"{P}/groups/shoes", {"name": "boots"}) == (
        "Unknown field(s) name: what can change is label, displayOrder.")
    assert refused(portal_api, "DELETE", f"{P}/groups/shoes", None) == (
        "Property group shoes still holds 1 propert(ies) (shoe_size): move or archive them before archiving the group.")
    assert refused(portal_api, "DELETE", f"{P}/groups/contactinformation", None) == (
        "contactinformation is a HubSpot-defined property group of contacts: it cannot be archived.")
    portal_api.delete(f"{P}/shoe_size")
    hubspot_client.crm.properties.groups_api.archive("contacts", "shoes")
    assert portal_api.get(f"{P}/groups/shoes").json()["message"] == (
        "Unable to find property group shoes for object type contacts")


def test_property_writes_need_the_schema_write_scope(portal_api, empty_portal):
    empty_portal.add_token("schema-read", ["crm.schemas.contacts.read"])
    response = portal_api.post(P, json=TIER, headers={"Authorization": "Bearer schema-read"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == ["crm.schemas.contacts.write"]
    assert empty_portal.requests()[-1]["scopes"] == ["crm.schemas.contacts.write"]


def test_a_created_property_survives_reopening_the_portal(tmp_path):
    first = Portal(db=tmp_path / "portal.sqlite3")
    first.backend.create_property("deals", {**TIER, "groupName": "dealinformation"})
    first.close()
    again = Portal(db=tmp_path / "portal.sqlite3")
    try:
        assert again.backend.property("deals", "tier").option_values() == ["gold", "silver"]
    finally:
        again.close()

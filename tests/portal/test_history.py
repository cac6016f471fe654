"""propertiesWithHistory returns every write of a property, newest first."""
from hubspot.crm.contacts import SimplePublicObjectInput

from tests.support import contact


def test_history_lists_every_write_newest_first(hubspot_client, empty_portal):
    contact_id = contact(empty_portal, "h@example.com", lifecyclestage="lead")
    for stage in ("opportunity", "customer"):
        hubspot_client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties={"lifecyclestage": stage}))
    got = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id, properties_with_history=["lifecyclestage", "email"])
    history = got.properties_with_history["lifecyclestage"]
    assert [h.value for h in history] == ["customer", "opportunity", "lead"]
    assert all(h.source_type == "API" for h in history)
    assert history[0].timestamp >= history[-1].timestamp
    assert [h.value for h in got.properties_with_history["email"]] == ["h@example.com"]


def test_clearing_a_value_is_in_the_history(portal_api, empty_portal):
    contact_id = contact(empty_portal, "h@example.com", firstname="Ada")
    portal_api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"firstname": ""}})
    got = portal_api.get(f"/crm/v3/objects/contacts/{contact_id}?propertiesWithHistory=firstname").json()
    assert [h["value"] for h in got["propertiesWithHistory"]["firstname"]] == ["", "Ada"]


def test_seeded_values_have_import_history(portal_api, empty_portal):
    empty_portal.seed({"records": {"contacts": [{"id": "77", "createdAt": "2024-05-01T09:00:00Z",
                                           "properties": {"email": "old@example.com"}}]}})
    got = portal_api.get("/crm/v3/objects/contacts/77?propertiesWithHistory=email&properties=createdate").json()
    assert got["propertiesWithHistory"]["email"] == [
        {"value": "old@example.com", "timestamp": "2024-05-01T09:00:00.000Z", "sourceType": "IMPORT"}]
    assert got["properties"]["createdate"] == "2024-05-01T09:00:00.000Z"
    assert got["createdAt"] == got["updatedAt"] == "2024-05-01T09:00:00.000Z"


def test_history_in_batch_read(portal_api, empty_portal):
    contact_id = contact(empty_portal, "h@example.com", firstname="Ada")
    response = portal_api.post("/crm/v3/objects/contacts/batch/read", json={
        "inputs": [{"id": contact_id}], "properties": ["firstname"], "propertiesWithHistory": ["firstname"]})
    assert [h["value"] for h in response.json()["results"][0]["propertiesWithHistory"]["firstname"]] == ["Ada"]

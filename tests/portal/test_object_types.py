"""Every standard object type that objects v3 serves: names, ids, scopes, required properties,
the routes they all share, and HubSpot's answer to an unknown type; over HTTP."""
import re

import pytest
from hubspot.crm.association_type import AssociationType

from hs_actions.portal.models import load
from tests.support import Api

TYPES = load("object_types.json")["standard"]
NAMES = [spec["name"] for spec in TYPES]
SAMPLE = {"datetime": "2025-05-01T10:00:00Z", "date": "2025-05-01", "number": "12", "string": "Sample"}


def required_values(empty_portal, name: str) -> dict:
    """A value for the first property of each group the type requires on create."""
    spec = next(s for s in TYPES if s["name"] == name)
    props = {p.name: p for p in empty_portal.backend.properties(name)}
    return {group[0]: SAMPLE[props[group[0]].type] for group in spec["requiredProperties"]}


def test_the_types_and_their_ids_are_hubspots():
    ids = {spec["name"]: spec["objectTypeId"] for spec in TYPES}
    assert ids == {
        "contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5", "products": "0-7", "line_items": "0-8",
        "quotes": "0-14", "communications": "0-18", "tasks": "0-27", "notes": "0-46", "meetings": "0-47", "calls": "0-48",
        "emails": "0-49", "postal_mail": "0-116", "leads": "0-136", "invoices": "0-53", "orders": "0-123", "carts": "0-142",
        "subscriptions": "0-69", "commerce_payments": "0-101", "discounts": "0-84", "fees": "0-85", "taxes": "0-86",
        "appointments": "0-421", "courses": "0-410", "listings": "0-420", "services": "0-162"}


@pytest.mark.parametrize("name", NAMES)
def test_each_type_serves_create_get_list_update_search_batches_and_archive(portal_api, empty_portal, name):
    spec = next(s for s in TYPES if s["name"] == name)
    values = required_values(empty_portal, name)
    created = portal_api.post(f"/crm/v3/objects/{name}", json={"properties": values})
    assert created.status_code == 201, created.text
    record_id = created.json()["id"]
    assert created.json()["properties"]["hs_object_id"] == record_id
    by_id = portal_api.get(f"/crm/v3/objects/{spec['objectTypeId']}/{record_id}")
    assert by_id.status_code == 200 and by_id.json()["id"] == record_id
    assert sorted(by_id.json()["properties"]) == sorted(spec["defaultProperties"])
    assert portal_api.get(f"/crm/v3/objects/{spec['singular']}/{record_id}").status_code == 200
    assert [r["id"] for r in portal_api.get(f"/crm/v3/objects/{name}").json()["results"]] == [record_id]
    assert portal_api.patch(f"/crm/v3/objects/{name}/{record_id}", json={"properties": {}}).status_code == 200
    found = portal_api.post(f"/crm/v3/objects/{name}/search", json={"filterGroups": [{"filters": [
        {"propertyName": "hs_object_id", "operator": "EQ", "value": record_id}]}]}).json()
    assert (found["total"], found["results"][0]["id"]) == (1, record_id)
    batch = portal_api.post(f"/crm/v3/objects/{name}/batch/create", json={"inputs": [{"properties": values}]})
    assert batch.status_code == 201, batch.text
    second = batch.json()["results"][0]["id"]
    read = portal_api.post(f"/crm/v3/objects/{name}/batch/read", json={"inputs": [{"id": record_id}, {"id": second}]})
    assert sorted(r["id"] for r in read.json()["results"]) == sorted([record_id, second])
    updated = portal_api.post(f"/crm/v3/objects/{name}/batch/update", json={"inputs": [{"id": second, "properties": {}}]})
    assert updated.status_code == 200
    assert portal_api.post(f"/crm/v3/objects/{name}/batch/archive", json={"inputs": [{"id": second}]}).status_code == 204
    assert portal_api.delete(f"/crm/v3/objects/{name}/{record_id}").status_code == 204
    assert portal_api.get(f"/crm/v3/objects/{name}").json()["results"] == []


@pytest.mark.parametrize("name", [s["name"] for s in TYPES if s["requiredProperties"]])
def test_a_create_without_a_required_property_is_hubspots_400(portal_api, empty_portal, name):
    spec = next(s for s in TYPES if s["name"] == name)
    response = portal_api.post(f"/crm/v3/objects/{name}", json={"properties": {}})
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"] == f"Error creating {spec['hubspotName']}. Some required properties were not set."
    assert body["context"] == {"properties": [group[0] for group in spec["requiredProperties"]]}
    assert empty_portal.backend.counts().get(name) is None


def test_activities_require_hs_timestamp_in_batches_too(portal_api, empty_portal):
    response = portal_api.post("/crm/v3/objects/tasks/batch/create", json={"inputs": [
        {"properties": {"hs_timestamp": "2025-05-01T10:00:00Z"}}, {"properties": {"hs_task_subject": "No due date"}}]})
    assert response.status_code == 400
    assert response.json()["context"] == {"properties": ["hs_timestamp"]}
    assert empty_portal.backend.counts().get("tasks") is None


def test_a_line_item_needs_a_name_or_a_product(portal_api, empty_portal):
    product = portal_api.post("/crm/v3/objects/products", json={"properties": {"name": "Plan", "price": "10"}}).json()
    assert portal_api.post("/crm/v3/objects/line_items", json={"properties": {"quantity": "2"}}).status_code == 400
    from_product = portal_api.post("/crm/v3/objects/line_items", json={"properties": {"hs_product_id": product["id"], "quantity": "2"}})
    assert from_product.status_code == 201


def test_an_unknown_type_is_hubspots_400(portal_api):
    response = portal_api.get("/crm/v3/objects/widgets/1")
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: widgets"
    assert response.json()["category"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("name, read, write", [
    ("tasks", "crm.objects.contacts.read", "crm.objects.contacts.write"),
    ("notes", "crm.objects.contacts.read", "crm.objects.contacts.write"),
    ("line_items", "crm.objects.line_items.read", "crm.objects.line_items.write"),
    ("quotes", "crm.objects.quotes.read", "crm.objects.quotes.write"),
    ("leads", "crm.objects.leads.read", "crm.objects.leads.write"),
    ("invoices", "crm.objects.invoices.read", "crm.objects.invoices.write"),
    ("commerce_payments", "crm.objects.commercepayments.read", "crm.objects.commercepayments.write"),
    ("0-410", "crm.objects.courses.read", "crm.objects.courses.write"),
])
def test_each_type_asks_for_its_own_scopes(empty_portal, name, read, write):
    empty_portal.add_token("read-only", [read])
    with Api(empty_portal.server.url, "read-only") as session:
        assert session.get(f"/crm/v3/objects/{name}").status_code == 200
        refused = session.post(f"/crm/v3/objects/{name}", json={"properties": {}})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["context"] == {"requiredGranularScopes": [write]}
    assert empty_portal.requests()[-1]["scopes"] == [write]


@pytest.mark.parametrize("name, scope", [("line_items", "e-commerce"), ("products", "e-commerce"),
                                         ("quotes", "e-commerce"), ("emails", "sales-email-read")])
def test_a_type_takes_the_scopes_its_spec_gives_in_place_of_its_own(empty_portal, name, scope):
    empty_portal.add_token("alternative", [scope])
    with Api(empty_portal.server.url, "alternative") as session:
        assert session.get(f"/crm/v3/objects/{name}").status_code == 200
    empty_portal.add_token("contacts-only", ["crm.objects.contacts.read"])
    with Api(empty_portal.server.url, "contacts-only") as session:
        # sales-email-read stands in for the contacts scope on emails only, not on contacts.
        assert session.get(f"/crm/v3/objects/{name}").status_code == (200 if name == "emails" else 403)
    empty_portal.add_token("ecommerce-on-contacts", [scope])
    with Api(empty_portal.server.url, "ecommerce-on-contacts") as session:
        assert session.get("/crm/v3/objects/contacts").status_code == 403


def test_the_association_ids_are_the_ones_hubspots_client_lists():
    """Every association type both this portal and HubSpot's client name has the same id."""
    singular = {s["name"]: s["singular"] for s in TYPES}
    client = {name: value for name, value in vars(AssociationType).items() if not name.startswith("_")}
    checked = 0
    for row in load("association_types.json")["types"]:
        key = f"{'PRIMARY_' if row['label'] == 'Primary' else ''}{singular[row['from']]}_to_{singular[row['to']]}".upper()
        if key in client:
            assert client[key] == row["typeId"], key
            checked += 1
    assert checked >= 80


def test_every_association_type_has_its_inverse():
    rows = load("association_types.json")["types"]
    keyed = {(r["from"], r["typeId"]): r for r in rows}
    for row in rows:
        inverse = keyed[(row["to"], row["inverse"])]
        assert (inverse["to"], inverse["inverse"], inverse["label"]) == (row["from"], row["typeId"], row["label"])


def test_object_types_data_names_the_spec_of_each_type():
    for spec in TYPES:
        assert re.match(r"HubSpot's public API spec collection .*PublicApiSpecs/CRM/", spec["source"]), spec["name"]
        assert all(isinstance(group, list) and group for group in spec["requiredProperties"]), spec["name"]

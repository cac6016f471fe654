"""Association types of leads, the commerce objects (orders, carts, invoices, payments,
subscriptions, quotes' discounts, fees and taxes) and the industry objects (appointments, courses,
listings, services): every pair of data/association_types.json
links both ways through v4, v3 names them, records are created and found with them, and seeds
take them. The cases real actions hit: a lead's tasks, a lead's deal, an order's line items."""
import json
from pathlib import Path

import pytest
from hubspot.crm.associations.v4 import AssociationSpec

DATA = Path(__file__).parents[2] / "hs_actions" / "portal" / "data"
ROWS = json.loads((DATA / "association_types.json").read_text())["types"]
REQUIRED = {"line_items": {"name": "Seat"}, "products": {"name": "Seat"},
            "quotes": {"hs_title": "Q", "hs_expiration_date": "2025-05-01"},
            "commerce_payments": {"hs_initial_amount": "10", "hs_initiated_date": "2025-05-01"}}
ACTIVITIES = {"tasks", "notes", "calls", "meetings", "emails", "communications", "postal_mail"}
NEW = {"leads", "orders", "carts", "invoices", "subscriptions", "commerce_payments", "discounts", "fees", "taxes",
       "appointments", "courses", "listings", "services"}


def required(object_type: str) -> dict:
    return {"hs_timestamp": "2025-05-01T10:00:00Z"} if object_type in ACTIVITIES else REQUIRED.get(object_type, {})


def make(portal, object_type: str) -> str:
    return str(portal.backend.create(object_type, required(object_type)).id)


DEFAULTS = sorted({(r["from"], r["to"], r["typeId"]) for r in ROWS
                   if r.get("default") and {r["from"], r["to"]} & NEW})


def test_the_new_types_cover_what_real_actions_used():
    pairs = {(f, t) for f, t, _ in DEFAULTS}
    assert {("leads", "tasks"), ("leads", "deals"), ("orders", "line_items"), ("orders", "contacts"),
            ("carts", "line_items"), ("contacts", "invoices"), ("deals", "subscriptions")} <= pairs
    industry = {"appointments", "courses", "listings", "services"}
    for one in industry:
        assert {(one, other) for other in {"contacts", "companies", "deals", "tickets"} | ACTIVITIES} <= pairs
        assert {(other, one) for other in {"contacts", "companies", "deals", "tickets"} | ACTIVITIES} <= pairs
    assert len(DEFAULTS) >= 160


@pytest.mark.parametrize("from_type, to_type, type_id", DEFAULTS, ids=[f"{f}-{t}" for f, t, _ in DEFAULTS])
def test_a_default_association_links_both_ways(portal_api, empty_portal, from_type, to_type, type_id):
    one, other = make(empty_portal, from_type), make(empty_portal, to_type)
    put = portal_api.put(f"/crm/v4/objects/{from_type}/{one}/associations/default/{to_type}/{other}")
    assert put.status_code == 200, put.text
    assert put.json()["results"][0]["associationSpec"] == {"associationCategory": "HUBSPOT_DEFINED",
                                                           "associationTypeId": type_id}
    back = portal_api.get(f"/crm/v4/objects/{to_type}/{other}/associations/{from_type}").json()["results"]
    inverse = next(r["inverse"] for r in ROWS if (r["from"], r["typeId"]) == (from_type, type_id))
    assert back == [{"toObjectId": int(one), "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": inverse, "label": None}]}]


def test_an_orders_line_items_through_the_client(hubspot_client, empty_portal):
    """The v4 default PUT a real action made, and the order's line items read back by v3."""
    order, line = make(empty_portal, "orders"), make(empty_portal, "line_items")
    hubspot_client.crm.associations.v4.basic_api.create_default("orders", order, "line_items", line)
    got = hubspot_client.crm.objects.basic_api.get_by_id("orders", order, associations=["line_items"])
    assert [(a.id, a.type) for a in got.associations["line_items"].results] == [(line, "order_to_line_item")]


def test_a_leads_tasks_are_found_and_deleted(hubspot_client, empty_portal):
    """As an action deleting a lead's automation tasks does: list the lead's tasks, archive them."""
    lead = make(empty_portal, "leads")
    tasks = [make(empty_portal, "tasks") for _ in range(2)]
    for task in tasks:
        hubspot_client.crm.associations.v4.basic_api.create(
            "tasks", task, "leads", lead, [AssociationSpec("HUBSPOT_DEFINED", 647)])
    listed = hubspot_client.crm.associations.v4.basic_api.get_page("leads", lead, "tasks")
    assert sorted(str(r.to_object_id) for r in listed.results) == sorted(tasks)
    assert {t.type_id for r in listed.results for t in r.association_types} == {646}
    for result in listed.results:
        hubspot_client.crm.objects.basic_api.archive("tasks", str(result.to_object_id))
    assert empty_portal.backend.counts().get("tasks", 0) == 0


def test_a_lead_is_created_with_its_primary_contact_and_its_deal(portal_api, empty_portal):
    person, deal = make(empty_portal, "contacts"), make(empty_portal, "deals")
    created = portal_api.post("/crm/v3/objects/leads", json={"properties": {"hs_lead_name": "Ada"}, "associations": [
        {"to": {"id": person}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 578}]},
        {"to": {"id": deal}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 582}]}]})
    assert created.status_code == 201, created.text
    lead = created.json()["id"]
    labels = portal_api.get(f"/crm/v4/objects/deals/{deal}/associations/leads").json()["results"]
    assert labels == [{"toObjectId": int(lead), "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 583, "label": "Primary"}]}]
    found = portal_api.post("/crm/v3/objects/leads/search", json={"filterGroups": [{"filters": [
        {"propertyName": "associations.contact", "operator": "EQ", "value": person}]}]}).json()
    assert [r["id"] for r in found["results"]] == [lead]


def test_v3_names_the_types_of_a_pair(portal_api):
    types = portal_api.get("/crm/v3/associations/leads/deals/types").json()["results"]
    assert types == [{"id": "582", "name": "lead_to_deal"}, {"id": "1037", "name": "lead_to_deal_unlabeled"}]


def test_a_seed_takes_an_order_with_its_line_items(empty_portal):
    counts = empty_portal.seed({
        "records": {"orders": [{"id": "1", "properties": {"hs_order_name": "Camping"}}],
                    "line_items": [{"id": "2", "properties": {"name": "Tent", "price": "100", "quantity": "1"}}],
                    "companies": [{"id": "3", "properties": {"name": "Acme"}}]},
        "associations": [{"from": "orders/1", "to": "line_items/2"},
                         {"from": "orders/1", "to": "companies/3", "types": [
                             {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 509}]}]})
    assert counts["associations"] == 2
    assert [r["toObjectId"] for r in empty_portal.backend.associations("line_items", 2, "orders")[0]] == [1]
    assert empty_portal.backend.associations("companies", 3, "orders")[0][0]["associationTypes"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 510, "label": "Primary"}]


def test_the_default_seed_links_the_industry_objects(empty_portal):
    empty_portal.seed_default()
    linked = {(one, other): empty_portal.backend.associations(one.split("/")[0], int(one.split("/")[1]), other)[0]
              for one, other in (("appointments/1040", "contacts"), ("courses/1041", "contacts"),
                                 ("listings/1042", "contacts"), ("services/1043", "companies"))}
    assert {pair: [(r["toObjectId"], r["associationTypes"][0]["typeId"]) for r in rows]
            for pair, rows in linked.items()} == {
        ("appointments/1040", "contacts"): [(1, 966)], ("courses/1041", "contacts"): [(2, 860)],
        ("listings/1042", "contacts"): [(3, 882)], ("services/1043", "companies"): [(301, 792)]}


def test_a_pair_still_without_a_type_is_refused(portal_api, empty_portal):
    order, note = make(empty_portal, "orders"), make(empty_portal, "notes")
    put = portal_api.put(f"/crm/v4/objects/orders/{order}/associations/default/notes/{note}")
    assert put.status_code == 400
    assert put.json()["message"] == "There is no default association type between orders and notes"

"""Associations between activities, line items, quotes, leads and the CRM's records: inline on
create, v3 reads, search filters, v4 routes, refused pairs, and seeds."""
import pytest

from tests.support import contact

DUE = "2025-05-01T10:00:00Z"


def spec(type_id):
    return [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]


def task_on(portal_api, contact_id, subject="Follow up"):
    created = portal_api.post("/crm/v3/objects/tasks", json={"properties": {"hs_timestamp": DUE, "hs_task_subject": subject},
                                                      "associations": [{"to": {"id": contact_id}, "types": spec(204)}]})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_a_task_created_with_an_association_is_on_the_contact(portal_api, empty_portal):
    person = contact(empty_portal, "ada@example.com")
    task = task_on(portal_api, person)
    listed = portal_api.get(f"/crm/v4/objects/contacts/{person}/associations/tasks").json()["results"]
    assert listed == [{"toObjectId": int(task), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 203, "label": None}]}]


def test_v3_get_reads_associations_of_several_types(portal_api, empty_portal):
    person = contact(empty_portal, "ada@example.com")
    task = task_on(portal_api, person)
    note = portal_api.post("/crm/v3/objects/notes", json={"properties": {"hs_timestamp": DUE, "hs_note_body": "Hi"},
                                                   "associations": [{"to": {"id": person}, "types": spec(202)}]}).json()["id"]
    got = portal_api.get(f"/crm/v3/objects/contacts/{person}?associations=tasks,notes,calls").json()
    assert got["associations"] == {"tasks": {"results": [{"id": task, "type": "contact_to_task"}]},
                                   "notes": {"results": [{"id": note, "type": "contact_to_note"}]}}


def test_search_finds_a_contacts_tasks_by_association(portal_api, empty_portal):
    ada, grace = contact(empty_portal, "ada@example.com"), contact(empty_portal, "grace@example.com")
    mine = [task_on(portal_api, ada, "One"), task_on(portal_api, ada, "Two")]
    task_on(portal_api, grace, "Other")
    found = portal_api.post("/crm/v3/objects/tasks/search", json={"filterGroups": [{"filters": [
        {"propertyName": "associations.contact", "operator": "EQ", "value": ada}]}], "properties": ["hs_task_subject"]})
    assert found.status_code == 200
    assert sorted(r["id"] for r in found.json()["results"]) == sorted(mine)
    both = portal_api.post("/crm/v3/objects/tasks/search", json={"filterGroups": [{"filters": [
        {"propertyName": "associations.contact", "operator": "EQ", "value": ada},
        {"propertyName": "hs_task_subject", "operator": "EQ", "value": "Two"}]}]}).json()
    assert [r["id"] for r in both["results"]] == [mine[1]]


def test_an_association_filter_takes_eq_and_in_only(portal_api, empty_portal):
    response = portal_api.post("/crm/v3/objects/tasks/search", json={"filterGroups": [{"filters": [
        {"propertyName": "associations.contact", "operator": "GT", "value": "1"}]}]})
    assert response.status_code == 400
    assert response.json()["message"] == "Filters on associations.contact take the operators EQ and IN, but GT was given."


@pytest.mark.parametrize("activity, record, forward", [
    ("calls", "deals", 206), ("emails", "companies", 186), ("meetings", "tickets", 226), ("notes", "deals", 214),
    ("tasks", "companies", 192), ("postal_mail", "contacts", 453), ("communications", "contacts", 81)])
def test_v4_routes_link_every_activity_to_records(portal_api, empty_portal, activity, record, forward):
    activity_id = portal_api.post(f"/crm/v3/objects/{activity}", json={"properties": {"hs_timestamp": DUE}}).json()["id"]
    record_id = str(empty_portal.backend.create(record, {}).id)
    put = portal_api.put(f"/crm/v4/objects/{activity}/{activity_id}/associations/{record}/{record_id}", json=spec(forward))
    assert put.status_code == 201, put.text
    listed = portal_api.get(f"/crm/v4/objects/{record}/{record_id}/associations/{activity}").json()["results"]
    assert [entry["toObjectId"] for entry in listed] == [int(activity_id)]
    assert portal_api.delete(f"/crm/v4/objects/{activity}/{activity_id}/associations/{record}/{record_id}").status_code == 204
    default = portal_api.put(f"/crm/v4/objects/{record}/{record_id}/associations/default/{activity}/{activity_id}")
    assert default.status_code == 200
    batch = portal_api.post(f"/crm/v4/associations/{activity}/{record}/batch/read", json={"inputs": [{"id": activity_id}]})
    assert [t["typeId"] for t in batch.json()["results"][0]["to"][0]["associationTypes"]] == [forward]


def test_line_items_and_quotes_link_to_deals(portal_api, empty_portal):
    deal = str(empty_portal.backend.create("deals", {"dealname": "D"}).id)
    line = portal_api.post("/crm/v3/objects/line_items", json={"properties": {"name": "Seat", "price": "10", "quantity": "3"},
                                                        "associations": [{"to": {"id": deal}, "types": spec(20)}]}).json()["id"]
    quote = portal_api.post("/crm/v3/objects/quotes", json={"properties": {"hs_title": "Q", "hs_expiration_date": DUE},
                                                     "associations": [{"to": {"id": deal}, "types": spec(64)},
                                                                      {"to": {"id": line}, "types": spec(67)}]}).json()["id"]
    got = portal_api.get(f"/crm/v3/objects/deals/{deal}?associations=line_items,quotes").json()["associations"]
    assert got == {"line_items": {"results": [{"id": line, "type": "deal_to_line_item"}]},
                   "quotes": {"results": [{"id": quote, "type": "deal_to_quote"}]}}
    labels = portal_api.get("/crm/v4/associations/quotes/line_items/labels").json()["results"]
    assert labels == [{"category": "HUBSPOT_DEFINED", "typeId": 67, "label": None}]


def test_a_pair_hubspot_does_not_associate_is_refused(portal_api, empty_portal):
    task = portal_api.post("/crm/v3/objects/tasks", json={"properties": {"hs_timestamp": DUE}}).json()["id"]
    product = portal_api.post("/crm/v3/objects/products", json={"properties": {"name": "P"}}).json()["id"]
    default = portal_api.put(f"/crm/v4/objects/tasks/{task}/associations/default/products/{product}")
    assert default.status_code == 400
    assert default.json()["message"] == "There is no default association type between tasks and products"
    labelled = portal_api.put(f"/crm/v4/objects/tasks/{task}/associations/products/{product}", json=spec(204))
    assert labelled.status_code == 400
    assert labelled.json()["message"] == "Association type 204 (HUBSPOT_DEFINED) is not valid between tasks and products"
    inline = portal_api.post("/crm/v3/objects/tasks", json={"properties": {"hs_timestamp": DUE},
                                                     "associations": [{"to": {"id": product}, "types": spec(204)}]})
    assert inline.status_code == 404   # 204 leads to a contact, and there is no contact with that id


def test_seeds_take_records_and_associations_of_every_type(empty_portal):
    counts = empty_portal.seed({
        "records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}}],
                    "tasks": [{"id": "2", "properties": {"hs_timestamp": DUE, "hs_task_status": "NOT_STARTED"}}],
                    "leads": [{"id": "3", "properties": {"hs_lead_name": "Ada"}}],
                    "line_items": [{"id": "4", "properties": {"name": "Seat", "price": "5", "quantity": "2"}}]},
        "associations": [{"from": "tasks/2", "to": "contacts/1"}, {"from": "leads/3", "to": "contacts/1"}]})
    assert (counts["records"], counts["associations"]) == (4, 2)
    assert empty_portal.record("line_items", 4)["properties"]["amount"] == "10"
    assert [r["toObjectId"] for r in empty_portal.backend.associations("contacts", 1, "tasks")[0]] == [2]


def test_a_seeded_activity_without_hs_timestamp_is_refused_naming_the_entry(empty_portal):
    from hs_actions.core.errors import SeedError
    with pytest.raises(SeedError) as raised:
        empty_portal.seed({"records": {"notes": [{"properties": {"hs_note_body": "x"}}]}})
    assert str(raised.value) == ("not seeded, nothing was added: Error creating NOTE. Some required properties were not set."
                                 " (at records.notes[0])")


def test_the_default_seed_has_activities_products_line_items_quotes_and_leads(empty_portal):
    empty_portal.seed_default()
    counts = empty_portal.backend.counts()
    assert {k: counts[k] for k in ("tasks", "notes", "calls", "meetings", "emails", "products", "line_items", "quotes", "leads")} == {
        "tasks": 100, "notes": 100, "calls": 60, "meetings": 40, "emails": 40, "products": 12, "line_items": 110,
        "quotes": 20, "leads": 30}
    deal_lines = empty_portal.backend.associations("deals", 361, "line_items")[0]
    assert deal_lines and all(empty_portal.record("line_items", e["toObjectId"])["properties"]["amount"] for e in deal_lines)
    task = empty_portal.backend.list("tasks", limit=1)[0][0]
    (person,) = [r["toObjectId"] for r in empty_portal.backend.associations("tasks", task.id, "contacts")[0]]
    found = empty_portal.backend.search("tasks", [{"filters": [
        {"propertyName": "associations.contact", "operator": "EQ", "value": str(person)}]}], [], None, None, 100, 0)
    assert task.id in [r.id for r in found[1]]

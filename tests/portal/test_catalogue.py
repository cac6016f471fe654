"""HubSpot's default property catalogue of every type, and the properties the portal computes."""
import json

import pytest

from hs_actions.portal.models import load
from tests.support import contact

TASK = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}]


def options(portal_api, object_type, name):
    return [o["value"] for o in portal_api.get(f"/crm/v3/properties/{object_type}/{name}").json()["options"]]


def values(empty_portal, object_type, record_id, *names):
    return {n: empty_portal.backend.get(object_type, record_id, list(names)).properties[n] for n in names}


@pytest.mark.parametrize("object_type, at_least", [("contacts", 300), ("companies", 150), ("deals", 150), ("tickets", 150),
                                                   ("tasks", 15), ("line_items", 20), ("quotes", 20)])
def test_each_type_lists_hubspots_default_properties(portal_api, object_type, at_least):
    listed = portal_api.get(f"/crm/v3/properties/{object_type}").json()["results"]
    assert len(listed) >= at_least
    assert len({p["name"] for p in listed}) == len(listed)
    assert all(p["groupName"] and p["type"] and p["fieldType"] and p["hubspotDefined"] for p in listed)


def test_enumerations_carry_hubspots_options(portal_api):
    assert options(portal_api, "tasks", "hs_task_status") == ["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"]
    assert options(portal_api, "tasks", "hs_task_type") == ["EMAIL", "CALL", "TODO"]
    assert options(portal_api, "tasks", "hs_task_priority") == ["LOW", "MEDIUM", "HIGH"]
    assert options(portal_api, "meetings", "hs_meeting_outcome") == ["SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"]
    assert options(portal_api, "calls", "hs_call_direction") == ["INBOUND", "OUTBOUND"]
    assert options(portal_api, "contacts", "hs_lead_status") == ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                                                          "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"]
    assert options(portal_api, "contacts", "lifecyclestage")[:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    industry = options(portal_api, "companies", "industry")
    assert len(industry) == 147 and {"COMPUTER_SOFTWARE", "ALTERNATIVE_DISPUTE_RESOLUTION", "WRITING_AND_EDITING"} <= set(industry)


def test_an_enumeration_refuses_a_value_outside_its_options(portal_api):
    response = portal_api.post("/crm/v3/objects/meetings", json={"properties": {
        "hs_timestamp": "2025-05-01T10:00:00Z", "hs_meeting_outcome": "CANCELLED"}})
    assert response.status_code == 400
    assert "CANCELLED was not one of the allowed options" in response.json()["message"]


def test_sorting_companies_by_notes_last_updated_works(portal_api, empty_portal):
    older, newer = (empty_portal.backend.create("companies", {"name": n}).id for n in ("Older", "Newer"))
    for company, when in ((older, "2025-01-01T00:00:00Z"), (newer, "2025-06-01T00:00:00Z")):
        portal_api.post("/crm/v3/objects/notes", json={"properties": {"hs_timestamp": when, "hs_note_body": "n"}, "associations": [
            {"to": {"id": str(company)}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}]}]})
    found = portal_api.post("/crm/v3/objects/companies/search", json={
        "sorts": [{"propertyName": "notes_last_updated", "direction": "DESCENDING"}], "properties": ["notes_last_updated"]})
    assert found.status_code == 200
    assert [(r["id"], r["properties"]["notes_last_updated"]) for r in found.json()["results"]] == [
        (str(newer), "2025-06-01T00:00:00.000Z"), (str(older), "2025-01-01T00:00:00.000Z")]


def test_hs_email_domain_follows_the_email(portal_api, empty_portal):
    contact_id = contact(empty_portal, "ada@Analytical.Example")
    assert values(empty_portal, "contacts", contact_id, "hs_email_domain") == {"hs_email_domain": "analytical.example"}
    portal_api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"email": "ada@engine.example"}})
    assert values(empty_portal, "contacts", contact_id, "hs_email_domain") == {"hs_email_domain": "engine.example"}


def test_deals_know_whether_they_are_closed_and_won(portal_api, empty_portal):
    deal = portal_api.post("/crm/v3/objects/deals", json={"properties": {"dealname": "D", "pipeline": "default",
                                                                  "dealstage": "appointmentscheduled"}}).json()["id"]
    assert values(empty_portal, "deals", deal, "hs_is_closed", "hs_is_closed_won") == {"hs_is_closed": "false", "hs_is_closed_won": "false"}
    portal_api.patch(f"/crm/v3/objects/deals/{deal}", json={"properties": {"dealstage": "closedlost"}})
    assert values(empty_portal, "deals", deal, "hs_is_closed", "hs_is_closed_won") == {"hs_is_closed": "true", "hs_is_closed_won": "false"}
    portal_api.patch(f"/crm/v3/objects/deals/{deal}", json={"properties": {"dealstage": "closedwon"}})
    assert values(empty_portal, "deals", deal, "hs_is_closed", "hs_is_closed_won") == {"hs_is_closed": "true", "hs_is_closed_won": "true"}
    won = portal_api.post("/crm/v3/objects/deals/search", json={"filterGroups": [{"filters": [
        {"propertyName": "hs_is_closed_won", "operator": "EQ", "value": "true"}]}]}).json()
    assert [r["id"] for r in won["results"]] == [deal]


@pytest.mark.parametrize("written, amount", [
    ({"price": "10.5", "quantity": "3"}, "31.5"),
    ({"price": "100", "quantity": "2", "discount": "15"}, "170"),
    ({"price": "100", "quantity": "4", "hs_discount_percentage": "25"}, "300"),
    ({"price": "100"}, None),
])
def test_a_line_items_amount_is_quantity_times_price_less_discount(portal_api, written, amount):
    created = portal_api.post("/crm/v3/objects/line_items", json={"properties": {"name": "L", **written}}).json()
    assert created["properties"].get("amount") == amount


def test_association_counts_follow_links_unlinks_and_archives(portal_api, empty_portal):
    company = empty_portal.backend.create("companies", {"name": "Acme"}).id
    people = [contact(empty_portal, f"p{i}@acme.example") for i in range(3)]
    for person in people:
        portal_api.put(f"/crm/v4/objects/contacts/{person}/associations/default/companies/{company}")
    assert values(empty_portal, "companies", company, "num_associated_contacts") == {"num_associated_contacts": "3"}
    portal_api.delete(f"/crm/v4/objects/contacts/{people[0]}/associations/companies/{company}")
    portal_api.delete(f"/crm/v3/objects/contacts/{people[1]}")
    assert values(empty_portal, "companies", company, "num_associated_contacts") == {"num_associated_contacts": "1"}
    deal = empty_portal.backend.create("deals", {"dealname": "D"}).id
    portal_api.put(f"/crm/v4/objects/deals/{deal}/associations/default/contacts/{people[2]}")
    assert values(empty_portal, "contacts", people[2], "num_associated_deals") == {"num_associated_deals": "1"}
    assert values(empty_portal, "deals", deal, "num_associated_contacts") == {"num_associated_contacts": "1"}


def test_notes_last_updated_is_the_latest_logged_activity(portal_api, empty_portal):
    person = contact(empty_portal, "ada@example.com")
    for when in ("2025-03-01T09:00:00Z", "2025-04-01T09:00:00Z"):
        portal_api.post("/crm/v3/objects/calls", json={"properties": {"hs_timestamp": when}, "associations": [
            {"to": {"id": person}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}]}]})
    # A task is a to-do, not a logged activity: HubSpot counts it only when it is completed.
    portal_api.post("/crm/v3/objects/tasks", json={"properties": {"hs_timestamp": "2025-09-01T09:00:00Z"},
                                            "associations": [{"to": {"id": person}, "types": TASK}]})
    assert values(empty_portal, "contacts", person, "notes_last_updated") == {"notes_last_updated": "2025-04-01T09:00:00.000Z"}


@pytest.mark.parametrize("object_type, name, value", [
    ("contacts", "hs_email_domain", "x.example"), ("contacts", "num_associated_deals", "2"),
    ("deals", "hs_is_closed_won", "true"), ("companies", "notes_last_updated", "2025-01-01T00:00:00Z"),
    ("contacts", "hs_object_id", "5"), ("deals", "hs_deal_stage_probability", "0.5")])
def test_writing_a_calculated_or_read_only_property_is_hubspots_read_only_error(portal_api, object_type, name, value):
    response = portal_api.post(f"/crm/v3/objects/{object_type}", json={"properties": {name: value}})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["code"] == "READ_ONLY_VALUE"
    assert json.loads(body["message"].split(": ", 1)[1])[0]["name"] == name


def test_a_line_items_amount_is_read_only(portal_api):
    response = portal_api.post("/crm/v3/objects/line_items", json={"properties": {"name": "L", "amount": "5"}})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "READ_ONLY_VALUE"


def test_calculated_properties_the_portal_does_not_compute_are_flagged_in_the_data():
    for object_type in ("contacts", "companies", "deals", "tickets", "line_items", "tasks"):
        for row in load(f"properties/{object_type}.json")["properties"]:
            if row.get("calculated"):
                assert bool(row.get("computed")) != bool(row.get("notComputed")), (object_type, row["name"])


ENGAGEMENT = ["hubspot_team_id", "hs_all_owner_ids", "hs_all_team_ids", "hs_all_accessible_team_ids", "hs_object_source",
              "hs_object_source_id", "hs_object_source_label", "hs_object_source_user_id", "hs_object_source_detail_1"]


@pytest.mark.parametrize("activity", ["tasks", "notes", "meetings", "calls", "emails", "communications", "postal_mail"])
def test_every_activity_type_has_the_common_engagement_properties(hubspot_client, activity):
    names = {p.name for p in hubspot_client.crm.properties.core_api.get_all(activity).results}
    assert set(ENGAGEMENT) <= names


@pytest.mark.parametrize("object_type, name", [
    ("meetings", "hubspot_team_id"), ("tasks", "hs_object_source"), ("quotes", "hs_sign_status"),
    ("quotes", "hs_esign_date"), ("contacts", "hs_lifecyclestage_lead_date")])
def test_the_properties_real_actions_read_exist(hubspot_client, object_type, name):
    assert hubspot_client.crm.properties.core_api.get_by_name(object_type, name).name == name


def test_real_portals_values_of_them_can_be_seeded_and_read(empty_portal, portal_api):
    empty_portal.seed({"records": {
        "tasks": [{"id": "1", "properties": {"hs_timestamp": "2025-05-01T10:00:00Z", "hubspot_team_id": "7",
                                             "hs_object_source": "CRM_UI", "hs_object_source_label": "CRM_UI"}}],
        "quotes": [{"id": "2", "properties": {"hs_title": "Q", "hs_expiration_date": "2025-06-01",
                                              "hs_sign_status": "ESIGN_COMPLETED",
                                              "hs_esign_date": "2025-05-20T09:00:00Z"}}]}})
    task = portal_api.get("/crm/v3/objects/tasks/1?properties=hubspot_team_id,hs_object_source").json()["properties"]
    assert (task["hubspot_team_id"], task["hs_object_source"]) == ("7", "CRM_UI")
    refused = portal_api.patch("/crm/v3/objects/quotes/2", json={"properties": {"hs_sign_status": "MAYBE"}})
    assert refused.json()["errors"][0]["code"] == "INVALID_OPTION"
    written = portal_api.patch("/crm/v3/objects/tasks/1", json={"properties": {"hs_object_source": "API"}})
    assert written.json()["errors"][0]["code"] == "READ_ONLY_VALUE"


def test_every_activity_file_includes_the_shared_engagement_rows_which_name_their_source():
    for activity in ("tasks", "notes", "meetings", "calls", "emails", "communications", "postal_mail"):
        data = load(f"properties/{activity}.json")
        assert data["include"] == ["_engagements"]
    assert load("properties/_engagements.json")["source"]

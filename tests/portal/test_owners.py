"""Owners v3 and the workflow callback endpoint."""
import json

import pytest
from hubspot.automation.actions import (BatchInputCallbackCompletionBatchRequest, CallbackCompletionBatchRequest,
                                       CallbackCompletionRequest)
from hubspot.crm.owners.exceptions import NotFoundException


OWNERS = {"owners": [
    {"id": "11", "email": "olivia@example.com", "firstName": "Olivia", "lastName": "Owner", "userId": 901,
     "teams": [{"id": "1", "name": "Sales", "primary": True}]},
    {"id": "12", "email": "sam@example.com", "firstName": "Sam", "lastName": "Seller", "userId": 902},
    {"id": "13", "email": "max@example.com", "firstName": "Max", "lastName": "Support", "userId": 903},
    {"id": "14", "email": "gone@example.com", "firstName": "Gone", "lastName": "Away", "userId": 904, "archived": True},
]}


def test_list_owners_pages_with_limit_and_after(hubspot_client, empty_portal):
    empty_portal.seed(OWNERS)
    first = hubspot_client.crm.owners.owners_api.get_page(limit=2)
    assert [o.id for o in first.results] == ["11", "12"]
    assert first.results[0].teams[0].name == "Sales"
    rest = hubspot_client.crm.owners.owners_api.get_page(limit=2, after=first.paging.next.after)
    assert [o.id for o in rest.results] == ["13"] and rest.paging is None
    assert empty_portal.requests()[-1]["path"] == "/crm/v3/owners/"


def test_owners_by_email_and_archived(hubspot_client, empty_portal):
    empty_portal.seed(OWNERS)
    assert [o.id for o in hubspot_client.crm.owners.owners_api.get_page(email="SAM@example.com").results] == ["12"]
    assert [o.id for o in hubspot_client.crm.owners.owners_api.get_page(archived=True).results] == ["14"]


def test_get_owner_by_id_or_user_id(hubspot_client, empty_portal):
    empty_portal.seed(OWNERS)
    owner = hubspot_client.crm.owners.owners_api.get_by_id(11)
    assert (owner.email, owner.first_name, owner.user_id, owner.type) == ("olivia@example.com", "Olivia", 901, "PERSON")
    assert hubspot_client.crm.owners.owners_api.get_by_id(902, id_property="userId").id == "12"
    with pytest.raises(NotFoundException) as raised:
        hubspot_client.crm.owners.owners_api.get_by_id(99)
    assert json.loads(raised.value.body)["message"] == "Owner not found: 99"


def test_owners_need_the_owners_scope(portal_api, empty_portal):
    empty_portal.add_token("pat-na1-no-owners", ["crm.objects.contacts.read"])
    response = portal_api.get("/crm/v3/owners/", headers={"Authorization": "Bearer pat-na1-no-owners"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.owners.read"]}


def test_the_default_seed_has_owners(hubspot_client, empty_portal):
    empty_portal.seed_default()
    owners = hubspot_client.crm.owners.owners_api.get_page().results
    assert len(owners) == 5 and all(o.email.endswith("@example-portal.com") for o in owners)


def test_workflow_callback_completion_is_recorded(hubspot_client, empty_portal):
    hubspot_client.automation.actions.callbacks_api.complete("ap-1234567-42-1-0",
                                                    CallbackCompletionRequest(output_fields={"score": "10"}))
    assert empty_portal.requests()[-1]["status"] == 204
    assert empty_portal.requests()[-1]["scopes"] == ["automation"]
    assert [(c["callbackId"], c["body"]) for c in empty_portal.callbacks()] == [
        ("ap-1234567-42-1-0", {"outputFields": {"score": "10"}})]


def test_a_batch_of_callback_completions_is_recorded_all_or_none(hubspot_client, portal_api, empty_portal):
    hubspot_client.automation.actions.callbacks_api.complete_batch(BatchInputCallbackCompletionBatchRequest(inputs=[
        CallbackCompletionBatchRequest(callback_id="ap-1-2-3-4", output_fields={"score": "10"}),
        CallbackCompletionBatchRequest(callback_id="ap-1-2-3-5", output_fields={"score": "20"})]))
    assert empty_portal.requests()[-1]["scopes"] == ["automation"]
    assert [(c["callbackId"], c["body"]) for c in empty_portal.callbacks()] == [
        ("ap-1-2-3-4", {"outputFields": {"score": "10"}}), ("ap-1-2-3-5", {"outputFields": {"score": "20"}})]
    response = portal_api.post("/automation/v4/actions/callbacks/complete", json={"inputs": [
        {"callbackId": "ap-9", "outputFields": {}}, {"outputFields": {"score": "1"}}]})
    assert (response.status_code, response.json()["message"]) == (
        400, "Invalid input JSON: inputs[1].callbackId is required")
    assert len(empty_portal.callbacks()) == 2


@pytest.mark.parametrize("after", ["-1", "next", "1.5"])
def test_owners_after_must_be_a_cursor_of_an_earlier_page(portal_api, empty_portal, after):
    empty_portal.seed(OWNERS)
    response = portal_api.get("/crm/v3/owners/", params={"after": after, "limit": 1})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"].startswith("after must be the paging.next.after of an earlier page")


@pytest.mark.parametrize("value", ["userid", "email", "ID", ""])
def test_id_property_is_id_or_user_id_and_nothing_else(portal_api, empty_portal, value):
    """HubSpot's owners spec allows idProperty id and userId only; the portal used to read any
    other value as id."""
    empty_portal.seed({"owners": [{"id": "101", "userId": 9001, "email": "o@example.com"}]})
    assert portal_api.get("/crm/v3/owners/9001?idProperty=userId").json()["id"] == "101"
    response = portal_api.get(f"/crm/v3/owners/101?idProperty={value}")
    assert (response.status_code, response.json()["message"]) == (
        400, f"idProperty must be one of id, userId, not {value!r}")

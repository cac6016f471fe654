"""Batch read/create/update/archive: 200 when all inputs succeed, 207 with errors when some fail."""
import json

import pytest
from hubspot.crm.contacts import (ApiException, BatchInputSimplePublicObjectBatchInput,
                                  BatchInputSimplePublicObjectBatchInputForCreate, BatchInputSimplePublicObjectId,
                                  BatchReadInputSimplePublicObjectId, BatchResponseSimplePublicObject,
                                  BatchResponseSimplePublicObjectWithErrors)

from tests.support import contact


def test_batch_read_of_existing_ids_is_200(hubspot_client, empty_portal):
    ids = [contact(empty_portal, f"b{i}@example.com") for i in range(3)]
    result = hubspot_client.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": i} for i in ids], properties=["email"], properties_with_history=[]))
    assert isinstance(result, BatchResponseSimplePublicObject)
    assert result.status == "COMPLETE"
    assert sorted(r.properties["email"] for r in result.results) == ["b0@example.com", "b1@example.com", "b2@example.com"]


def test_batch_read_with_missing_ids_is_207_with_one_error_naming_them(hubspot_client, empty_portal, portal_api):
    found = contact(empty_portal, "here@example.com")
    result = hubspot_client.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": found}, {"id": "9998"}, {"id": "9999"}], properties=["email"], properties_with_history=[]))
    assert isinstance(result, BatchResponseSimplePublicObjectWithErrors)
    assert result.num_errors == 1
    assert [r.id for r in result.results] == [found]
    error = result.errors[0]
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.context == {"ids": ["9998", "9999"]}
    assert error.message == ("Could not get some CONTACT objects, they may be deleted or not exist. "
                             "Check that ids are valid.")
    assert empty_portal.requests()[-1]["status"] == 207


def test_batch_read_by_email(portal_api, empty_portal):
    found = contact(empty_portal, "mail@example.com")
    response = portal_api.post("/crm/v3/objects/contacts/batch/read",
                        json={"inputs": [{"id": "mail@example.com"}], "idProperty": "email", "properties": ["email"]})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == found


def test_batch_create_is_201(hubspot_client, empty_portal):
    result = hubspot_client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": "n1@example.com"}}, {"properties": {"email": "n2@example.com"}}]))
    assert [r.properties["email"] for r in result.results] == ["n1@example.com", "n2@example.com"]
    assert empty_portal.requests()[-1]["status"] == 201
    assert empty_portal.backend.counts() == {"contacts": 2}


def test_batch_create_with_one_invalid_input_creates_nothing(hubspot_client, empty_portal):
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": {"email": "ok@example.com"}}, {"properties": {"lifecyclestage": "royalty"}}]))
    assert raised.value.status == 400
    assert json.loads(raised.value.body)["category"] == "VALIDATION_ERROR"
    assert empty_portal.backend.counts() == {}


def test_batch_create_with_the_same_email_twice_is_a_409(portal_api, empty_portal):
    response = portal_api.post("/crm/v3/objects/contacts/batch/create", json={"inputs": [
        {"properties": {"email": "twin@example.com"}}, {"properties": {"email": "TWIN@example.com"}}]})
    assert response.status_code == 409
    assert response.json()["category"] == "CONFLICT"
    assert empty_portal.backend.counts() == {}


def test_batch_update_reports_unknown_ids_in_a_207(hubspot_client, empty_portal):
    known = contact(empty_portal, "u@example.com")
    result = hubspot_client.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": known, "properties": {"firstname": "Updated"}}, {"id": "777", "properties": {"firstname": "X"}}]))
    assert isinstance(result, BatchResponseSimplePublicObjectWithErrors)
    assert result.results[0].properties["firstname"] == "Updated"
    assert result.errors[0].context == {"ids": ["777"]}
    assert empty_portal.record("contacts", known)["properties"]["firstname"] == "Updated"


def test_batch_update_all_found_is_200(portal_api, empty_portal):
    known = contact(empty_portal, "u@example.com")
    response = portal_api.post("/crm/v3/objects/contacts/batch/update",
                        json={"inputs": [{"id": known, "properties": {"lastname": "Done"}}]})
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_batch_archive_is_204_even_for_unknown_ids(hubspot_client, empty_portal):
    known = contact(empty_portal, "a@example.com")
    hubspot_client.crm.contacts.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": known}, {"id": "5555"}]))
    assert empty_portal.requests()[-1]["status"] == 204
    assert empty_portal.record("contacts", known) is None


@pytest.mark.parametrize("action", ["read", "create", "update", "archive"])
def test_more_than_100_inputs_is_a_400(portal_api, empty_portal, action):
    inputs = [{"id": str(i), "properties": {}} for i in range(101)]
    response = portal_api.post(f"/crm/v3/objects/contacts/batch/{action}", json={"inputs": inputs})
    assert response.status_code == 400
    assert response.json()["message"] == "Batch input is too large: 101 inputs were given, but the maximum is 100."
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_batch_upsert_updates_by_unique_property_or_creates(portal_api, empty_portal):
    known = contact(empty_portal, "known@example.com", firstname="Old")
    response = portal_api.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
        {"idProperty": "email", "id": "known@example.com", "properties": {"firstname": "New"}},
        {"idProperty": "email", "id": "fresh@example.com", "properties": {"firstname": "Fresh"}}]})
    assert response.status_code == 200
    results = {r["properties"]["firstname"]: r for r in response.json()["results"]}
    assert (results["New"]["id"], results["New"]["new"]) == (known, False)
    assert results["Fresh"]["new"] is True
    assert empty_portal.record("contacts", results["Fresh"]["id"])["properties"]["email"] == "fresh@example.com"


def test_batch_update_naming_a_record_twice_is_hubspots_400_and_changes_nothing(hubspot_client, empty_portal):
    known = contact(empty_portal, "d@example.com", firstname="Before")
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
            {"id": known, "properties": {"firstname": "One"}}, {"id": known, "properties": {"firstname": "Two"}}]))
    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert (body["category"], body["message"], body["context"]) == (
        "VALIDATION_ERROR", f"Duplicate IDs found in batch input: [{known}]. IDs must be unique", {"ids": [known]})
    assert empty_portal.record("contacts", known)["properties"]["firstname"] == "Before"


@pytest.mark.parametrize("action", ["read", "archive", "upsert"])
def test_other_batches_naming_a_record_twice_are_a_400_too(portal_api, empty_portal, action):
    first, second = contact(empty_portal, "e@example.com"), contact(empty_portal, "f@example.com")
    ids = [first, second, first, second, first] if action != "upsert" else ["e@example.com", "e@example.com"]
    inputs = [{"id": i, "idProperty": "email", "properties": {}} if action == "upsert" else {"id": i} for i in ids]
    response = portal_api.post(f"/crm/v3/objects/contacts/batch/{action}", json={"inputs": inputs})
    assert response.status_code == 400
    expected = f"[{first}, {second}]" if action != "upsert" else "[e@example.com]"
    assert response.json()["message"] == f"Duplicate IDs found in batch input: {expected}. IDs must be unique"
    assert empty_portal.backend.counts() == {"contacts": 2}


def test_batch_create_with_an_invalid_email_creates_nothing(hubspot_client, empty_portal):
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": {"email": "ok@example.com"}}, {"properties": {"email": "not-an-email"}}]))
    body = json.loads(raised.value.body)
    assert raised.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "INVALID_EMAIL"
    assert "Email address not-an-email is invalid" in body["message"]
    assert empty_portal.backend.counts() == {}


def test_batch_update_to_an_invalid_email_is_a_400_and_changes_nothing(portal_api, empty_portal):
    first, second = contact(empty_portal, "one@example.com"), contact(empty_portal, "two@example.com")
    response = portal_api.post("/crm/v3/objects/contacts/batch/update", json={"inputs": [
        {"id": first, "properties": {"firstname": "One"}}, {"id": second, "properties": {"email": "two@"}}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_EMAIL"
    assert empty_portal.record("contacts", first)["properties"].get("firstname") is None
    assert empty_portal.record("contacts", second)["properties"]["email"] == "two@example.com"


def test_batch_upsert_creating_by_an_invalid_email_is_a_400(portal_api, empty_portal):
    response = portal_api.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
        {"idProperty": "email", "id": "not-an-email", "properties": {"firstname": "Nobody"}}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_EMAIL"
    assert empty_portal.backend.counts() == {}

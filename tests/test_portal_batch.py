"""Batch read/create/update/archive: 200 when all inputs succeed, 207 with errors when some fail."""
import json

import pytest
from hubspot.crm.contacts import (ApiException, BatchInputSimplePublicObjectBatchInput,
                                  BatchInputSimplePublicObjectBatchInputForCreate, BatchInputSimplePublicObjectId,
                                  BatchReadInputSimplePublicObjectId, BatchResponseSimplePublicObject,
                                  BatchResponseSimplePublicObjectWithErrors)

from hs_actions.portal.testing import api, client, contact, portal, portal_session  # noqa: F401 (fixtures)


def test_batch_read_of_existing_ids_is_200(client, portal):
    ids = [contact(portal, f"b{i}@example.com") for i in range(3)]
    result = client.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": i} for i in ids], properties=["email"], properties_with_history=[]))
    assert isinstance(result, BatchResponseSimplePublicObject)
    assert result.status == "COMPLETE"
    assert sorted(r.properties["email"] for r in result.results) == ["b0@example.com", "b1@example.com", "b2@example.com"]


def test_batch_read_with_missing_ids_is_207_with_one_error_naming_them(client, portal, api):
    found = contact(portal, "here@example.com")
    result = client.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": found}, {"id": "9998"}, {"id": "9999"}], properties=["email"], properties_with_history=[]))
    assert isinstance(result, BatchResponseSimplePublicObjectWithErrors)
    assert result.num_errors == 1
    assert [r.id for r in result.results] == [found]
    error = result.errors[0]
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.context == {"ids": ["9998", "9999"]}
    assert error.message == ("Could not get some CONTACT objects, they may be deleted or not exist. "
                             "Check that ids are valid.")
    assert portal.requests()[-1]["status"] == 207


def test_batch_read_by_email(api, portal):
    found = contact(portal, "mail@example.com")
    response = api.post("/crm/v3/objects/contacts/batch/read",
                        json={"inputs": [{"id": "mail@example.com"}], "idProperty": "email", "properties": ["email"]})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == found


def test_batch_create_is_201(client, portal):
    result = client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": "n1@example.com"}}, {"properties": {"email": "n2@example.com"}}]))
    assert [r.properties["email"] for r in result.results] == ["n1@example.com", "n2@example.com"]
    assert portal.requests()[-1]["status"] == 201
    assert portal.backend.counts() == {"contacts": 2}


def test_batch_create_with_one_invalid_input_creates_nothing(client, portal):
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": {"email": "ok@example.com"}}, {"properties": {"lifecyclestage": "royalty"}}]))
    assert raised.value.status == 400
    assert json.loads(raised.value.body)["category"] == "VALIDATION_ERROR"
    assert portal.backend.counts() == {}


def test_batch_create_with_the_same_email_twice_is_a_409(api, portal):
    response = api.post("/crm/v3/objects/contacts/batch/create", json={"inputs": [
        {"properties": {"email": "twin@example.com"}}, {"properties": {"email": "TWIN@example.com"}}]})
    assert response.status_code == 409
    assert response.json()["category"] == "CONFLICT"
    assert portal.backend.counts() == {}


def test_batch_update_reports_unknown_ids_in_a_207(client, portal):
    known = contact(portal, "u@example.com")
    result = client.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": known, "properties": {"firstname": "Updated"}}, {"id": "777", "properties": {"firstname": "X"}}]))
    assert isinstance(result, BatchResponseSimplePublicObjectWithErrors)
    assert result.results[0].properties["firstname"] == "Updated"
    assert result.errors[0].context == {"ids": ["777"]}
    assert portal.record("contacts", known)["properties"]["firstname"] == "Updated"


def test_batch_update_all_found_is_200(api, portal):
    known = contact(portal, "u@example.com")
    response = api.post("/crm/v3/objects/contacts/batch/update",
                        json={"inputs": [{"id": known, "properties": {"lastname": "Done"}}]})
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_batch_archive_is_204_even_for_unknown_ids(client, portal):
    known = contact(portal, "a@example.com")
    client.crm.contacts.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": known}, {"id": "5555"}]))
    assert portal.requests()[-1]["status"] == 204
    assert portal.record("contacts", known) is None


@pytest.mark.parametrize("action", ["read", "create", "update", "archive"])
def test_more_than_100_inputs_is_a_400(api, portal, action):
    inputs = [{"id": str(i), "properties": {}} for i in range(101)]
    response = api.post(f"/crm/v3/objects/contacts/batch/{action}", json={"inputs": inputs})
    assert response.status_code == 400
    assert response.json()["message"] == "Batch input is too large: 101 inputs were given, but the maximum is 100."
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_batch_upsert_updates_by_unique_property_or_creates(api, portal):
    known = contact(portal, "known@example.com", firstname="Old")
    response = api.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
        {"idProperty": "email", "id": "known@example.com", "properties": {"firstname": "New"}},
        {"idProperty": "email", "id": "fresh@example.com", "properties": {"firstname": "Fresh"}}]})
    assert response.status_code == 200
    results = {r["properties"]["firstname"]: r for r in response.json()["results"]}
    assert (results["New"]["id"], results["New"]["new"]) == (known, False)
    assert results["Fresh"]["new"] is True
    assert portal.record("contacts", results["Fresh"]["id"])["properties"]["email"] == "fresh@example.com"


def test_batch_update_naming_a_record_twice_is_hubspots_400_and_changes_nothing(client, portal):
    known = contact(portal, "d@example.com", firstname="Before")
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
            {"id": known, "properties": {"firstname": "One"}}, {"id": known, "properties": {"firstname": "Two"}}]))
    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert (body["category"], body["message"], body["context"]) == (
        "VALIDATION_ERROR", f"Duplicate IDs found in batch input: [{known}]. IDs must be unique", {"ids": [known]})
    assert portal.record("contacts", known)["properties"]["firstname"] == "Before"


@pytest.mark.parametrize("action", ["read", "archive", "upsert"])
def test_other_batches_naming_a_record_twice_are_a_400_too(api, portal, action):
    first, second = contact(portal, "e@example.com"), contact(portal, "f@example.com")
    ids = [first, second, first, second, first] if action != "upsert" else ["e@example.com", "e@example.com"]
    inputs = [{"id": i, "idProperty": "email", "properties": {}} if action == "upsert" else {"id": i} for i in ids]
    response = api.post(f"/crm/v3/objects/contacts/batch/{action}", json={"inputs": inputs})
    assert response.status_code == 400
    expected = f"[{first}, {second}]" if action != "upsert" else "[e@example.com]"
    assert response.json()["message"] == f"Duplicate IDs found in batch input: {expected}. IDs must be unique"
    assert portal.backend.counts() == {"contacts": 2}


def test_batch_create_with_an_invalid_email_creates_nothing(client, portal):
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": {"email": "ok@example.com"}}, {"properties": {"email": "not-an-email"}}]))
    body = json.loads(raised.value.body)
    assert raised.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "INVALID_EMAIL"
    assert "Email address not-an-email is invalid" in body["message"]
    assert portal.backend.counts() == {}


def test_batch_update_to_an_invalid_email_is_a_400_and_changes_nothing(api, portal):
    first, second = contact(portal, "one@example.com"), contact(portal, "two@example.com")
    response = api.post("/crm/v3/objects/contacts/batch/update", json={"inputs": [
        {"id": first, "properties": {"firstname": "One"}}, {"id": second, "properties": {"email": "two@"}}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_EMAIL"
    assert portal.record("contacts", first)["properties"].get("firstname") is None
    assert portal.record("contacts", second)["properties"]["email"] == "two@example.com"


def test_batch_upsert_creating_by_an_invalid_email_is_a_400(api, portal):
    response = api.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
        {"idProperty": "email", "id": "not-an-email", "properties": {"firstname": "Nobody"}}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_EMAIL"
    assert portal.backend.counts() == {}

import time

import pytest

from hs_actions.portal.models import parse_time

THREE_DAYS = 3 * 86_400_000
TOKEN = "local-follow-up-task"
SCOPES = ["crm.objects.contacts.write"]


@pytest.fixture
def contact(portal):
    portal.add_token(TOKEN, SCOPES)
    portal.seed({
        "owners": [{"id": "101", "email": "olivia@example.com", "firstName": "Olivia", "lastName": "Owner"}],
        "records": {"contacts": [{"id": "11", "properties": {"email": "ada@example.com", "firstname": "Ada",
                                                              "hubspot_owner_id": "101"}}]},
    })
    return 11


def test_creates_a_task_on_the_enrolled_contact(run_action, portal, contact):
    before = int(time.time() * 1000)
    result = run_action("follow_up_task", object_id=contact, secrets={"TASKS_TOKEN": TOKEN})
    assert result.ok, result.problem
    task_id = result.outputs["task_id"]
    task = portal.record("tasks", task_id)["properties"]
    assert (task["hs_task_subject"], task["hs_task_status"], task["hs_task_type"], task["hubspot_owner_id"]) == (
        "Follow up with Ada", "NOT_STARTED", "CALL", "101")
    after = int(time.time() * 1000)
    due = parse_time(task["hs_timestamp"])
    assert before + THREE_DAYS - 1000 <= due <= after + THREE_DAYS
    linked = portal.backend.associations("contacts", contact, "tasks")[0]
    assert linked == [{"toObjectId": int(task_id), "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 203, "label": None}]}]
    assert result.scopes == SCOPES
    assert [(c["method"], c["path"], c["status"]) for c in result.api_calls] == [("POST", "/crm/v3/objects/tasks", 201)]


def test_token_without_the_write_scope(run_action, portal, contact):
    portal.add_token("read-only", ["crm.objects.contacts.read"])
    result = run_action("follow_up_task", object_id=contact, secrets={"TASKS_TOKEN": "read-only"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert "MISSING_SCOPES" in result.logs and "crm.objects.contacts.write" in result.logs
    assert portal.backend.counts().get("tasks") is None


def test_contact_that_does_not_exist(run_action, portal, contact):
    # A contact deleted after it was enrolled: HubSpot had read its properties already.
    result = run_action("follow_up_task", object_id=999, inputs={"firstname": "Ada", "hubspot_owner_id": None},
                        secrets={"TASKS_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"
    assert '"category":"OBJECT_NOT_FOUND"' in result.logs.replace(" ", "")
    assert portal.backend.counts().get("tasks") is None


def test_rate_limit_makes_hubspot_retry(run_action, portal, contact):
    portal.fail("POST", r"/crm/v3/objects/tasks", status=429)
    result = run_action("follow_up_task", object_id=contact, secrets={"TASKS_TOKEN": TOKEN})
    assert result.status == "retry"
    assert result.error.type == "ApiException"
    assert result.retry.startswith("HubSpot would retry this execution")
    assert portal.backend.counts().get("tasks") is None

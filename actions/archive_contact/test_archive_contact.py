import pytest

TOKEN = "local-archive-contact"
SCOPES = ["crm.objects.contacts.read", "crm.objects.contacts.write"]


@pytest.fixture
def contact(portal):
    portal.add_token(TOKEN, SCOPES)
    portal.seed({"records": {"contacts": [{"id": "501", "properties": {"email": "ada@example.com"}}]}})
    return 501


def test_archives_the_enrolled_contact(run_action, portal, contact):
    result = run_action("archive_contact", object_id=contact, secrets={"TEST_SECRET": TOKEN})
    assert result.ok, result.problem
    assert result.outputs == {"archived_email": "ada@example.com"}
    assert portal.record("contacts", contact) is None
    portal.assert_requested("DELETE", "/crm/v3/objects/contacts/501", status=204)
    assert result.scopes == sorted(SCOPES)
    assert [(c["method"], c["status"]) for c in result.api_calls] == [("GET", 200), ("DELETE", 204)]


def test_token_without_the_write_scope(run_action, portal, contact):
    portal.add_token("read-only", ["crm.objects.contacts.read"])
    result = run_action("archive_contact", object_id=contact, secrets={"TEST_SECRET": "read-only"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert "MISSING_SCOPES" in result.logs and "crm.objects.contacts.write" in result.logs
    assert portal.record("contacts", contact) is not None


def test_contact_that_does_not_exist(run_action, portal, contact):
    result = run_action("archive_contact", object_id=999, secrets={"TEST_SECRET": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"
    assert '"category":"OBJECT_NOT_FOUND"' in result.logs.replace(" ", "")


def test_rate_limit_makes_hubspot_retry(run_action, portal, contact):
    portal.fail("DELETE", r"/crm/v3/objects/contacts/\d+", status=429)
    result = run_action("archive_contact", object_id=contact, secrets={"TEST_SECRET": TOKEN})
    assert result.status == "retry"
    assert result.error.type == "ApiException"
    assert result.retry.startswith("HubSpot would retry this execution")
    assert portal.record("contacts", contact) is not None

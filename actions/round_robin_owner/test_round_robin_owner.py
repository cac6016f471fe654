import pytest

TOKEN = "local-round-robin"


@pytest.fixture
def crm(portal):
    portal.add_token(TOKEN, ["crm.objects.owners.read", "crm.objects.contacts.write"])
    portal.seed({
        "owners": [
            {"id": "7", "email": "ann@sales.example", "firstName": "Ann", "lastName": "A"},
            {"id": "8", "email": "bob@sales.example", "firstName": "Bob", "lastName": "B"},
            {"id": "9", "email": "cy@support.example", "firstName": "Cy", "lastName": "C"},
        ],
        "records": {"contacts": [{"id": str(i), "properties": {"email": f"c{i}@x.example"}} for i in (30, 31, 32)]},
    })


def owner_of(portal, contact_id):
    return portal.record("contacts", contact_id)["properties"].get("hubspot_owner_id")


def test_rotates_through_all_owners(run_action, portal, crm):
    picked = [run_action("round_robin_owner", object_id=i, secrets={"HUBSPOT_TOKEN": TOKEN}).outputs["owner_id"]
              for i in (30, 31, 32)]
    assert picked == ["7", "8", "9"]
    assert [owner_of(portal, i) for i in (30, 31, 32)] == ["7", "8", "9"]


def test_team_domain_limits_the_rotation(run_action, portal, crm):
    result = run_action("round_robin_owner", object_id=31, inputs={"team_domain": "sales.example"},
                        secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.ok, result.problem
    assert result.outputs == {"owner_id": "8", "owner_email": "bob@sales.example"}
    assert sorted(result.scopes) == ["crm.objects.contacts.write", "crm.objects.owners.read"]


def test_no_owners_in_the_team(run_action, portal, crm):
    result = run_action("round_robin_owner", object_id=31, inputs={"team_domain": "nobody.example"},
                        secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.message == "no active owners to rotate through (team domain 'nobody.example')"


def test_missing_owner_scope(run_action, portal, crm):
    portal.add_token("contacts-only", ["crm.objects.contacts.write"])
    result = run_action("round_robin_owner", object_id=30, secrets={"HUBSPOT_TOKEN": "contacts-only"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert owner_of(portal, 30) is None


def test_unknown_contact(run_action, portal, crm):
    result = run_action("round_robin_owner", object_id=77, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"


def test_rate_limited_update_is_retried(run_action, portal, crm):
    portal.fail("PATCH", r"/crm/v3/objects/contacts/\d+", status=429)
    result = run_action("round_robin_owner", object_id=30, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "retry"
    assert owner_of(portal, 30) is None

import pytest

TOKEN = "local-hubdb-routing"
SCOPES = ["crm.objects.contacts.write", "hubdb"]
TERRITORIES = {"name": "territories", "label": "Territories",
               "columns": [{"name": "country", "type": "TEXT"}, {"name": "state", "type": "TEXT"},
                           {"name": "owner_id", "type": "TEXT"}],
               "rows": [{"name": "US catch-all", "values": {"country": "United States", "owner_id": "7"}},
                        {"name": "Massachusetts", "values": {"country": "United States", "state": "MA", "owner_id": "8"}},
                        {"name": "Germany", "values": {"country": "Germany", "owner_id": "9"}}]}


@pytest.fixture
def crm(portal):
    portal.add_token(TOKEN, SCOPES)
    portal.seed({
        "owners": [{"id": str(i), "email": f"owner{i}@sales.example"} for i in (7, 8, 9)],
        "records": {"contacts": [
            {"id": "30", "properties": {"email": "ma@x.example", "country": "United States", "state": "MA"}},
            {"id": "31", "properties": {"email": "tx@x.example", "country": "United States", "state": "TX"}},
            {"id": "32", "properties": {"email": "fr@x.example", "country": "France"}}]},
    })


@pytest.fixture
def table(portal, crm):
    portal.seed({"hubdb": [TERRITORIES]})


def owner_of(portal, contact_id):
    return portal.record("contacts", contact_id)["properties"].get("hubspot_owner_id")


def run(run_action, contact_id, token=TOKEN):
    return run_action("hubdb_territory_owner", object_id=contact_id, secrets={"HUBDB_ROUTING_TOKEN": token})


def test_the_states_row_wins_over_the_countrys(run_action, portal, table):
    result = run(run_action, 30)
    assert result.ok, result.problem
    assert result.outputs == {"owner_id": "8", "territory": "Massachusetts"}
    assert owner_of(portal, 30) == "8"
    assert result.scopes == SCOPES
    assert [(c["method"], c["path"], c["status"]) for c in result.api_calls] == [
        ("GET", "/cms/v3/hubdb/tables/territories/rows", 200), ("PATCH", "/crm/v3/objects/contacts/30", 200)]


def test_a_state_without_a_row_gets_the_countrys_owner(run_action, portal, table):
    result = run(run_action, 31)
    assert result.outputs == {"owner_id": "7", "territory": "US catch-all"}
    assert owner_of(portal, 31) == "7"


def test_no_territory_leaves_the_owner_alone(run_action, portal, table):
    result = run(run_action, 32)
    assert result.ok, result.problem
    assert result.outputs == {"owner_id": "", "territory": ""}
    assert owner_of(portal, 32) is None
    assert "no territory for 'France' / '': owner unchanged" in result.logs


def test_a_token_without_the_hubdb_scope(run_action, portal, table):
    portal.add_token("contacts-only", ["crm.objects.contacts.write"])
    result = run(run_action, 30, token="contacts-only")
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert "HubDB error 403 reading table territories" in result.logs
    assert owner_of(portal, 30) is None


def test_a_missing_table_is_a_404(run_action, portal, crm):
    result = run(run_action, 30)
    assert result.status == "error"
    assert result.error.type == "NotFoundException"
    assert "HubDB error 404 reading table territories" in result.logs


def test_a_contact_that_does_not_exist_is_a_404(run_action, portal, table):
    result = run_action("hubdb_territory_owner", object_id=999, inputs={"country": "Germany", "state": ""},
                        secrets={"HUBDB_ROUTING_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"
    assert "HubSpot API error 404 updating contact 999" in result.logs


def test_a_rate_limited_read_is_retried(run_action, portal, table):
    portal.fail("GET", r"/cms/v3/hubdb/tables/territories/rows", status=429)
    result = run(run_action, 30)
    assert result.status == "retry"
    assert result.retry.startswith("HubSpot would retry this execution")
    assert owner_of(portal, 30) is None

import pytest

TOKEN = "local-copy-industry"


@pytest.fixture
def crm(portal):
    portal.add_token(TOKEN, ["crm.objects.companies.read", "crm.objects.deals.read", "crm.objects.deals.write"])
    deals = [{"id": str(1000 + i), "properties": {"dealname": f"Deal {i}"}} for i in range(150)]
    portal.seed({
        "records": {
            "companies": [{"id": "40", "properties": {"name": "Initech", "industry": "COMPUTER_SOFTWARE"}},
                          {"id": "41", "properties": {"name": "Lonely"}}],
            "deals": deals + [{"id": "2000", "properties": {"dealname": "Unrelated"}}],
        },
        "associations": [{"from": f"companies/40", "to": f"deals/{1000 + i}"} for i in range(150)],
    })


def description(portal, deal_id):
    return portal.record("deals", deal_id)["properties"].get("description")


def test_copies_to_every_associated_deal_in_batches(run_action, portal, crm):
    result = run_action("copy_company_industry_to_deals", object_id=40, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.ok, result.problem
    assert result.outputs == {"deals_updated": 150}
    assert result.event["inputFields"] == {"industry": "COMPUTER_SOFTWARE"}
    assert {description(portal, 1000 + i) for i in range(150)} == {"Industry: COMPUTER_SOFTWARE"}
    assert description(portal, 2000) is None
    assert len(portal.assert_requested("POST", "/crm/v3/objects/deals/batch/update", status=200)) == 2


def test_company_without_industry(run_action, portal, crm):
    result = run_action("copy_company_industry_to_deals", object_id=41, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.outputs == {"deals_updated": 0}
    assert result.api_calls == []


def test_missing_write_scope(run_action, portal, crm):
    portal.add_token("read-only", ["crm.objects.companies.read", "crm.objects.deals.read"])
    result = run_action("copy_company_industry_to_deals", object_id=40, secrets={"HUBSPOT_TOKEN": "read-only"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"


def test_company_not_found(run_action, portal, crm):
    result = run_action("copy_company_industry_to_deals", object_id=99, inputs={"industry": "X"},
                        secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limit_or_server_error_is_retried(run_action, portal, crm, status):
    portal.fail("POST", r"/crm/v3/objects/deals/batch/update", status=status)
    result = run_action("copy_company_industry_to_deals", object_id=40, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "retry"
    assert result.api_calls[-1]["status"] == status

import pytest

TOKEN = "local-line-item-total"
SCOPES = ["crm.objects.deals.read", "crm.objects.line_items.read"]
DEAL_TO_LINE_ITEM = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 19}]


@pytest.fixture
def deal(portal):
    portal.add_token(TOKEN, SCOPES)
    portal.seed({
        "records": {
            "deals": [{"id": "361", "properties": {"dealname": "Renewal"}}, {"id": "362", "properties": {"dealname": "Empty"}}],
            "line_items": [
                {"id": "1", "properties": {"name": "Seats", "price": "100", "quantity": "3"}},
                {"id": "2", "properties": {"name": "Support", "price": "250", "quantity": "2", "discount": "25"}},
                {"id": "3", "properties": {"name": "Training", "price": "80", "quantity": "1", "hs_discount_percentage": "50"}},
                {"id": "4", "properties": {"name": "Other deal's", "price": "999", "quantity": "1"}},
            ],
        },
        "associations": [{"from": "deals/361", "to": f"line_items/{i}", "types": DEAL_TO_LINE_ITEM} for i in (1, 2, 3)],
    })
    return 361


def test_sums_the_amounts_of_the_deals_line_items(run_action, portal, deal):
    result = run_action("deal_line_item_total", object_id=deal, secrets={"DEALS_TOKEN": TOKEN})
    assert result.ok, result.problem
    # 3 x 100 + 2 x (250 - 25) + 1 x 80 x 50%
    assert result.outputs == {"line_item_total": 790, "line_item_count": 3}
    assert result.scopes == SCOPES
    assert [(c["method"], c["path"]) for c in result.api_calls] == [
        ("GET", "/crm/v4/objects/deals/361/associations/line_items"), ("POST", "/crm/v3/objects/line_items/batch/read")]


def test_a_deal_without_line_items_totals_zero(run_action, portal, deal):
    result = run_action("deal_line_item_total", object_id=362, secrets={"DEALS_TOKEN": TOKEN})
    assert result.outputs == {"line_item_total": 0, "line_item_count": 0}


def test_token_without_the_line_items_scope(run_action, portal, deal):
    portal.add_token("deals-only", ["crm.objects.deals.read"])
    result = run_action("deal_line_item_total", object_id=deal, secrets={"DEALS_TOKEN": "deals-only"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert "crm.objects.line_items.read" in result.logs


def test_deal_that_does_not_exist(run_action, portal, deal):
    result = run_action("deal_line_item_total", object_id=999, secrets={"DEALS_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"


def test_rate_limit_makes_hubspot_retry(run_action, portal, deal):
    portal.fail("POST", r"/crm/v3/objects/line_items/batch/read", status=429)
    result = run_action("deal_line_item_total", object_id=deal, secrets={"DEALS_TOKEN": TOKEN})
    assert result.status == "retry"
    assert result.error.type == "ApiException"

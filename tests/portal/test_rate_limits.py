"""Rate limits per tier: X-HubSpot-RateLimit-* headers, and HubSpot's 429 when over."""
import json

import pytest
from hubspot.crm.contacts import ApiException


@pytest.mark.parametrize("tier, per_interval, daily", [
    ("starter", 100, 250000), ("professional", 190, 625000), ("enterprise", 190, 1000000), ("increase", 250, 1625000),
    ("capacity", 250, 1625000),   # simulate --tier's name of the same pack
])
def test_every_answer_carries_the_tiers_headers(portal_api, empty_portal, tier, per_interval, daily):
    empty_portal.rate_limit(tier)
    response = portal_api.get("/crm/v3/objects/contacts")
    assert response.status_code == 200
    assert response.headers["X-HubSpot-RateLimit-Max"] == str(per_interval)
    assert response.headers["X-HubSpot-RateLimit-Remaining"] == str(per_interval - 1)
    assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert response.headers["X-HubSpot-RateLimit-Daily"] == str(daily)
    assert response.headers["X-HubSpot-RateLimit-Daily-Remaining"] == str(daily - 1)


def test_the_101st_call_in_ten_seconds_on_starter_is_a_429(hubspot_client, portal_api, empty_portal):
    empty_portal.rate_limit("starter")
    for _ in range(100):
        assert portal_api.get("/crm/v3/objects/contacts?limit=1").status_code == 200
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.contacts.basic_api.get_page()
    error = raised.value
    assert error.status == 429
    body = json.loads(error.body)
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert set(body) == {"status", "message", "errorType", "correlationId", "policyName", "requestId"}
    assert error.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert error.headers["X-HubSpot-RateLimit-Max"] == "100"
    assert empty_portal.requests()[-1]["status"] == 429


def test_the_window_is_per_token(portal_api, empty_portal):
    empty_portal.rate_limit("starter")
    empty_portal.add_token("pat-na1-second-app", None)
    for _ in range(100):
        portal_api.get("/crm/v3/objects/contacts?limit=1")
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 429
    other = portal_api.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer pat-na1-second-app"})
    assert other.status_code == 200


def test_the_window_rolls(empty_portal):
    from hs_actions.portal.limits import RateLimiter
    limiter = RateLimiter("starter")
    for i in range(100):
        limiter.admit("t", now=1000.0 + i * 0.01)
    with pytest.raises(Exception) as raised:
        limiter.admit("t", now=1005.0)
    assert raised.value.status == 429
    assert limiter.admit("t", now=1010.005)["X-HubSpot-RateLimit-Remaining"] == "0"   # 1000.00 left the window
    assert limiter.admit("t", now=1011.0)["X-HubSpot-RateLimit-Remaining"] == "98"


def test_the_daily_limit_is_a_429_with_the_daily_policy(portal_api, empty_portal):
    empty_portal.rate_limit("starter")
    empty_portal.limiter.used_today = 250000        # as if the account had used its day
    response = portal_api.get("/crm/v3/objects/contacts")
    assert response.status_code == 429
    assert response.json()["policyName"] == "DAILY"
    assert response.json()["message"] == "You have reached your daily limit."


def test_search_has_its_own_per_second_limit_and_no_headers(portal_api, empty_portal):
    empty_portal.rate_limit("starter")
    answers = [portal_api.post("/crm/v3/objects/contacts/search", json={}) for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert "X-HubSpot-RateLimit-Max" not in answers[0].headers
    assert answers[5].status_code == 429
    assert answers[5].json()["policyName"] == "SECONDLY"


def test_unlimited_sends_no_headers(portal_api, empty_portal):
    empty_portal.rate_limit("unlimited")
    response = portal_api.get("/crm/v3/objects/contacts")
    assert "X-HubSpot-RateLimit-Max" not in response.headers


def test_an_unknown_tier_is_refused(empty_portal):
    with pytest.raises(ValueError, match="unknown rate-limit tier 'gold'"):
        empty_portal.rate_limit("gold")

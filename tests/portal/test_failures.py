"""portal.fail(): forced 429s and 5xx on chosen routes, as HubSpot sends them."""
import json

import pytest
from hubspot.crm.contacts import ApiException
from hubspot.crm.contacts.exceptions import ServiceException

from tests.support import contact


def test_a_forced_429_has_the_rate_limit_body_and_headers_then_calls_succeed(hubspot_client, empty_portal):
    empty_portal.rate_limit("starter")
    contact_id = contact(empty_portal, "x@example.com")
    empty_portal.fail("GET", r"^/crm/v3/objects/contacts/\d+$", status=429, times=2)
    for _ in range(2):
        with pytest.raises(ApiException) as raised:
            hubspot_client.crm.contacts.basic_api.get_by_id(contact_id)
        assert raised.value.status == 429
        assert json.loads(raised.value.body)["errorType"] == "RATE_LIMIT"
        assert raised.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert hubspot_client.crm.contacts.basic_api.get_by_id(contact_id).id == contact_id


def test_a_forced_5xx_raises_the_clients_service_exception(hubspot_client, empty_portal):
    empty_portal.fail("POST", "/search$", status=503)
    from hubspot.crm.contacts import PublicObjectSearchRequest
    with pytest.raises(ServiceException) as raised:
        hubspot_client.crm.contacts.search_api.do_search(PublicObjectSearchRequest(filter_groups=[]))
    assert raised.value.status == 503
    body = json.loads(raised.value.body)
    assert body["category"] == "INTERNAL_ERROR" and body["message"] == "internal error"


def test_failures_apply_only_to_the_matching_method_and_path(portal_api, empty_portal):
    empty_portal.fail("DELETE", "/contacts/", status=500)
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 200
    assert portal_api.delete("/crm/v3/objects/contacts/1").status_code == 500
    assert portal_api.delete("/crm/v3/objects/contacts/1").status_code == 404


def test_reset_forgets_failures(portal_api, empty_portal):
    empty_portal.fail("*", ".", status=502, times=5)
    empty_portal.reset()
    empty_portal.add_token(portal_api.headers["Authorization"][7:])
    assert portal_api.get("/crm/v3/objects/contacts").status_code == 200


def test_only_429_and_5xx_can_be_forced(empty_portal):
    with pytest.raises(ValueError, match="a forced failure is a 429 or a 5xx status, not 404"):
        empty_portal.fail("GET", ".", status=404)

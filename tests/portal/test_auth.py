"""Tokens: 401 for a missing, unknown or revoked token; 403 MISSING_SCOPES naming the scope."""
import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts.exceptions import ForbiddenException, UnauthorizedException

from hs_actions.portal import exceptions


def test_no_authorization_header_is_hubspots_401(portal_api, empty_portal):
    response = portal_api.get("/crm/v3/objects/contacts", headers={"Authorization": None})
    assert response.status_code == 401
    body = response.json()
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"] == ("Authentication credentials not found. This API supports OAuth 2.0 authentication "
                               "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
    assert set(body) == {"status", "message", "correlationId", "category"}
    assert response.headers["X-HubSpot-Correlation-Id"] == body["correlationId"]


def test_unknown_token_through_the_client(empty_portal):
    client = HubSpot(access_token="pat-na1-not-a-token", host=empty_portal.server.url)
    with pytest.raises(UnauthorizedException) as raised:
        client.crm.contacts.basic_api.get_page()
    assert json.loads(raised.value.body)["message"] == exceptions.MISSING_CREDENTIALS


def test_revoked_token_is_expired(empty_portal):
    empty_portal.add_token("pat-na1-rotated", ["crm.objects.contacts.read"], name="old")
    empty_portal.revoke_token("pat-na1-rotated")
    client = HubSpot(access_token="pat-na1-rotated", host=empty_portal.server.url)
    with pytest.raises(UnauthorizedException) as raised:
        client.crm.contacts.basic_api.get_page()
    body = json.loads(raised.value.body)
    assert body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"] == "The OAuth token used to make this call expired 0 day(s) ago."
    assert list(body["context"]) == ["expire time"]


def test_missing_scope_is_a_403_naming_it(empty_portal):
    empty_portal.add_token("pat-na1-read-only", ["crm.objects.contacts.read"], name="reader")
    client = HubSpot(access_token="pat-na1-read-only", host=empty_portal.server.url)
    from hubspot.crm.contacts import SimplePublicObjectInputForCreate
    with pytest.raises(ForbiddenException) as raised:
        client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": "x@example.com"}))
    body = json.loads(raised.value.body)
    assert body["category"] == "MISSING_SCOPES"
    assert body["message"] == ("This app hasn't been granted all required scopes to make this call. Read more about "
                               "required scopes here: https://developers.hubspot.com/scopes.")
    assert body["errors"] == [{"message": "One or more of the following scopes are required.",
                               "context": {"requiredGranularScopes": ["crm.objects.contacts.write"]}}]
    assert body["links"] == {"scopes": "https://developers.hubspot.com/scopes"}
    assert empty_portal.backend.counts() == {}


@pytest.mark.parametrize("path, scope", [
    ("/crm/v3/objects/companies", "crm.objects.companies.read"),
    ("/crm/v3/objects/deals", "crm.objects.deals.read"),
    ("/crm/v3/objects/tickets", "tickets"),
    ("/crm/v3/properties/deals", "crm.schemas.deals.read"),
    ("/crm/v3/owners/", "crm.objects.owners.read"),
])
def test_each_route_names_its_scope(portal_api, empty_portal, path, scope):
    empty_portal.add_token("pat-na1-nothing", [])
    response = portal_api.get(path, headers={"Authorization": "Bearer pat-na1-nothing"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == [scope]


def test_scopes_needed_is_the_minimal_set_of_a_run(portal_api, empty_portal):
    portal_api.get("/crm/v3/objects/contacts", headers={"X-HS-Actions-Run": "run-a"})
    portal_api.post("/crm/v3/objects/contacts/search", json={}, headers={"X-HS-Actions-Run": "run-a"})
    portal_api.get("/crm/v3/owners/", headers={"X-HS-Actions-Run": "run-a"})
    portal_api.get("/crm/v3/objects/deals", headers={"X-HS-Actions-Run": "run-b"})
    assert empty_portal.scopes_needed("run-a") == ["crm.objects.contacts.read", "crm.objects.owners.read"]
    assert empty_portal.scopes_needed("run-b") == ["crm.objects.deals.read"]

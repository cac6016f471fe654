"""Fixtures for tests of the portal itself: one served portal per session, emptied per test.

    from hs_actions.portal.testing import portal_session, portal, client, api  # noqa: F401 (fixtures)

`portal` is empty at the start of each test, with one token (TOKEN, every scope) and no rate
limit (tests that test rate limits choose a tier). `client` is the official hubspot-api-client
pointed at it; `api` is a requests session for raw HTTP, with `api.url(path)`.
"""
from __future__ import annotations

import pytest
import requests

from hs_actions.portal.portal import ALL_SCOPES, Portal

TOKEN = "pat-local-portal-tests"  # not a real token's shape: nothing real is ever committed


@pytest.fixture(scope="session")
def portal_session():
    portal = Portal(db=":memory:")
    server = portal.serve()
    yield portal, server
    portal.close()


@pytest.fixture
def portal(portal_session):
    portal, _server = portal_session
    portal.reset()
    portal.rate_limit("unlimited")
    portal.add_token(TOKEN, ALL_SCOPES, name="test")
    return portal


@pytest.fixture
def client(portal):
    from hubspot import HubSpot
    return HubSpot(access_token=TOKEN, host=portal.server.url)


class Api(requests.Session):
    """requests against the portal: api.get("/crm/v3/...") with the test token."""

    def __init__(self, base: str, token: str | None):
        super().__init__()
        self.base = base
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)


@pytest.fixture
def api(portal):
    with Api(portal.server.url, TOKEN) as session:
        yield session


def contact(portal, email: str, **properties) -> str:
    """Create a contact directly in the portal; its id."""
    created = portal.backend.create("contacts", {"email": email, **properties})
    return str(created.id)


ACCOUNT_TOKEN = "pat-local-account-tests"   # the "real account"'s private-app token, in tests


@pytest.fixture(scope="session")
def account_session():
    account = Portal(db=":memory:", portal_id=7654321)
    account.serve()
    yield account
    account.close()


@pytest.fixture
def account(account_session, monkeypatch):
    """A second portal playing the real HubSpot account, empty but for ACCOUNT_TOKEN (every
    scope), and named by HS_ACTIONS_API_BASE and HUBSPOT_ACCESS_TOKEN as the account commands
    read them."""
    account_session.reset()
    account_session.rate_limit("unlimited")
    account_session.add_token(ACCOUNT_TOKEN, ALL_SCOPES, name="account")
    monkeypatch.setenv("HS_ACTIONS_API_BASE", account_session.server.url)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", ACCOUNT_TOKEN)
    return account_session

"""Helpers the toolkit's own tests share (not fixtures: those live in the conftest.py files).

TOKEN is the empty portal's token (every scope); ACCOUNT_TOKEN the "real account"'s, played by a
second portal. Neither has a real token's shape: nothing real is ever committed.
"""
from __future__ import annotations

import requests

TOKEN = "pat-local-portal-tests"
ACCOUNT_TOKEN = "pat-local-account-tests"


class Api(requests.Session):
    """requests against a portal: api.get("/crm/v3/...") with a token."""

    def __init__(self, base: str, token: str | None):
        super().__init__()
        self.base = base
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)


def contact(portal, email: str, **properties) -> str:
    """Create a contact directly in the portal; its id."""
    created = portal.backend.create("contacts", {"email": email, **properties})
    return str(created.id)

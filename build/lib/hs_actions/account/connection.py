"""The connection to a HubSpot account: one base URL and one private-app token.

The token comes from HUBSPOT_ACCESS_TOKEN (the environment, then .env); the base URL from
--api-base, then HS_ACTIONS_API_BASE, then https://api.hubapi.com. In tests the account is a
second local portal. HubSpot's rate limits are honoured: when X-HubSpot-RateLimit-Remaining
reaches 0 the next call waits out the interval, and a 429 is retried with growing pauses
(HubSpot's guidance: back off and retry). The token never appears in any message.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import requests

from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.masking import Masks

DEFAULT_API_BASE = "https://api.hubapi.com"
TOKEN_VARIABLE = "HUBSPOT_ACCESS_TOKEN"
BASE_VARIABLE = "HS_ACTIONS_API_BASE"
# The scopes the toolkit's account commands use; the README lists them for the private app.
SCOPES = ("automation", "crm.schemas.contacts.read", "crm.schemas.companies.read", "crm.schemas.deals.read",
          "crm.schemas.custom.read", "crm.objects.owners.read")
RETRIES = 4                    # after a 429 or (for reads) a 5xx: 1, 2, 4, 8 seconds apart
TIMEOUT_SECONDS = 30


class AccountError(ToolkitError):
    """The account could not be reached or refused the call (exit code 2)."""


class NotFound(AccountError):
    pass


class Conflict(AccountError):
    """HubSpot refused a write based on a stale revision."""


class Connection:
    """Calls to one account. `sleep` is how it waits (between retries, for rate limits)."""

    def __init__(self, token: str, base: str = DEFAULT_API_BASE, sleep=time.sleep):
        self.token = token
        self.base = base.rstrip("/")
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._wait_until = 0.0

    @classmethod
    def from_environment(cls, api_base: str | None = None, env_file: Path | None = None, **options) -> Connection:
        """The account named by --api-base / HS_ACTIONS_API_BASE and HUBSPOT_ACCESS_TOKEN
        (environment first, then .env); AccountError saying how to set what is missing."""
        base = api_base or os.environ.get(BASE_VARIABLE) or DEFAULT_API_BASE
        if not base.startswith(("https://", "http://")):
            raise AccountError(f"API base {base!r} (--api-base or {BASE_VARIABLE}) is not a URL: "
                               f"give one such as {DEFAULT_API_BASE}")
        token = os.environ.get(TOKEN_VARIABLE)
        if not token:
            from dotenv import dotenv_values
            path = env_file or project.current().env_file
            token = dotenv_values(path).get(TOKEN_VARIABLE) if path.is_file() else None
        if not token:
            raise AccountError(
                f"no {TOKEN_VARIABLE}: set it in the environment or in .env to the access token of a "
                f"private app in your HubSpot account with the scopes {', '.join(SCOPES)} (README: "
                f"\"Connect to your account\"). It is used only to call {base}.")
        return cls(token, base, **options)

    def get(self, path: str, params: dict | None = None):
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict, *, read: bool = False):
        """`read`: the POST only reads (a batch read), so it may be retried after a 5xx."""
        return self._call("POST", path, body=body, idempotent=read)

    def put(self, path: str, body: dict):
        return self._call("PUT", path, body=body, idempotent=False)

    def pages(self, path: str, params: dict | None = None):
        """Every result of a paged list (paging.next.after), page by page."""
        params = dict(params or {})
        while True:
            page = self.get(path, params)
            yield from page.get("results", [])
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            params["after"] = after

    def _call(self, method: str, path: str, params=None, body=None, idempotent: bool = True):
        url = self.base + path
        for attempt in range(RETRIES + 1):
            pause = self._wait_until - time.monotonic()
            if pause > 0:
                self.sleep(pause)
            try:
                response = self.session.request(method, url, params=params, json=body, timeout=TIMEOUT_SECONDS)
            except requests.RequestException as error:
                raise AccountError(self._masked(
                    f"cannot reach {self.base} ({type(error).__name__}: {error}): check the address "
                    f"(--api-base or {BASE_VARIABLE}) and the network")) from None
            self._pace(response.headers)
            retry = response.status_code == 429 and _policy(response) != "DAILY" or \
                (response.status_code >= 500 and idempotent)
            if retry and attempt < RETRIES:
                self.sleep(2 ** attempt)
                continue
            return self._answer(method, path, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self, headers) -> None:
        """Wait out the rest of the interval once HubSpot says no call is left in it."""
        remaining = headers.get("X-HubSpot-RateLimit-Remaining")
        interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
        if remaining is not None and remaining.isdigit() and int(remaining) == 0 and (interval or "").isdigit():
            self._wait_until = time.monotonic() + int(interval) / 1000

    def _answer(self, method: str, path: str, response):
        status = response.status_code
        if status < 300:
            return response.json() if response.content else None
        body = _json(response)
        message = body.get("message") or response.text[:200]
        category = body.get("category") or body.get("errorType") or ""
        where = f"{method} {path}"
        if status == 401:
            text = (f"{where}: the token in {TOKEN_VARIABLE} was refused (401 {category}: {message}). Check that it "
                    f"is the current access token of a private app in this account")
        elif status == 403:
            scopes = [s for e in body.get("errors") or [] for s in (e.get("context") or {}).get("requiredGranularScopes", [])]
            text = (f"{where}: the private app lacks the scope(s) {', '.join(scopes) or '(not named)'} (403 {category}). "
                    f"Add them to the app in HubSpot (Settings > Integrations > Private apps > Scopes)")
        elif status == 429:
            text = f"{where}: HubSpot's rate limit ({_policy(response) or 'RATE_LIMIT'}): {message}. Try again later"
        else:
            text = f"{where}: HubSpot answered {status} {category}: {message}"
        kind = NotFound if status == 404 else Conflict if status == 409 else AccountError
        error = kind(self._masked(text))
        error.status, error.body = status, body
        raise error

    def _masked(self, text: str) -> str:
        return Masks({TOKEN_VARIABLE: self.token}).text(text)


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _policy(response) -> str | None:
    return _json(response).get("policyName")

"""The connection to a HubSpot account: one base URL and one private-app token.

Which account: --account NAME, else the account of [tool.hs-actions.accounts] marked default,
else the only one, else the environment's (no name). The token comes from the account's
token_env (HUBSPOT_ACCESS_TOKEN by default; the environment, then .env); the base URL from
--api-base, then the account's api_base, then HS_ACTIONS_API_BASE (the environment, then
.env), then https://api.hubapi.com. In tests the account is a second local portal. HubSpot's rate limits are honoured: when X-HubSpot-RateLimit-Remaining
reaches 0 the next call waits out the interval, and a 429 is retried with growing pauses
(HubSpot's guidance: back off and retry). The token never appears in any message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
import os
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

import requests
import urllib3

from hs_actions.core import files, project, text
from hs_actions.core.errors import ToolkitError
from hs_actions.core.masking import Masks

DEFAULT_API_BASE = project.HUBSPOT_API_BASE
TOKEN_VARIABLE = project.TOKEN_VARIABLE
BASE_VARIABLE = "HS_ACTIONS_API_BASE"
# The scopes the toolkit's account commands use; the README lists them for the private app.
SCOPES = ("automation", "crm.schemas.contacts.read", "crm.schemas.companies.read", "crm.schemas.deals.read",
          "crm.schemas.custom.read", "crm.objects.owners.read")
RETRIES = 4                    # after a 429 or (for reads) a 5xx or a timeout: 1, 2, 4, 8 seconds apart
TIMEOUT_SECONDS = 30
RETRY_AFTER_MAX = 300          # seconds: a Retry-After longer than this is reported, not waited


class AccountError(ToolkitError):
    """The account could not be reached or refused the call (exit code 2)."""


class NotFound(AccountError):
    pass


class Conflict(AccountError):
    """HubSpot refused a write based on a stale revision."""


class AnswerLost(AccountError):
    """A write was sent and its answer was lost (a 5xx, a timeout, a dropped connection): it may
    have landed. The caller reads back to tell; `why` says what happened to the answer."""

    def __init__(self, message: str, why: str):
        super().__init__(message)
        self.why = why


class OddAnswer(AccountError):
    """A 2xx whose body is not JSON: the call was done, its answer cannot be read."""

    def __init__(self, message: str, why: str):
        super().__init__(message)
        self.why = why


@dataclass(frozen=True)
class Unchecked:
    """An account that could not be connected to, and why (Connection.every)."""
    account: str
    problem: str


class TokenError(AccountError):
    """The token in the environment or .env cannot be one (not ASCII, control characters)."""


class Connection:
    """Calls to one account. `sleep` is how it waits (between retries, for rate limits)."""

    def __init__(self, token: str, base: str = DEFAULT_API_BASE, sleep=time.sleep, timeout: float = TIMEOUT_SECONDS,
                 *, given: str | None = None, account: str | None = None, default: bool = True,
                 variable: str = TOKEN_VARIABLE, flows_api: str = "v4"):
        """`given`: the token as it was written, when surrounding whitespace was cut from it:
        its forms are masked too. `account`: the name of the project's account it reaches (None:
        the environment's), `default` whether that is the one commands use without --account
        (which reads an action.toml's [hubspot] record of its own keys), `variable` where the
        token came from, for messages. `flows_api`: the workflows API version its paths use
        (project.FLOWS_API)."""
        self.variable = variable
        _check_token(token, variable)
        self.token = token
        self.base = base.rstrip("/")
        self.sleep = sleep
        self.timeout = timeout
        self.account = account
        self.default = default
        self.flows = flows_root(flows_api)
        self.masks = Masks([(variable, form) for value in {token, given or token} for form in _forms(value)])
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._wait_until = 0.0

    @classmethod
    def from_environment(cls, api_base: str | None = None, env_file: Path | None = None, warn=None,
                         account: str | None = None, **options) -> Connection:
        """The account named by `account` (--account) or the project's default (module doc),
        its base URL and its token (environment first, then .env); AccountError saying how to
        set what is missing. Whitespace around the token (a pasted line end) is cut, with a
        warning to `warn` (stderr by default) that never shows the token."""
        chosen = choose_account(account)
        env = _Settings(env_file)

        variable = chosen.token_env if chosen else TOKEN_VARIABLE
        base = api_base or (chosen and chosen.api_base) or env.get(BASE_VARIABLE) or DEFAULT_API_BASE
        if not base.startswith(("https://", "http://")):
            raise AccountError(f"API base {text.printable(repr(base))} (--api-base or {BASE_VARIABLE}) is not a URL: "
                               f"give one such as {DEFAULT_API_BASE}")
        named = f" for the account {chosen.name!r}" if chosen else ""
        token = env.get(variable)
        if not token:
            raise AccountError(
                f"no {variable}{named}: set it in the environment or in .env to the access token of a "
                f"private app in your HubSpot account with the scopes {', '.join(SCOPES)} (README: "
                f"\"Connect to your account\"). It is used only to call {base}.")
        stripped = token.strip()
        if stripped != token:
            (warn or (lambda line: print(line, file=sys.stderr)))(
                f"hs-actions: warning: {variable} has whitespace around it (a line end pasted with it?); "
                f"using it without")
        if not stripped:
            raise TokenError(f"{variable} is only whitespace: set it to the access token of a private app")
        default = chosen is None or chosen == project.default_account(project.accounts())
        flows_api = chosen.flows_api if chosen else project.settings()["flows_api"]
        return cls(stripped, base, given=token, account=chosen.name if chosen else None, default=default,
                   variable=variable, flows_api=flows_api, **options)

    @classmethod
    def every(cls, api_base: str | None = None, *, or_why: bool = False, **options) -> list[Connection | Unchecked]:
        """A connection to each of the project's accounts (the environment's without any), as
        `status` shows them all; --api-base names one account's API, so it needs --account.
        With `or_why` and several accounts, one that cannot be connected to (its token is not
        here: a developer often holds the sandbox's and not production's) is an Unchecked
        saying why, and the others are still given."""
        configured = project.accounts()
        if api_base and len(configured) > 1:
            raise AccountError(f"--api-base names the API of one account, and the project has {len(configured)}: "
                               f"give --account NAME too")
        found: list[Connection | Unchecked] = []
        for name in configured or [None]:
            try:
                found.append(cls.from_environment(api_base, account=name, **options))
            except AccountError as error:
                if not (or_why and len(configured) > 1):
                    raise
                found.append(Unchecked(name, str(error)))
        return found

    @property
    def option(self) -> str:
        """The option that names this account on a command line: " --account NAME", or ""."""
        return f" --account {self.account}" if self.account else ""

    @property
    def said(self) -> str:
        """The account as messages name it: "the account 'production' (https://...)"."""
        return f"the account {self.account!r} ({self.base})" if self.account else f"the account at {self.base}"

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
            if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
                raise AccountError(f"GET {path}: HubSpot's answer is not a page of results ({text.kind(page)}); "
                                   f"nothing was changed: try again later")
            yield from page.get("results", [])
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            params["after"] = after

    def first(self, path: str, count: int, params: dict | None = None, page_size: int = 100) -> list:
        """The first `count` results of a paged list, read `page_size` (HubSpot's most per page)
        at a time: what `portal pull --records N` needs past 100."""
        found: list = []
        if count <= 0:
            return found
        for result in self.pages(path, {**(params or {}), "limit": min(count, page_size)}):
            found.append(result)
            if len(found) == count:
                break
        return found

    def _call(self, method: str, path: str, params=None, body=None, idempotent: bool = True):
        url = self.base + path
        for attempt in range(RETRIES + 1):
            pause = self._wait_until - time.monotonic()
            if pause > 0:
                self.sleep(pause)
            last = attempt == RETRIES
            try:
                response = self.session.request(method, url, params=params, json=body, timeout=self.timeout)
            except requests.RequestException as error:
                said = f"{type(error).__name__}: {error}"
                # A read that timed out or lost its connection is tried again; an address that
                # refuses connections (or does not resolve) is a mistake to say at once.
                if idempotent and not last and (isinstance(error, requests.Timeout) or
                                                 isinstance(error, requests.ConnectionError) and _sent(error)):
                    self.sleep(2 ** attempt)
                    continue
                if idempotent or not _sent(error):
                    raise AccountError(self._masked(
                        f"cannot reach {self.base} ({said}): check the address (--api-base or {BASE_VARIABLE}) and "
                        f"the network" + ("" if idempotent else "; nothing was written (the request was not sent)"))
                    ) from None
                raise AnswerLost(self._masked(f"{method} {path}: the answer was lost ({said}): the write may have "
                                              f"landed"), self._masked(said)) from None
            self._pace(response.headers)
            status = response.status_code
            retry = status == 429 and _policy(response) != "DAILY" or (status >= 500 and idempotent)
            if retry and not last:
                wait = _retry_after(response.headers)
                if wait is not None and wait > RETRY_AFTER_MAX:
                    return self._answer(method, path, response, not idempotent,
                                        f" (HubSpot asks to wait {wait:.0f} s before the next call)")
                self.sleep(wait if wait is not None else 2 ** attempt)
                continue
            return self._answer(method, path, response, not idempotent)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self, headers) -> None:
        """Wait out the rest of the interval once HubSpot says no call is left in it."""
        remaining = headers.get("X-HubSpot-RateLimit-Remaining")
        interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
        if remaining is not None and remaining.isdigit() and int(remaining) == 0 and (interval or "").isdigit():
            self._wait_until = time.monotonic() + int(interval) / 1000

    def _answer(self, method: str, path: str, response, write: bool, more: str = ""):
        """The JSON of a 2xx; else the error that says it for a user. `write`: the call changes
        the account, so a 5xx means its answer was lost, not that nothing happened."""
        status = response.status_code
        if status < 300:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                why = f"HubSpot answered {status} with a body that is not JSON"
                raise OddAnswer(f"{method} {path}: {why}" + ("" if write else "; nothing was changed: try again"),
                                why) from None
        body = _json(response)
        message = text.printable(text.cut(str(body.get("message") or response.text[:200]), 300))
        category = text.printable(text.cut(str(body.get("category") or body.get("errorType") or ""), 60))
        where = f"{method} {path}"
        if status == 401:
            said = (f"{where}: the token in {self.variable} was refused (401 {category}: {message}). Check that it "
                    f"is the current access token of a private app in this account")
        elif status == 403:
            scopes = [text.printable(s) for e in body.get("errors") or [] if isinstance(e, dict)
                      for s in (e.get("context") or {}).get("requiredGranularScopes", []) if isinstance(s, str)]
            said = (f"{where}: the private app lacks the scope(s) {', '.join(scopes) or '(not named)'} (403 {category}). "
                    f"Add them to the app in HubSpot (Settings > Integrations > Private apps > Scopes)")
        elif status == 429:
            said = (f"{where}: HubSpot's rate limit ({text.printable(_policy(response) or 'RATE_LIMIT')}): {message}"
                    f"{more}. Try again later")
        else:
            said = f"{where}: HubSpot answered {status} {category}: {message}"
        if status >= 500 and write:
            raise AnswerLost(self._masked(said + "; the write may have landed"), self._masked(f"{status} {category}"))
        kind = NotFound if status == 404 else Conflict if status == 409 else AccountError
        error = kind(self._masked(said))
        error.status, error.body = status, body
        raise error

    def _masked(self, said: str) -> str:
        return self.masks.text(said)


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _policy(response) -> str | None:
    return _json(response).get("policyName")


def _retry_after(headers) -> float | None:
    """Seconds HubSpot's Retry-After asks for (a number or an HTTP date), or None."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def _sent(error: requests.RequestException) -> bool:
    """Whether a request may have reached the account before it failed: not when the
    connection could not even be made."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return not isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError))


def flows_root(flows_api: str = "v4") -> str:
    """The path of the workflows collection in an API version: /automation/v4/flows, or a date
    version's, /automation/v4/2026-09-beta/flows, as HubSpot's spec collection spells it
    (HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/Automation/Automation V4/Rollouts/
    144908/2026-09-beta; other sources write /automation/2026-09-beta/flows: the local portal
    serves both)."""
    return "/automation/v4/flows" if flows_api == "v4" else f"/automation/v4/{flows_api}/flows"


class _Settings:
    """A variable from the environment, else from .env (read only when the environment lacks one)."""

    def __init__(self, env_file: Path | None):
        self.env_file = env_file
        self.from_file: dict | None = None

    def get(self, name: str) -> str | None:
        if os.environ.get(name):
            return os.environ[name]
        if self.from_file is None:
            self.from_file = files.read_env(self.env_file or project.current().env_file)
        return self.from_file.get(name)


def choose_account(name: str | None) -> project.Account | None:
    """The project's account `name`, or (None) its default: the one marked default, else the
    only one, else None (the environment's account). AccountError for a name not configured."""
    configured = project.accounts()
    if name is None:
        return project.default_account(configured)
    if name not in configured:
        have = (f"the project's accounts are {', '.join(configured)}" if configured else
                "the project has no accounts: add a [tool.hs-actions.accounts.NAME] table to pyproject.toml (README: "
                "\"Several accounts\")")
        raise AccountError(f"--account {text.printable(repr(name))}: no such account; {have}")
    return configured[name]


def _check_token(token: str, variable: str = TOKEN_VARIABLE) -> None:
    """A HubSpot token is printable ASCII (pat-na1-<uuid>, a service key): anything else was
    mangled on the way, and would end deep in the HTTP library, in a traceback."""
    for position, character in enumerate(token):
        if not character.isascii():
            raise TokenError(f"{variable} holds a character that is not ASCII (character {position + 1} of "
                             f"{len(token)}): a HubSpot token is plain ASCII, such as pat-na1-...; copy it again from "
                             f"HubSpot (Settings > Integrations > Private apps)")
        if not character.isprintable() or character.isspace():
            raise TokenError(f"{variable} holds a control character or a space (character {position + 1} of "
                             f"{len(token)}): copy the token again from HubSpot")


def _forms(token: str) -> list[str]:
    """Every way a message may spell the token: as is, escaped as Python, JSON or a URL does."""
    return [token, repr(token)[1:-1], json.dumps(token)[1:-1], json.dumps(token, ensure_ascii=False)[1:-1],
            quote(token, safe=""), quote_plus(token)]

"""HubSpot's API rate limits (tiers from data/rate_limits.json) and failures forced by tests.

Private apps get a rolling 10-second allowance per token and a daily allowance per account;
search endpoints get their own per-second allowance and send no rate-limit headers. Each
answer carries the X-HubSpot-RateLimit-* headers HubSpot sends.
"""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from datetime import datetime, timezone

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import load


class RateLimiter:
    def __init__(self, tier: str | None = None):
        self.data = load("rate_limits.json")
        self.lock = threading.Lock()
        # Where time comes from: None for this machine's clock; a simulation gives its own,
        # clock(run) -> seconds, asked with the run (callbackId) that made the call.
        self.clock = None
        self.set_tier(tier or self.data["default_tier"])

    def set_tier(self, tier: str) -> None:
        if tier not in self.data["tiers"]:
            raise ValueError(f"unknown rate-limit tier {tier!r}; use one of {', '.join(self.data['tiers'])}")
        with self.lock:
            self.tier = tier
            self.per_interval = self.data["tiers"][tier]["per_interval"]
            self.daily = self.data["tiers"][tier]["daily"]
            self.reset()

    def reset(self) -> None:
        self.windows: dict[str, deque] = {}
        self.search_windows: dict[str, deque] = {}
        self.day = datetime.now(timezone.utc).date()
        self.used_today = 0

    def admit(self, token: str, search: bool = False, now: float | None = None, run: str | None = None) -> dict:
        """Count one call of `token` (made by `run`); its rate-limit headers, or RateLimited
        (429) if over. With a `clock`, its time is the call's, and its days are the daily
        allowance's (86,400 of its seconds each)."""
        if now is None:
            now = time.monotonic() if self.clock is None else self.clock(run)
        interval = self.data["interval_ms"] / 1000
        with self.lock:
            today = datetime.now(timezone.utc).date() if self.clock is None else int(now // 86400)
            if today != self.day:
                self.day, self.used_today = today, 0
            window = self.windows.setdefault(token, deque())
            while window and window[0] <= now - interval:
                window.popleft()
            headers = self._headers(len(window))
            if self.per_interval is None:
                return {}
            if self.daily is not None and self.used_today >= self.daily:
                raise exc.RateLimited(exc.RATE_LIMIT_DAILY, "DAILY", self._headers(len(window)))
            if len(window) >= self.per_interval:
                raise exc.RateLimited(exc.RATE_LIMIT_INTERVAL, "TEN_SECONDLY_ROLLING", headers)
            if search:
                recent = self.search_windows.setdefault(token, deque())
                while recent and recent[0] <= now - 1:
                    recent.popleft()
                if len(recent) >= self.data["search_per_second"]:
                    raise exc.RateLimited(exc.RATE_LIMIT_SEARCH, "SECONDLY")
                recent.append(now)
            window.append(now)
            self.used_today += 1
            return {} if search else self._headers(len(window))

    def _headers(self, used: int) -> dict:
        if self.per_interval is None:
            return {}
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(self.daily - self.used_today, 0)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.data["interval_ms"]),
            "X-HubSpot-RateLimit-Max": str(self.per_interval),
            "X-HubSpot-RateLimit-Remaining": str(max(self.per_interval - used, 0)),
        }


class ForcedFailures:
    """Failures a test asks for: the next `times` calls matching method and path fail."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules: list[list] = []
        self.tampers: list[list] = []

    def add(self, method: str, path_regex: str, status: int = 429, times: int = 1,
            retry_after: int | None = None) -> None:
        if status != 429 and not 500 <= status <= 599:
            raise ValueError(f"a forced failure is a 429 or a 5xx status, not {status}")
        with self.lock:
            self.rules.append([method.upper(), re.compile(path_regex), status, times, times,
                               {} if retry_after is None else {"Retry-After": str(retry_after)}])

    def add_tamper(self, method: str, path_regex: str, times: int, answer: dict) -> None:
        """After the next `times` calls matching method and path are served, change their answer
        as `answer` says (Portal.tamper)."""
        with self.lock:
            self.tampers.append([method.upper(), re.compile(path_regex), times, answer])

    def tamper(self, method: str, path: str) -> dict | None:
        """How to change the answer of this call, just served, using up one time of the first
        tamper rule matching it; None to answer as served."""
        with self.lock:
            for rule in self.tampers:
                if rule[2] > 0 and rule[0] in (method, "*") and rule[1].search(path):
                    rule[2] -= 1
                    return rule[3]
        return None

    def reset(self) -> None:
        with self.lock:
            self.rules.clear()
            self.tampers.clear()

    def unused(self) -> list[str]:
        """The rules no call has matched yet, as "METHOD REGEX STATUS": a test of a failure that
        never happened passes for the wrong reason (a typo in the regex, a call not made)."""
        with self.lock:
            return [f"{m} {p.pattern} {s}" for m, p, s, times, asked, _ in self.rules if times == asked]

    def take(self, method: str, path: str, limiter: RateLimiter) -> None:
        """Raise the failure of the first rule matching this call, using up one of its times."""
        with self.lock:
            for rule in self.rules:
                rule_method, pattern, status, times, _asked, extra = rule
                if times > 0 and rule_method in (method, "*") and pattern.search(path):
                    rule[3] -= 1
                    break
            else:
                return
        if status == 429:
            headers = limiter._headers(limiter.per_interval or 0) if limiter.per_interval else {}
            raise exc.RateLimited(exc.RATE_LIMIT_INTERVAL, "TEN_SECONDLY_ROLLING", {**headers, **extra})
        failure = exc.ServerError(status)
        failure.headers = {**failure.headers, **extra}
        raise failure

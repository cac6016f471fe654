"""HubSpot's API rate limits (tiers from data/rate_limits.json) and failures forced by tests.

Private apps get a rolling 10-second allowance per token and a daily allowance per account;
search endpoints get their own per-second allowance and send no rate-limit headers. Each
answer carries the X-HubSpot-RateLimit-* headers HubSpot sends.
"""
from __future__ import annotations

import bisect
import re
import threading
import time
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
        tier = self.data["aliases"].get(tier, tier)
        if tier not in self.data["tiers"]:
            raise ValueError(f"unknown rate-limit tier {tier!r}; use one of {', '.join(self.data['tiers'])}")
        with self.lock:
            self.tier = tier
            self.per_interval = self.data["tiers"][tier]["per_interval"]
            self.daily = self.data["tiers"][tier]["daily"]
            self.reset()

    def reset(self) -> None:
        self.windows: dict[str, Window] = {}
        self.search_windows: dict[str, Window] = {}
        self.day = datetime.now(timezone.utc).date()    # the day used_today counts (a clock's: its number)
        self.used_today = 0

    def admit(self, token: str, search: bool = False, now: float | None = None, run: str | None = None) -> dict:
        """Count one call of `token` (made by `run`); its rate-limit headers, or RateLimited
        (429) if over. With a `clock`, its time is the call's, and its days are the daily
        allowance's (86,400 of its seconds each). Calls may come out of order (a simulation's
        parallel runs): each is judged by every window that holds its time (Window.busiest)."""
        if now is None:
            now = time.monotonic() if self.clock is None else self.clock(run)
        interval = self.data["interval_ms"] / 1000
        with self.lock:
            today = datetime.now(timezone.utc).date() if self.clock is None else int(now // 86400)
            if type(today) is not type(self.day) or today > self.day:   # a call of an earlier day counts on this one
                self.day, self.used_today = today, 0
            window = self.windows.setdefault(token, Window())
            used = window.busiest(now, interval)
            headers = self._headers(used)
            if self.per_interval is None:
                return {}
            if self.daily is not None and self.used_today >= self.daily:
                raise exc.RateLimited(exc.RATE_LIMIT_DAILY, "DAILY", headers)
            if used >= self.per_interval:
                raise exc.RateLimited(exc.RATE_LIMIT_INTERVAL, "TEN_SECONDLY_ROLLING", headers)
            if search:
                recent = self.search_windows.setdefault(token, Window())
                if recent.busiest(now, 1) >= self.data["search_per_second"]:
                    raise exc.RateLimited(exc.RATE_LIMIT_SEARCH, "SECONDLY")
                recent.add(now)
            window.add(now)
            self.used_today += 1
            return {} if search else self._headers(used + 1)

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


class Window:
    """The times of one token's calls, sorted, for counting those within a rolling window. A
    call may arrive later than calls made after it (a simulation's parallel runs), so times are
    kept a while past the window, and counted only up to the time asked about."""

    KEEP = 120.0   # seconds kept past the newest call: further out of order than that is not expected

    def __init__(self):
        self.times: list[float] = []

    def count(self, after: float, until: float) -> int:
        """Calls in (after, until]."""
        return bisect.bisect_right(self.times, until) - bisect.bisect_right(self.times, after)

    def busiest(self, at: float, interval: float) -> int:
        """The most calls counted already in any window of `interval` seconds that holds `at`:
        the one ending at `at`, or, when calls made after `at` came first, one ending at one of
        them. Admitting a call only while this is under the limit keeps every window within it,
        in whatever order calls come."""
        later = self.times[bisect.bisect_right(self.times, at):bisect.bisect_left(self.times, at + interval)]
        return max(self.count(end - interval, end) for end in (at, *later))

    def add(self, at: float) -> None:
        bisect.insort(self.times, at)
        stale = bisect.bisect_right(self.times, self.times[-1] - self.KEEP)
        if stale:
            del self.times[:stale]


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

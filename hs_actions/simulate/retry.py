"""HubSpot's rule for retrying an execution that raised a 429 or a 5xx (HUBSPOT_RUNTIME.md):
for up to three days, first about a minute after the failure, the gap growing to at most eight
hours. How fast it grows is not published: `backoff` (default: doubling) is a setting."""
from __future__ import annotations

from dataclasses import dataclass

from hs_actions.core import hubspot_runtime


@dataclass(frozen=True)
class RetryRule:
    first_after: float = hubspot_runtime.RETRY_FIRST_AFTER_SECONDS
    max_gap: float = hubspot_runtime.RETRY_MAX_GAP_SECONDS
    gives_up_after: float = hubspot_runtime.RETRY_GIVES_UP_AFTER_SECONDS
    backoff: float = hubspot_runtime.RETRY_BACKOFF_FACTOR

    def __post_init__(self):
        if self.backoff < 1:
            raise ValueError(f"a retry backoff of {self.backoff:g}: the wait only grows, give 1 or more")

    def delay(self, retries: int) -> float:
        """Seconds from a failure to the next attempt, when `retries` attempts were retries already."""
        return min(self.first_after * self.backoff ** retries, self.max_gap)

    def next_attempt(self, first_failure: float, failed_at: float, retries: int) -> float | None:
        """When HubSpot runs the execution again after a failure at `failed_at` (its first at
        `first_failure`); None once that would be past the three days: it gives up."""
        at = failed_at + self.delay(retries)
        return None if at - first_failure > self.gives_up_after else at

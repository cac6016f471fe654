"""`hs-actions simulate`: many enrollments of one action, scheduled as HubSpot schedules them.

Each execution is a real, sandboxed run (the harness's), against a copy of the local portal;
only time is simulated: a virtual clock that rate-limit windows and HubSpot's retry delays
advance, so nothing waits real minutes.

    retry.py        HubSpot's retry rule for a raised 429 or 5xx (first after a minute, backing off)
    enrollments.py  which records enroll: the first N of the object type, a file of ids, generated ones
    engine.py       the scheduler: concurrency, an execution rate, the shared rate limits, retries
    retry_check.py  a 429 on each call in turn, HubSpot's retry, and the final state compared
    state.py        what a run changed in the portal, and how two runs' changes differ
    report.py       the summaries, human and JSON
    commands.py     what the CLI calls
"""

# The command's defaults, here so that the CLI's parser reads them without loading the rest.
# The tiers simulate offers, by HubSpot's names: the portal's rate limiter (data/rate_limits.json,
# its tiers and aliases) knows each; "increase" is what run's --rate-limit calls the capacity pack.
TIERS = ("starter", "professional", "enterprise", "capacity", "increase")
# HubSpot publishes no concurrency for custom-code executions: an option, with this default.
DEFAULT_CONCURRENCY = 10
DEFAULT_SAMPLE = 3   # records --retry-check tries

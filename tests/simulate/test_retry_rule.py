"""HubSpot's retry rule: first after a minute, backing off to at most 8 hours, for 3 days."""
from hs_actions.core import hubspot_runtime
from hs_actions.simulate.retry import RetryRule


def test_the_wait_doubles_from_a_minute_up_to_eight_hours():
    rule = RetryRule()
    assert [rule.delay(n) for n in range(11)] == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 28800, 28800]


def test_it_gives_up_once_the_next_attempt_would_be_past_three_days():
    rule = RetryRule()
    assert rule.next_attempt(0, 0, 0) == 60
    assert rule.next_attempt(0, 259_200 - 28_800, 12) == 259_200       # exactly three days: still retried
    assert rule.next_attempt(0, 259_200 - 28_799, 12) is None


def test_the_numbers_are_the_runtime_facts():
    assert (hubspot_runtime.RETRY_FIRST_AFTER_SECONDS, hubspot_runtime.RETRY_MAX_GAP_SECONDS,
            hubspot_runtime.RETRY_GIVES_UP_AFTER_SECONDS) == (60, 8 * 3600, 3 * 86400)


def test_a_slower_backoff_is_a_setting():
    assert [RetryRule(backoff=1.5).delay(n) for n in range(3)] == [60, 90, 135]

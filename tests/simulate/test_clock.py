"""The virtual clock: the portal's rate limiter counts windows and days in simulated time."""
import time

import pytest

from hs_actions.portal import exceptions as exc
from hs_actions.portal.limits import RateLimiter
from hs_actions.simulate.engine import VirtualClock


def test_a_call_is_stamped_with_its_execution_start_plus_the_real_time_since():
    clock = VirtualClock()
    clock.begin("ap-1-2-1-0", 3600.0)
    time.sleep(0.05)
    assert 3600.05 <= clock("ap-1-2-1-0") < 3601
    clock.end("ap-1-2-1-0")
    assert clock("ap-1-2-1-0") == 3600.0    # after its run: the latest start known


def clocked_limiter(first: float):
    """A starter-tier limiter on a virtual clock, with the window's 100 calls made at `first`."""
    limiter, clock = RateLimiter("starter"), VirtualClock()
    limiter.clock = clock
    clock.begin("first", first)
    for _ in range(100):
        limiter.admit("token", run="first")
    return limiter, clock


def test_the_rate_limit_window_moves_with_simulated_time():
    limiter, clock = clocked_limiter(0.0)
    with pytest.raises(exc.RateLimited):
        limiter.admit("token", run="first")
    clock.begin("b", 10.5)     # ten simulated seconds later, not ten real ones
    assert limiter.admit("token", run="b")["X-HubSpot-RateLimit-Remaining"] == "99"


def test_the_daily_allowance_counts_simulated_days():
    limiter = RateLimiter("starter")
    limiter.daily = 150
    clock = VirtualClock()
    limiter.clock = clock
    for n in range(150):
        clock.begin("a", n * 11.0)   # past each ten-second window
        limiter.admit("token", run="a")
    with pytest.raises(exc.RateLimited) as raised:
        limiter.admit("token", run="a")
    assert raised.value.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    clock.begin("next-day", 86_400.0)
    limiter.admit("token", run="next-day")


def test_a_call_that_comes_late_still_counts_in_every_window_that_holds_it():
    # Parallel runs: calls at 5.0 s came first; one at 1.0 s comes after them. A window holding
    # both (1.0 to 5.0) would be over the limit: the late one is refused.
    limiter, clock = clocked_limiter(5.0)
    clock.begin("earlier", 1.0)
    with pytest.raises(exc.RateLimited):
        limiter.admit("token", run="earlier")
    clock.begin("much-earlier", -5.5)     # ten seconds and more before them: a window of its own
    limiter.admit("token", run="much-earlier")

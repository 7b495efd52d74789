"""A shared key read from what its window tells (`qarun.ratelimit`): the odd 429s a platform
may send, and the promises a cut keeps (never faster, nothing saved during a hold, the
platform's own wait a floor and twice it a ceiling)."""

from __future__ import annotations

import random

import pytest

from qarun.ratelimit import RATE_LIMIT_SPREAD, RATE_LIMIT_SPREAD_CAP, KeyLimits
from tests.fakes.base import TestClock

TRIGGER, RESULTS = "GET /trigger", "GET /results"


def qualigate_limits(clock: TestClock, seed: int = 1) -> KeyLimits:
    limits = KeyLimits(clock=clock, rng=random.Random(seed))
    for route in (TRIGGER, RESULTS):
        limits.document(route, 30)
    limits.alternatives({TRIGGER, RESULTS})
    return limits


def sent_every(limits: KeyLimits, clock: TestClock, route: str, seconds: float, count: int) -> None:
    for _ in range(count):
        limits.sent(route)
        clock.advance(seconds)


def refused(limits: KeyLimits, route: str, wait: float | None) -> None:
    limits.sent(route)
    limits.refused(route, wait)


def test_a_job_with_its_own_slot_far_comes_back_at_twice_the_wait() -> None:
    """Its first request in the window leaves it 50 s on; the platform asked for 1 s: a
    window shorter than documented, and qarun comes back at 2 s, not 50."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 1.0, 10)
    refused(limits, TRIGGER, 1.0)
    assert limits.held(TRIGGER) == pytest.approx(2.0)
    assert limits.held(TRIGGER, courtesy=False) == pytest.approx(1.0)


def test_a_job_with_no_slot_of_its_own_comes_back_at_random_within_as_long_again() -> None:
    holds = []
    for seed in range(100):
        clock = TestClock()
        limits = qualigate_limits(clock, seed)
        refused(limits, TRIGGER, 5.0)  # its first request, into a full window
        holds.append(limits.held(TRIGGER))
    assert min(holds) >= 5.0 and max(holds) <= 10.0
    assert len({round(hold, 1) for hold in holds}) > 20, "spread, not all at 10 s"


def test_nothing_is_saved_during_a_hold() -> None:
    """Five checks 10 s apart, refused with 40 s to wait: its own slots free one by one from
    its first request's minute on, so one request goes then and the next at its pace."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 10.0, 5)
    refused(limits, TRIGGER, 40.0)
    clock.advance(limits.held(TRIGGER))
    limits.lift(TRIGGER)
    assert limits.wait_before(TRIGGER) == 0.0
    limits.sent(TRIGGER)
    assert limits.wait_before(TRIGGER) > 5.0


def test_a_second_429_never_speeds_a_job_up() -> None:
    """Refused on GET /trigger with 60 s to wait, then on /results with 2: the pace keeps the
    first cut's, and grows no sooner than the first window frees."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 5.0, 3)
    refused(limits, TRIGGER, 45.0)
    paced = {route: limits.pace(route) for route in (TRIGGER, RESULTS)}
    clock.advance(2.0)
    refused(limits, RESULTS, 2.0)
    clock.advance(20.0)  # past the second wait, short of the first
    for route in (TRIGGER, RESULTS):
        assert limits.pace(route) >= paced[route]  # type: ignore[operator]


@pytest.mark.parametrize("wait", [None, 0.0, -5.0])
def test_a_429_with_no_wait_holds_nothing_but_paces_the_refused_route(wait: float | None) -> None:
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 2.0, 5)
    refused(limits, TRIGGER, wait)
    assert limits.held(TRIGGER) == 0.0
    assert limits.wait_before(TRIGGER) > 0.0  # its next request waits for its part


def test_retry_after_always_60_cuts_a_job_to_its_part_of_the_whole_window() -> None:
    """The documents' only example says 60: read so, a 429 tells nothing of how fast the key
    filled, and the job's part is what it had answered over the whole minute (20), not over
    the last second (1)."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 2.0, 20)
    refused(limits, TRIGGER, 60.0)
    assert limits.pace(TRIGGER) == pytest.approx(3.0)


def test_a_huge_wait_does_not_freeze_the_other_route() -> None:
    """Held for 10⁹ s on GET /trigger, /results still grows back once a window has passed."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 5.0, 3)
    refused(limits, TRIGGER, 1e9)
    first = limits.pace(RESULTS)
    clock.advance(600.0)
    assert limits.pace(RESULTS) < first / 10  # type: ignore[operator]


def test_refused_requests_hold_no_slot() -> None:
    """A job whose only request in the full window was refused has no slot of its own there:
    it comes back at a random moment, not when its refused request would have left."""
    holds = set()
    for seed in range(50):
        clock = TestClock()
        limits = qualigate_limits(clock, seed)
        refused(limits, TRIGGER, 5.0)
        clock.advance(6.0)
        limits.lift(TRIGGER)
        refused(limits, TRIGGER, 50.0)  # the window filled in the last 10 s
        holds.add(round(limits.held(TRIGGER), 1))
    assert min(holds) >= 50.0 and max(holds) <= 60.0
    assert len(holds) > 10, "as if the refused request held a slot: all at 54 s"


def test_balancing_stops_once_the_parts_have_grown_past_the_limit() -> None:
    """Once refused, checks go to the route used least; when the parts have grown back above
    the documented limit, the first route (which shows the steps) answers again, even where
    it is the one used most."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 5.0, 3)
    refused(limits, TRIGGER, 45.0)
    clock.advance(50.0)  # its own first slot freed 45 s on
    limits.lift(TRIGGER)
    assert limits.choose([TRIGGER, RESULTS]) == 1  # /results used least
    clock.advance(600.0)  # grown back by 8 a minute every minute: past 30 a minute
    sent_every(limits, clock, TRIGGER, 1.0, 3)  # GET /trigger now the one used most
    assert limits.choose([TRIGGER, RESULTS]) == 0


def test_a_429_on_the_other_route_during_a_hold_saves_nothing_for_its_end() -> None:
    """Held on GET /trigger, then refused on /results: when GET /trigger's hold ends, one
    request goes, not what its bucket would have saved since the second 429."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 3.0, 20)
    refused(limits, TRIGGER, 60.0)
    clock.advance(10.0)
    refused(limits, RESULTS, 60.0)  # as the documents' example: the whole window
    clock.advance(limits.held(TRIGGER))
    limits.lift(TRIGGER)
    burst = 0
    while limits.wait_before(TRIGGER) == 0.0 and burst < 20:
        limits.sent(TRIGGER)
        burst += 1
    assert burst == 1


def test_the_platforms_own_wait_is_all_that_is_left_without_the_share() -> None:
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 1.0, 10)
    refused(limits, TRIGGER, 20.0)  # its own slot frees 51 s on: held 40 s (twice the wait)
    assert limits.wait_before(TRIGGER) == pytest.approx(40.0)
    assert limits.wait_before(TRIGGER, shared=False) == pytest.approx(20.0)


def test_a_second_cut_never_deepens_the_bucket() -> None:
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, TRIGGER, 20.0, 2)
    refused(limits, TRIGGER, 20.0)  # a part of 1 a minute: 2 deep
    depth = limits.shares[TRIGGER].depth
    sent_every(limits, clock, TRIGGER, 1.0, 25)
    refused(limits, TRIGGER, 5.0)  # a larger part, measured since: never a deeper bucket
    assert limits.shares[TRIGGER].depth == depth


def test_without_a_documented_limit_the_spread_stays_within_ten_seconds() -> None:
    clock = TestClock()
    limits = KeyLimits(clock=clock, rng=random.Random(1))
    holds = []
    for _ in range(50):
        refused(limits, "GET /status", 300.0)
        holds.append(limits.held("GET /status"))
    assert min(holds) >= 300.0
    assert max(holds) <= 300.0 + RATE_LIMIT_SPREAD_CAP * RATE_LIMIT_SPREAD

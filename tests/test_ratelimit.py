"""A shared key read from what its window tells (`qarun.ratelimit`): the odd 429s a platform
may send, and the promises a cut keeps (never faster, nothing saved during a hold, the
platform's own wait a floor and twice it a ceiling)."""

from __future__ import annotations

import random

import pytest

from qarun.ratelimit import (
    INCREASE,
    SPREAD_CAP,
    KeyLimits,
    RateLimit,
)
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


@pytest.mark.parametrize(("wait", "longest"), [(300.0, 300.0 + SPREAD_CAP), (4.0, 8.0)])
def test_without_a_documented_limit_a_hold_is_up_to_as_long_again_at_most_the_cap(
    wait: float, longest: float
) -> None:
    clock = TestClock()
    limits = KeyLimits(clock=clock, rng=random.Random(1))
    holds = []
    for _ in range(200):
        refused(limits, "GET /status", wait)
        holds.append(limits.held("GET /status"))
    assert wait <= min(holds) and max(holds) <= longest
    # Spread over the whole of it: the jobs refused together come back apart.
    assert max(holds) - min(holds) > 0.9 * (longest - wait)


# --- a share's rules one by one ----------------------------------------------------------------


def test_a_job_never_refused_is_never_paced() -> None:
    clock = TestClock()
    limits = KeyLimits(clock=clock)
    limits.document("GET /trigger", 30)
    sent_every(limits, clock, "GET /trigger", 2.0, 20)
    assert limits.pace("GET /trigger") is None
    assert limits.wait_before("GET /trigger") == 0.0


def test_a_429_cuts_the_pace_to_this_jobs_part_of_the_key_on_each_endpoint_of_a_check() -> None:
    clock = TestClock()
    limits = KeyLimits(clock=clock, rng=random.Random(1))
    for route in ("POST /trigger", "GET /trigger", "GET /results"):
        limits.document(route, 30)
    limits.alternatives({"GET /trigger", "GET /results"})  # either answers a check
    began = clock()
    # 6 requests in the last 20 s, then the 7th refused: the key's window (30 a minute) was
    # filled by the fleet in those 20 s (it frees in 40 s), 6 of the 30 by this job.
    sent_every(limits, clock, "GET /trigger", 3.0, 6)
    limits.sent("GET /trigger")
    limits.refused("GET /trigger", 40.0)
    # Its 6 spread over the whole minute: one every 10 s, on /results as well.
    assert limits.pace("GET /trigger") == pytest.approx(10.0)
    assert limits.pace("GET /results") == pytest.approx(10.0)
    # The first check there goes within one of those 10 s, the next a pause after it.
    first = limits.wait_before("GET /results")
    assert 0.0 <= first <= 10.0
    clock.advance(first)
    limits.sent("GET /results")
    assert limits.wait_before("GET /results") == pytest.approx(10.0)
    # GET /trigger waits for this job's own first request in the full window to leave it:
    # a minute after it was sent, not only the 40 s the platform asked.
    assert limits.wait_before("GET /trigger") == pytest.approx(began + 60.0 - clock())
    # An endpoint that answers other requests (the trigger) keeps its pace.
    assert limits.pace("POST /trigger") is None


def test_a_job_comes_back_no_later_than_twice_the_wait_the_platform_asked() -> None:
    """A platform whose window is shorter than documented says so with short waits: qarun's
    own slot in a minute-long window would be far later than the platform means."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, "GET /trigger", 1.0, 10)
    limits.sent("GET /trigger")
    limits.refused("GET /trigger", 1.0)
    assert 1.0 <= limits.held("GET /trigger") <= 2.0


def test_jobs_refused_together_turn_to_the_other_route_as_they_came() -> None:
    """One request each in the 5 s that filled /trigger: their first /results request is
    spread over those 5 s, not sent all at once nor a whole interval of their part later."""
    firsts = []
    for seed in range(200):
        clock = TestClock()
        limits = qualigate_limits(clock)
        limits.rng = random.Random(seed)
        limits.sent("GET /trigger")
        limits.refused("GET /trigger", 55.0)
        firsts.append(limits.wait_before("GET /results"))
    assert max(firsts) <= 5.0  # within the 5 s they took to fill it
    assert min(firsts) < 0.5 and max(firsts) > 4.5  # and over all of them


def test_once_refused_a_job_spreads_its_checks_over_both_routes() -> None:
    """Before any 429 the first route (GET /trigger, which shows the steps) answers every
    check; once the key has refused the job, a check goes to the route it used least in the
    window, so the jobs on the key stop refusing each other on one route."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    routes = ["GET /trigger", "GET /results"]
    for _ in range(5):
        assert limits.choose(routes) == 0
        limits.sent(routes[0])
        clock.advance(2.0)
    limits.refused(routes[1], 1.0)  # /results, asked by another run's check, was full
    clock.advance(120.0)  # every hold over, the part grown back
    chosen = []
    for _ in range(6):
        index = limits.choose(routes)
        chosen.append(index)
        limits.sent(routes[index])
        clock.advance(5.0)
    assert chosen == [0, 1, 0, 1, 0, 1]


def refused_with_three_of_its_own(clock: TestClock) -> KeyLimits:
    """A job refused after 3 of its requests in the 15 s that filled the key's window."""
    limits = KeyLimits(clock=clock)
    limits.document("GET /trigger", 30)
    sent_every(limits, clock, "GET /trigger", 5.0, 3)
    limits.sent("GET /trigger")
    limits.refused("GET /trigger", 45.0)
    return limits


def test_the_pace_grows_back_once_the_window_begins_to_free() -> None:
    clock = TestClock()
    limits = refused_with_three_of_its_own(clock)
    assert limits.pace("GET /trigger") == pytest.approx(20.0)  # 3 a minute
    clock.advance(45.0)  # the window begins to free: until then, no growth
    assert limits.pace("GET /trigger") == pytest.approx(20.0)
    clock.advance(60.0)  # INCREASE more a minute every minute
    assert limits.pace("GET /trigger") == pytest.approx(60.0 / (3 + INCREASE))
    clock.advance(60.0)
    assert limits.pace("GET /trigger") == pytest.approx(60.0 / (3 + 2 * INCREASE))


def test_checks_not_made_are_saved_for_later_up_to_two_windows_of_the_jobs_part() -> None:
    clock = TestClock()
    limits = refused_with_three_of_its_own(clock)  # its part: 3 a minute
    limits.lift("GET /trigger")
    clock.advance(600.0)  # no check for ten minutes (the pace has grown meanwhile)
    burst = 0
    while limits.wait_before("GET /trigger") == 0.0:
        limits.sent("GET /trigger")
        burst += 1
    assert burst == 2 * 3  # two windows of its part, spent at once near a forecast end


def test_a_platform_refusing_with_no_wait_is_not_asked_again_at_once() -> None:
    """`retry_after: 0` (or a past Retry-After date): the key was full over the whole window;
    the refused endpoint is asked again at this job's part of it, never in a loop."""
    clock = TestClock()
    limits = qualigate_limits(clock)
    asked = 0
    while clock() < 1000.0 + 600.0 and asked < 1000:
        route = min(("GET /trigger", "GET /results"), key=limits.wait_before)
        clock.advance(limits.wait_before(route))
        limits.sent(route)
        limits.refused(route, 0.0)  # every request refused, none with a wait
        asked += 1
    assert asked <= 2 * 10 + 2  # one a minute on each route, growing: not thousands


def test_a_cut_never_speeds_a_job_up_and_keeps_its_own_part_of_the_other_route() -> None:
    clock = TestClock()
    limits = qualigate_limits(clock)
    sent_every(limits, clock, "GET /results", 2.0, 12)  # /results was its way
    limits.sent("GET /trigger")
    limits.refused("GET /trigger", 50.0)  # others filled GET /trigger
    assert limits.pace("GET /trigger") == pytest.approx(60.0)  # its part there: none
    # Its own 5 of /results in the 10 s that filled GET /trigger, over the minute.
    assert limits.pace("GET /results") == pytest.approx(12.0)
    clock.advance(1.0)
    limits.sent("GET /results")
    limits.refused("GET /results", 50.0)
    # Refused on /results too: no faster anywhere than before.
    assert limits.pace("GET /trigger") >= 59.0
    assert limits.pace("GET /results") >= 11.9


def test_without_a_documented_limit_a_429_only_holds_its_endpoint() -> None:
    clock = TestClock()
    limits = KeyLimits(clock=clock, rng=random.Random(1))
    sent_every(limits, clock, "GET /status", 5.0, 4)
    limits.sent("GET /status")
    limits.refused("GET /status", 7.0)
    assert limits.pace("GET /status") is None  # neither window nor limit known
    assert 7.0 <= limits.wait_before("GET /status") <= 14.0  # up to as long again
    clock.advance(14.0)
    assert limits.wait_before("GET /status") == 0.0


def test_rate_limit_paces_requests_within_the_window() -> None:
    limit = RateLimit(limit=2, window=60.0)
    assert limit.delay(0.0) == 0.0
    limit.sent.extend([(0.0, False), (10.0, False)])  # sent, neither refused
    assert limit.delay(20.0) == pytest.approx(40.0)
    assert limit.delay(61.0) == 0.0

"""The HTTP choke point over loopback: retries, triggers never re-sent, the platform's words."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from qarun.deadline import Deadline
from qarun.errors import (
    AuthError,
    MalformedAnswerError,
    NotFoundError,
    OutOfTimeError,
    PlatformError,
    RateLimitedError,
    TriggerUncertainError,
)
from qarun.http import HttpClient, RetryPolicy
from qarun.ratelimit import RATE_LIMIT_SPREAD, SHORT_HOLD, THROTTLE_HALF_LIFE, RateLimit, Throttle
from qarun.request import Request
from tests.fakes.base import FakePlatform, Recorded, Reply, TestClock
from tests.providers_util import one_wait_for

READ = Request("GET", "/status", what="run abc")
OTHER_READ = Request("GET", "/other", what="run abc")
TRIGGER = Request("POST", "/trigger", body={"plan": "pln_1"}, what="test plan pln_1")


class Echo(FakePlatform):
    """Answers 200 {"ok": true} unless a fault is queued."""

    def authorized(self, request: Recorded) -> bool:
        return True

    def route(self, request: Recorded) -> Reply:
        return Reply(200, {"ok": True, "path": request.path})


class Sleeps(list[float]):
    """The client's pauses, recorded; each passes at once on `clock`, the client's clock."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = TestClock()

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def fake() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def client_for(url: str, sleeps: Sleeps, **kwargs: object) -> HttpClient:
    """A client whose time is the test's: `sleeps.clock`, unless a test gives its own."""
    return HttpClient(
        base_url=url,
        headers={"Authorization": "Bearer k"},
        sleep=sleeps,
        timeout=(2.0, 0.5),
        policy=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
        **{"clock": sleeps.clock, **kwargs},  # type: ignore[arg-type]
    )


def test_a_read_survives_scattered_5xx_and_the_budget_resets(fake: Echo) -> None:
    sleeps = Sleeps()
    client = client_for(fake.url, sleeps)
    for _ in range(5):
        fake.inject("GET /status", Reply(502, {"message": "bad gateway"}), Reply(500))
        assert client.read(READ) == {"ok": True, "path": "/status"}
    assert len(fake.requests) == 15
    assert len(sleeps) == 10


def test_a_dead_platform_fails_a_read_in_bounded_tries_with_the_last_error(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", *[Reply(503, {"message": "down for maintenance"})] * 10)
    with pytest.raises(PlatformError, match="HTTP 503: down for maintenance"):
        client_for(fake.url, sleeps).read(READ)
    assert len(fake.requests) == 4


def test_429_waits_as_long_as_retry_after_says(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", Reply(429, {"message": "slow down"}, headers={"Retry-After": "7"}))
    client = client_for(fake.url, sleeps)
    assert client.read(READ)["ok"] is True
    assert one_wait_for(sleeps, 7.0)
    assert client.limits.slowdown() > 1


def test_a_429_slows_the_schedule_down_for_a_while_not_for_good() -> None:
    clock = TestClock()
    throttle = Throttle(clock=clock)
    throttle.hit()
    assert throttle.factor == 2.0
    clock.advance(THROTTLE_HALF_LIFE)  # without a 429: half the slowdown is gone
    assert throttle.factor == 1.5
    clock.advance(2 * THROTTLE_HALF_LIFE)
    assert throttle.factor == 1.125
    throttle.hit()
    assert throttle.factor == 2.25


@pytest.mark.parametrize(
    ("limit", "retry_after", "slower"),
    [
        (None, 40, 2.0),  # no documented window: twice as slow
        (RateLimit(30), 40, 6.0),  # 30 requests came in 20 s: 3 times the limit, to half
        (RateLimit(30), 1, 2.0 * 60 / 59),  # the window filled over a minute: just over
        (RateLimit(30), 60, 8.0),  # at most 8 times
    ],
)
def test_a_429_slows_the_schedule_by_how_far_over_the_limit_the_key_is(
    fake: Echo, limit: RateLimit | None, retry_after: int, slower: float
) -> None:
    fake.inject("GET /status", Reply(429, {"retry_after": retry_after}))
    client = client_for(fake.url, Sleeps())
    if limit is not None:
        client.limits.windows["GET /status"] = limit
    with pytest.raises(RateLimitedError):
        client.read_or_limited(READ)
    assert client.limits.slowdown() == pytest.approx(slower)


def test_read_or_limited_does_not_wait_out_a_429_nor_ask_again_during_its_wait(
    fake: Echo,
) -> None:
    sleeps = Sleeps()
    clock = sleeps.clock
    fake.inject("GET /status", Reply(429, {"message": "Too many requests", "retry_after": 30}))
    notes: list[str] = []
    client = client_for(fake.url, sleeps, notify=notes.append)
    with pytest.raises(RateLimitedError):
        client.read_or_limited(READ)
    # The log says why the checks go elsewhere and slow down.
    assert notes == [
        "GET /status: Rate limited (HTTP 429: Too many requests). Held back for 30 s; "
        "asking another way meanwhile, and checking 2.0 times less often for a while."
    ]
    clock.advance(29.9 - SHORT_HOLD)
    assert client.first_unrefused([READ, OTHER_READ]) == 1
    clock.advance(30.0 * RATE_LIMIT_SPREAD + SHORT_HOLD)  # the wait, spread as a retry's
    assert client.first_unrefused([READ, OTHER_READ]) == 0
    assert client.read_or_limited(READ)["ok"] is True
    assert len(sleeps) == 0 and len(fake.requests) == 2


@pytest.mark.parametrize(
    ("left", "deadline", "asked"),
    [
        (SHORT_HOLD, None, 0),
        (SHORT_HOLD + 0.5, None, 1),
        (1.5, 1.0, 1),  # the last look before the deadline is not lost waiting
    ],
)
def test_a_hold_about_to_end_is_waited_for_rather_than_asked_around(
    left: float, deadline: float | None, asked: int
) -> None:
    sleeps = Sleeps()
    now = sleeps.clock()
    ends = Deadline(sleeps.clock, None if deadline is None else now + deadline)
    notes: list[str] = []
    client = client_for("http://127.0.0.1:9", sleeps, deadline=ends, notify=notes.append)
    client.limits.holds[f"GET {READ.path}"] = now + left
    # The jobs that the hold kept off READ's endpoint were sent to OTHER_READ's meanwhile.
    assert client.first_unrefused([READ, OTHER_READ]) == asked
    assert list(sleeps) == ([left] if asked == 0 else [])
    waited = [f"GET /status: Held back by an earlier 429. Asking in {left:.1f} s."]
    assert notes == (waited if asked == 0 else [])


def test_429_honours_qualigate_retry_after_body_field(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", Reply(429, {"error": "Too Many Requests", "retry_after": 3}))
    client_for(fake.url, sleeps).read(READ)
    assert one_wait_for(sleeps, 3.0)


def test_a_read_timeout_is_retried(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", Reply(200, {"late": True}, delay=1.0))
    assert client_for(fake.url, sleeps).read(READ)["ok"] is True
    assert len(sleeps) == 1


def test_garbage_bodies_are_retried_then_reported_clearly(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", *[Reply(200, raw=b"<html>proxy error</html>")] * 4)
    with pytest.raises(MalformedAnswerError, match="not JSON"):
        client_for(fake.url, sleeps).read(READ)


def test_401_fails_at_once_with_the_platform_message(fake: Echo) -> None:
    fake.inject("GET /status", Reply(401, {"error": "Invalid or expired API key"}))
    with pytest.raises(AuthError, match=r"rejected the API key.*Invalid or expired API key"):
        client_for(fake.url, Sleeps()).read(READ)
    assert len(fake.requests) == 1


def test_404_names_what_was_not_found(fake: Echo) -> None:
    fake.inject("GET /status", Reply(404, {"detail": "Test run not found"}))
    with pytest.raises(NotFoundError, match=r"no run abc .*Test run not found"):
        client_for(fake.url, Sleeps()).read(READ)


def test_fastapi_validation_errors_are_readable(fake: Echo) -> None:
    detail = [{"loc": ["body", "app_id"], "msg": "field required", "type": "missing"}]
    fake.inject("POST /trigger", Reply(422, {"detail": detail}))
    with pytest.raises(PlatformError, match=r"body\.app_id: field required"):
        client_for(fake.url, Sleeps()).send(TRIGGER)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, {"message": "boom"}),
        Reply(502, {"message": "bad gateway"}),
        Reply(action="drop"),
        Reply(201, {"late": True}, delay=1.0),
    ],
    ids=["500", "502", "dropped", "read-timeout"],
)
def test_a_trigger_the_platform_may_have_received_is_never_resent(fake: Echo, reply: Reply) -> None:
    fake.inject("POST /trigger", reply)
    with pytest.raises(TriggerUncertainError, match="may or may not have started a run"):
        client_for(fake.url, Sleeps()).send(TRIGGER)
    assert len(fake.requests_to("POST", "/trigger")) == 1


@pytest.mark.parametrize("reply", [Reply(503), Reply(429, {"retry_after": 1})], ids=["503", "429"])
def test_a_trigger_the_platform_refused_is_sent_again(fake: Echo, reply: Reply) -> None:
    fake.inject("POST /trigger", reply)
    assert client_for(fake.url, Sleeps()).send(TRIGGER)["ok"] is True
    assert len(fake.requests_to("POST", "/trigger")) == 2


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(PlatformError, match="could not be reached") as caught:
        client_for(f"http://127.0.0.1:{port}", sleeps).send(TRIGGER)
    assert not isinstance(caught.value, TriggerUncertainError)
    assert len(sleeps) == 3


def test_retry_waits_never_pass_the_deadline(fake: Echo) -> None:
    now = [100.0]
    fake.inject("GET /status", Reply(429, headers={"Retry-After": "30"}))
    clock = lambda: now[0]  # noqa: E731
    client = client_for(fake.url, Sleeps(), clock=clock, deadline=Deadline(clock, 110.0))
    with pytest.raises(OutOfTimeError):
        client.read(READ)


def test_rate_limit_paces_requests_within_the_window() -> None:
    limit = RateLimit(limit=2, window=60.0)
    assert limit.delay(0.0) == 0.0
    limit.sent.extend([0.0, 10.0])
    assert limit.delay(20.0) == pytest.approx(40.0)
    assert limit.delay(61.0) == 0.0

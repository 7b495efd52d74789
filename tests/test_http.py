"""The HTTP choke point over loopback: retries, triggers never re-sent, the platform's words."""

from __future__ import annotations

import re
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


def test_past_the_deadline_the_jobs_part_gives_way_to_the_last_check() -> None:
    """The job's part of a shared key spares the others; the deadline's last check, and what
    the poll already read, are worth more: only the platform's rules are waited for then."""
    sleeps = Sleeps()
    now = sleeps.clock()
    client = client_for("http://127.0.0.1:9", sleeps, deadline=Deadline(sleeps.clock, now + 5.0))
    client.limits.document("GET /status", 30)
    client.limits.sent("GET /status")
    client.limits.refused("GET /status", None)  # its part: one a minute
    client.limits.sent("GET /status")
    assert client.limits.wait_before("GET /status") > 5.0
    with pytest.raises(PlatformError):  # nothing listens there: the request was sent
        client.read(READ)
    assert sum(sleeps) < 5.0


def test_a_429_waited_out_says_how_the_checks_slow_down_on_a_shared_key(fake: Echo) -> None:
    """The plain retry path (a check with no other endpoint to ask) logs the job's part too."""
    sleeps = Sleeps()
    fake.inject("GET /status", Reply(429, {"message": "Too many requests", "retry_after": 30}))
    notes: list[str] = []
    client = client_for(fake.url, sleeps, notify=notes.append)
    client.limits.document("GET /status", 30)
    assert client.read(READ)["ok"] is True
    (note,) = notes
    assert re.fullmatch(
        r"GET /status: Rate limited \(HTTP 429: Too many requests\)\. Retrying in \d+\.\d s, "
        r"and calling it at most once every 60 s while the key is shared\.",
        note,
    ), note


def test_read_or_limited_does_not_wait_out_a_429_nor_ask_again_during_its_wait(
    fake: Echo,
) -> None:
    sleeps = Sleeps()
    clock = sleeps.clock
    fake.inject("GET /status", Reply(429, {"message": "Too many requests", "retry_after": 30}))
    notes: list[str] = []
    client = client_for(fake.url, sleeps, notify=notes.append)
    client.limits.document("GET /status", 30)
    with pytest.raises(RateLimitedError):
        client.read_or_limited(READ)
    # The log says why the checks go elsewhere and slow down: held for the 30 s asked and,
    # none of its requests in the full window, up to as long again.
    (note,) = notes
    held = re.fullmatch(
        r"GET /status: Rate limited \(HTTP 429: Too many requests\)\. Held back for (\d+) s; "
        r"asking another way meanwhile, and calling it at most once every 60 s while the key "
        r"is shared\.",
        note,
    )
    assert held is not None and 30 <= int(held.group(1)) <= 60
    clock.advance(29.9)
    assert client.first_unrefused([READ, OTHER_READ]) == 1
    # Held for the wait and, none of its requests in the full window, up to the 30 s the
    # window took to fill: the jobs refused together come back while it empties.
    clock.advance(30.1)
    assert client.first_unrefused([READ, OTHER_READ]) == 0
    assert client.read_or_limited(READ)["ok"] is True
    assert len(sleeps) == 0 and len(fake.requests) == 2


@pytest.mark.parametrize(
    ("holds", "paced", "asked", "waited"),
    [
        ((0.0, 0.0), False, 0, []),  # both free: the first
        ((3.0, 0.0), False, 1, []),  # the first held back: the other at once
        ((0.0, 0.0), True, 1, []),  # the first paced (a share of the key): the other
        ((3.0, 5.0), False, 0, [3.0]),  # both held back: the first to be free, waited for
        ((5.0, 3.0), False, 1, [3.0]),
    ],
)
def test_a_check_goes_to_the_endpoint_it_can_call_soonest(
    holds: tuple[float, float], paced: bool, asked: int, waited: list[float]
) -> None:
    sleeps = Sleeps()
    now = sleeps.clock()
    notes: list[str] = []
    client = client_for("http://127.0.0.1:9", sleeps, notify=notes.append)
    for request, left in zip((READ, OTHER_READ), holds, strict=True):
        if left:
            client.limits.holds[f"GET {request.path}"] = now + left
    if paced:
        client.limits.document("GET /status", 30)
        client.limits.sent("GET /status")
        client.limits.refused("GET /status", 30.0)
        client.limits.lift("GET /status")  # its hold waited out
        client.limits.sent("GET /status")  # asked again: the next one waits its turn
    assert client.first_unrefused([READ, OTHER_READ]) == asked
    assert list(sleeps) == waited
    path = (READ, OTHER_READ)[asked].path
    assert notes == [
        f"GET {path}: Held back by an earlier 429. Asking in {w:.1f} s." for w in waited
    ]


def test_the_pace_is_said_once_by_the_429_not_again_by_each_wait_for_its_hold() -> None:
    sleeps = Sleeps()
    notes: list[str] = []
    client = client_for("http://127.0.0.1:9", sleeps, notify=notes.append)
    client.limits.document("GET /status", 30)
    client.limits.sent("GET /status")
    client.limits.refused("GET /status", 30.0)  # held, and paced from now on
    assert client.limits.pace("GET /status") is not None
    assert client.first_unrefused([READ]) == 0
    (note,) = notes
    assert note.startswith("GET /status: Held back by an earlier 429. Asking in ")
    assert "at most once every" not in note


def test_a_courtesy_ending_too_close_to_the_deadline_gives_way_too() -> None:
    """The platform asked for 20 s; the courtesy ends 23.8 s on, the deadline 24 s on, with
    half a second needed for an answer: the check goes at 20 s, not at 23.8 s to be lost."""
    sleeps = Sleeps()
    now = sleeps.clock()
    deadline = Deadline(sleeps.clock, now + 24.0, min_answer=0.5)
    client = client_for("http://127.0.0.1:9", sleeps, deadline=deadline)
    client.limits.holds["GET /status"] = now + 23.8
    client.limits.floors["GET /status"] = now + 20.0
    assert client.first_unrefused([READ]) == 0
    assert list(sleeps) == [20.0]


def test_near_the_deadline_a_check_goes_where_the_platforms_wait_fits() -> None:
    """GET /status: asked 20 s, held 40 s; GET /other: asked 30 s, held 32 s; 25 s left: the
    first, after its 20 s, is the one that can still be answered."""
    sleeps = Sleeps()
    now = sleeps.clock()
    client = client_for("http://127.0.0.1:9", sleeps, deadline=Deadline(sleeps.clock, now + 25.0))
    for request, held, asked in ((READ, 40.0, 20.0), (OTHER_READ, 32.0, 30.0)):
        client.limits.holds[f"GET {request.path}"] = now + held
        client.limits.floors[f"GET {request.path}"] = now + asked
    assert client.first_unrefused([READ, OTHER_READ]) == 0
    assert list(sleeps) == [20.0]


def test_read_or_limited_turns_away_on_a_429_without_a_wait(fake: Echo) -> None:
    sleeps = Sleeps()
    fake.inject("GET /status", Reply(429, {"message": "Too many requests"}))
    client = client_for(fake.url, sleeps)
    client.limits.document("GET /status", 30)
    with pytest.raises(RateLimitedError) as refused:
        client.read_or_limited(READ)
    assert refused.value.waited is False
    assert len(fake.requests) == 1 and list(sleeps) == []


def test_waiting_for_a_held_endpoint_never_passes_the_deadline() -> None:
    sleeps = Sleeps()
    now = sleeps.clock()
    client = client_for("http://127.0.0.1:9", sleeps, deadline=Deadline(sleeps.clock, now + 1.0))
    for request in (READ, OTHER_READ):
        client.limits.holds[f"GET {request.path}"] = now + 1.5
        client.limits.floors[f"GET {request.path}"] = now + 1.5  # as the platform asked
    with pytest.raises(OutOfTimeError):
        client.first_unrefused([READ, OTHER_READ])
    assert list(sleeps) == []


def test_a_hold_beyond_the_platforms_wait_gives_way_to_the_deadline() -> None:
    """The platform asked for 20 s; this job's courtesy to the others would keep it off for
    25 s, past the deadline 24 s away: the last check goes when the 20 s are over."""
    sleeps = Sleeps()
    now = sleeps.clock()
    client = client_for("http://127.0.0.1:9", sleeps, deadline=Deadline(sleeps.clock, now + 24.0))
    client.limits.holds["GET /status"] = now + 25.0
    client.limits.floors["GET /status"] = now + 20.0
    assert client.first_unrefused([READ]) == 0
    assert list(sleeps) == [20.0]


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
    # "The timeout": the action's input and the command's option alike.
    with pytest.raises(OutOfTimeError, match=r"which is past the timeout\.$"):
        client.read(READ)

"""The wait loop and its schedule on a simulated clock: no real sleeping."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from qarun.errors import OutOfTimeError
from qarun.http import Throttle
from qarun.model import Progress, Run, Status
from qarun.wait import Schedule, Waiter


class SimClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def platform(clock: SimClock, ends: dict[str, float], result: Status = Status.PASSED):
    """A poll function whose runs finish at the given simulated times."""
    polls: list[float] = []

    def poll(runs: Sequence[Run]) -> list[Run]:
        polls.append(clock.now)
        return [
            run.updated(
                status=result if clock.now >= ends[run.id] else Status.RUNNING,
                provider_status="done" if clock.now >= ends[run.id] else "running",
            )
            for run in runs
        ]

    return poll, polls


def queued(*ids: str) -> list[Run]:
    return [Run(id=i, name=i, status=Status.QUEUED) for i in ids]


def test_a_short_run_is_seen_within_a_second_or_two() -> None:
    clock = SimClock()
    poll, polls = platform(clock, {"a": 4.0})
    waiter = Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=600.0)
    result = waiter.wait(queued("a"), started=0.0)
    assert result.runs[0].status is Status.PASSED
    assert polls[-1] - 4.0 <= 1.0


def test_pauses_grow_with_age_but_never_exceed_poll_interval() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 900.0})
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=3600.0).wait(queued("a"), 0.0)
    assert max(clock.sleeps) == pytest.approx(10.0)
    assert clock.sleeps[0] < 1.0
    assert clock.sleeps == sorted(clock.sleeps)


def test_runs_unfinished_at_the_deadline_time_out_near_it() -> None:
    clock = SimClock()
    poll, polls = platform(clock, {"a": 10_000.0})
    result = Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=120.0).wait(queued("a"), 0.0)
    assert result.timed_out
    assert 119.0 <= clock.now <= 120.0 + 1e-9
    assert polls[-1] == pytest.approx(120.0)


def test_out_of_time_while_retrying_ends_as_timeout() -> None:
    clock = SimClock()

    def poll(runs: Sequence[Run]) -> list[Run]:
        raise OutOfTimeError("the timeout ran out while retrying")

    result = Waiter(poll, Schedule(5.0), clock, clock.sleep, deadline=60.0).wait(queued("a"), 0.0)
    assert result.timed_out


def test_progress_aims_the_next_poll_at_the_predicted_end() -> None:
    schedule = Schedule(poll_interval=60.0)
    seen: dict[str, tuple[float, float]] = {}
    run = Run(id="a", name="a", status=Status.RUNNING)
    schedule.pause([run.updated(progress=Progress(2, 10))], 100.0, seen)
    pause = schedule.pause([run.updated(progress=Progress(8, 10))], 130.0, seen)
    # 6 steps in 30 s: the last 2 steps need about 10 s more.
    assert pause == pytest.approx(10.5)


def test_a_429_stretches_the_whole_schedule() -> None:
    throttle = Throttle()
    schedule = Schedule(poll_interval=10.0, throttle=throttle)
    runs = queued("a")
    before = schedule.pause(runs, 300.0, {})
    throttle.hit()
    assert schedule.pause(runs, 300.0, {}) == pytest.approx(2 * before)


def test_progress_lines_are_printed_when_a_run_changes() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 2.0, "b": 5.0}, result=Status.FAILED)
    lines: list[str] = []
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=60.0, report=lines.append).wait(
        queued("a", "b"), 0.0
    )
    assert any("1/2 runs finished (1 failed)" in line for line in lines)
    assert "2/2 runs finished (2 failed)" in lines[-1]

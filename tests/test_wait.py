"""The wait loop and its schedule on a simulated clock: no real sleeping."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from qarun.deadline import MIN_ANSWER, MIN_ANSWER_SHARE, Deadline
from qarun.errors import OutOfTimeError
from qarun.model import Progress, Run, Status
from qarun.wait import (
    EXPIRY,
    MIN_AIMED_PAUSE,
    MIN_PAUSE,
    Forecast,
    Forecasts,
    Pace,
    Schedule,
    Waiter,
    progress_line,
)


def until(at: float) -> Deadline:
    """A `timeout` of `at` seconds from 0, the moment the tests' clocks start at."""
    return Deadline.after(lambda: 0.0, at)


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
    waiter = Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(600.0))
    result = waiter.wait(queued("a"), started=0.0)
    assert result.runs[0].status is Status.PASSED
    assert polls[-1] - 4.0 <= 2.0


def test_pauses_grow_with_age_but_never_exceed_poll_interval() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 900.0})
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(3600.0)).wait(queued("a"), 0.0)
    assert max(clock.sleeps) == pytest.approx(10.0)
    assert clock.sleeps[0] == MIN_PAUSE
    assert clock.sleeps == sorted(clock.sleeps)


@pytest.mark.parametrize(
    ("timeout", "began", "last_look"),
    [
        # Twice the least time a request is sent with (MIN_ANSWER) left: its answer is back by
        # the deadline.
        (120.0, 0.0, 120.0 - 2 * MIN_ANSWER),
        # A short `timeout`: the least time is MIN_ANSWER_SHARE of it.
        (4.0, 0.0, 4.0 - 2 * MIN_ANSWER_SHARE * 4.0),
        # A wait begun late (a rerun at 5.2 s of 8): still the client's least time (0.4 s),
        # not a share of the 2.8 s left, with which the look would not be sent.
        (8.0, 5.2, 8.0 - 0.8),
    ],
)
def test_runs_unfinished_at_the_deadline_time_out_after_a_last_look_near_it(
    timeout: float, began: float, last_look: float
) -> None:
    clock = SimClock()
    clock.now = began
    poll, polls = platform(clock, {"a": 10_000.0})
    waiter = Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(timeout))
    assert waiter.wait(queued("a"), began).timed_out
    assert last_look <= clock.now <= timeout + 1e-9
    assert polls[-1] == pytest.approx(last_look)


def test_out_of_time_while_retrying_ends_as_timeout() -> None:
    clock = SimClock()

    def poll(runs: Sequence[Run]) -> list[Run]:
        raise OutOfTimeError("the timeout ran out while retrying")

    result = Waiter(poll, Schedule(5.0), clock, clock.sleep, deadline=until(60.0)).wait(
        queued("a"), 0.0
    )
    assert result.timed_out


def test_a_long_run_costs_about_one_request_per_poll_interval() -> None:
    clock = SimClock()
    poll, polls = platform(clock, {"a": 3600.0})
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(7200.0)).wait(queued("a"), 0.0)
    # 360 at a fixed 10 s; the quicker checks of the first 100 s add a handful.
    assert 360 <= len(polls) <= 375
    assert polls[-1] - 3600.0 <= 10.0


def stepping(
    clock: SimClock, steps: int, start: float, step: float, end: float | None = None
) -> tuple[Callable[[Sequence[Run]], list[Run]], list[float]]:
    """A run queued until `start` whose steps end every `step` seconds; it ends with its
    last step, or at `end` (earlier: it failed partway; later: it hangs after its steps)."""
    finish = start + steps * step if end is None else end
    polls: list[float] = []

    def poll(runs: Sequence[Run]) -> list[Run]:
        polls.append(clock.now)
        now = clock.now
        done = min(steps, max(0, int((now - start) / step)))
        status = Status.QUEUED if now < start else Status.RUNNING
        status = Status.PASSED if now >= finish else status
        return [run.updated(status=status, progress=Progress(done, steps)) for run in runs]

    return poll, polls


def test_progress_lands_a_check_just_after_the_forecast_end() -> None:
    clock = SimClock()
    poll, polls = stepping(clock, steps=12, start=3.0, step=20.0)  # ends at 243 s
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(600.0)).wait(queued("a"), 0.0)
    blind_clock = SimClock()
    blind, blind_polls = platform(blind_clock, {"a": 243.0})
    Waiter(blind, Schedule(10.0), blind_clock, blind_clock.sleep, deadline=until(600.0)).wait(
        queued("a"), 0.0
    )
    assert blind_polls[-1] - 243.0 > 5.0
    assert polls[-1] - 243.0 <= (blind_polls[-1] - 243.0) / 2
    # The checks close in around the end: pauses well under poll-interval there.
    assert polls[-1] - polls[-2] < 4.0
    # For a few more requests than age alone makes: the forecast only adds checks.
    assert len(blind_polls) <= len(polls) <= len(blind_polls) + 5


def test_a_run_failing_before_its_forecast_is_still_seen_within_poll_interval() -> None:
    clock = SimClock()
    poll, polls = stepping(clock, steps=12, start=3.0, step=20.0, end=101.0)
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(600.0)).wait(queued("a"), 0.0)
    assert polls[-1] - 101.0 <= 10.0


def test_a_forecast_long_overdue_gives_way_to_the_age_schedule() -> None:
    clock = SimClock()
    # Every step is done at 63 s, but the run only ends at 600 s.
    poll, polls = stepping(clock, steps=12, start=3.0, step=5.0, end=600.0)
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=until(900.0)).wait(queued("a"), 0.0)
    late = [at for at in polls if at > 200.0]
    assert len(late) <= 41  # one per poll-interval, not one per MIN_PAUSE
    assert polls[-1] - 600.0 <= 10.0


def test_a_count_that_goes_back_drops_the_forecast_until_progress_moves_again() -> None:
    pace = Pace()
    run = Run(id="a", name="a", status=Status.RUNNING, progress=Progress(0, 10))
    pace.observe(run, 0.0)
    for done, at in enumerate((10.0, 20.0, 30.0), start=1):
        pace.observe(run.updated(progress=Progress(done, 10)), at)
    assert pace.forecast() is not None
    pace.observe(run.updated(progress=Progress(1, 10)), 40.0)  # the platform went back
    assert pace.forecast() is None
    pace.observe(run.updated(progress=Progress(2, 10)), 50.0)
    pace.observe(run.updated(progress=Progress(3, 10)), 60.0)
    assert pace.forecast() is not None


def test_a_check_without_steps_does_not_narrow_when_a_step_ended() -> None:
    """A Qualigate check through /results has no steps: it cannot show that none ended."""
    with_steps, without = Pace(), Pace()
    run = Run(id="a", name="a", status=Status.RUNNING, progress=Progress(1, 10))
    for pace in (with_steps, without):
        pace.observe(run, 0.0)
        pace.observe(run.updated(progress=Progress(2, 10)), 10.0)
    with_steps.observe(run.updated(progress=Progress(2, 10)), 15.0)
    without.observe(run.updated(progress=None), 15.0)
    for pace in (with_steps, without):
        pace.observe(run.updated(progress=Progress(3, 10)), 20.0)
    # The third step ended after 15 s, or after 10 s: only the check with steps said which.
    assert with_steps.window == 5.0 and without.window == 10.0


def test_the_pace_forecasts_the_end_from_the_steps_seen() -> None:
    pace = Pace()
    run = Run(id="a", name="a", status=Status.QUEUED, progress=Progress(0, 10))
    pace.observe(run, 0.0)
    assert pace.forecast() is None
    pace.observe(run, 2.0)
    # Started between the checks at 2 s and 6 s; then one step done between each two checks.
    pace.observe(run.updated(status=Status.RUNNING), 6.0)
    for done, at in enumerate((16.0, 26.0, 36.0), start=1):
        pace.observe(run.updated(status=Status.RUNNING, progress=Progress(done, 10)), at)
    forecast = pace.forecast()
    assert forecast is not None
    # About 10 s a step so far, 7 steps to go.
    assert 90.0 <= forecast.end <= 110.0
    # Seven steps to go, each of them uncertain: the forecast admits it.
    assert 10.0 <= forecast.spread <= 40.0


class Foreseen(Forecasts):
    """Every run's forecast is `fixed`."""

    def __init__(self, fixed: Forecast) -> None:
        super().__init__()
        self.fixed = fixed

    def forecast(self, run: Run) -> Forecast | None:
        return self.fixed


def test_a_forecast_closes_in_around_its_end_and_adds_nothing_once_expired() -> None:
    schedule = Schedule(poll_interval=10.0)
    runs = queued("a")
    foreseen = Foreseen(Forecast(end=100.0, spread=5.0))
    # Near the end it expects, checks come at least twice as often as on age alone.
    assert schedule.pause(runs, 98.0, foreseen) <= schedule.age_pause(98.0) / 2
    # Far from it, and once it has expired, the pause is age alone's.
    assert schedule.pause(runs, 20.0, foreseen) == pytest.approx(schedule.age_pause(20.0), abs=0.01)
    for elapsed in (100.0 + EXPIRY * 5.0 + 0.1, 400.0):
        assert schedule.pause(runs, elapsed, foreseen) == schedule.age_pause(elapsed)


@pytest.mark.parametrize("poll_interval", [2.0, 10.0, 30.0])
def test_checks_at_a_sure_end_come_no_closer_than_the_shortest_aimed_pause(
    poll_interval: float,
) -> None:
    schedule = Schedule(poll_interval)
    sure = Foreseen(Forecast(end=100.0, spread=0.01))
    pause = schedule.pause(queued("a"), 100.0, sure)
    assert pause == pytest.approx(MIN_AIMED_PAUSE, abs=0.011)
    assert pause < schedule.age_pause(100.0)


def test_a_forecast_is_no_sharper_than_the_closest_checks_it_can_aim() -> None:
    """Every step done, each seen within a tenth of a second: the end could be told only to
    the closest aimed checks."""
    pace = Pace()
    run = Run(id="a", name="a", status=Status.RUNNING, progress=Progress(0, 3))
    pace.observe(run, 0.0)
    for done, at in ((1, 10.0), (2, 20.0), (3, 30.0)):
        pace.observe(run.updated(progress=Progress(done - 1, 3)), at - 0.1)
        pace.observe(run.updated(progress=Progress(done, 3)), at)
    forecast = pace.forecast()
    assert forecast is not None and forecast.spread == MIN_AIMED_PAUSE


def test_one_move_of_the_count_makes_no_forecast() -> None:
    """A run first seen at 3 of 12 steps may have got there at once: no pace yet."""
    pace = Pace()
    run = Run(id="a", name="a", status=Status.RUNNING, progress=Progress(3, 12))
    pace.observe(run.updated(status=Status.QUEUED, progress=None), 0.0)
    pace.observe(run, 2.0)
    pace.observe(run, 6.0)
    assert pace.forecast() is None
    pace.observe(run.updated(progress=Progress(4, 12)), 9.0)
    assert pace.forecast() is not None


def test_a_run_stalled_after_a_jump_is_checked_as_often_as_age_alone_would() -> None:
    clock = SimClock()
    # 3 of 12 steps at once, then nothing more until the run ends at 30 s.
    poll, polls = stepping(clock, steps=12, start=1.0, step=0.3, end=30.0)

    def stalled(runs: Sequence[Run]) -> list[Run]:
        return [
            run.updated(progress=Progress(min(3, run.progress.done), 12)) if run.progress else run
            for run in poll(runs)
        ]

    Waiter(stalled, Schedule(10.0), clock, clock.sleep, deadline=until(600.0)).wait(
        queued("a"), 0.0
    )
    blind_clock = SimClock()
    blind, blind_polls = platform(blind_clock, {"a": 30.0})
    Waiter(blind, Schedule(10.0), blind_clock, blind_clock.sleep, deadline=until(600.0)).wait(
        queued("a"), 0.0
    )
    assert polls == pytest.approx(blind_polls)


def test_progress_lines_are_printed_when_a_run_changes() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 2.0, "b": 5.0}, result=Status.FAILED)
    lines: list[str] = []
    Waiter(
        poll, Schedule(10.0), clock, clock.sleep, deadline=until(60.0), report=lines.append
    ).wait(queued("a", "b"), 0.0)
    assert any("1/2 runs finished (1 failed)" in line for line in lines)
    assert "2/2 runs finished (2 failed)" in lines[-1]


def test_a_progress_line_s_clock_rounds_as_the_summary_s_took_does() -> None:
    assert progress_line([], 59.6).startswith("[01:00] ")
    assert progress_line([], 61.4).startswith("[01:01] ")

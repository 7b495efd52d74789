"""The wait loop and its schedule on a simulated clock: no real sleeping."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest

from qarun.errors import OutOfTimeError
from qarun.model import Progress, Run, Status
from qarun.ratelimit import Throttle
from qarun.wait import LAST_LOOK, MIN_PAUSE, Forecast, Forecasts, Pace, Schedule, Waiter


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
    assert polls[-1] - 4.0 <= 2.0


def test_pauses_grow_with_age_but_never_exceed_poll_interval() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 900.0})
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=3600.0).wait(queued("a"), 0.0)
    assert max(clock.sleeps) == pytest.approx(10.0)
    assert clock.sleeps[0] == MIN_PAUSE
    assert clock.sleeps == sorted(clock.sleeps)


def test_runs_unfinished_at_the_deadline_time_out_near_it() -> None:
    clock = SimClock()
    poll, polls = platform(clock, {"a": 10_000.0})
    result = Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=120.0).wait(queued("a"), 0.0)
    assert result.timed_out
    assert 119.0 <= clock.now <= 120.0 + 1e-9
    # The last look goes LAST_LOOK before the deadline, so that its answer is back by then.
    assert polls[-1] == pytest.approx(120.0 - LAST_LOOK)


def test_out_of_time_while_retrying_ends_as_timeout() -> None:
    clock = SimClock()

    def poll(runs: Sequence[Run]) -> list[Run]:
        raise OutOfTimeError("the timeout ran out while retrying")

    result = Waiter(poll, Schedule(5.0), clock, clock.sleep, deadline=60.0).wait(queued("a"), 0.0)
    assert result.timed_out


def test_a_long_run_costs_about_one_request_per_poll_interval() -> None:
    clock = SimClock()
    poll, polls = platform(clock, {"a": 3600.0})
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=7200.0).wait(queued("a"), 0.0)
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
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=600.0).wait(queued("a"), 0.0)
    blind_clock = SimClock()
    blind, blind_polls = platform(blind_clock, {"a": 243.0})
    Waiter(blind, Schedule(10.0), blind_clock, blind_clock.sleep, deadline=600.0).wait(
        queued("a"), 0.0
    )
    assert polls[-1] - 243.0 <= 2.0
    assert blind_polls[-1] - 243.0 > 5.0
    # The forecast spends no more requests than the blind schedule to be early.
    assert len(polls) <= len(blind_polls)


def test_a_run_failing_before_its_forecast_is_still_seen_within_poll_interval() -> None:
    clock = SimClock()
    poll, polls = stepping(clock, steps=12, start=3.0, step=20.0, end=101.0)
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=600.0).wait(queued("a"), 0.0)
    assert polls[-1] - 101.0 <= 10.0


def test_a_forecast_long_overdue_gives_way_to_the_age_schedule() -> None:
    clock = SimClock()
    # Every step is done at 63 s, but the run only ends at 600 s.
    poll, polls = stepping(clock, steps=12, start=3.0, step=5.0, end=600.0)
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=900.0).wait(queued("a"), 0.0)
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


def test_a_429_stretches_the_whole_schedule() -> None:
    throttle = Throttle(clock=lambda: 0.0)
    schedule = Schedule(poll_interval=10.0, slowdown=lambda: throttle.factor)
    runs = queued("a")
    before = [schedule.pause(runs, age, Forecasts()) for age in (1.0, 30.0, 300.0)]
    throttle.hit()
    after = [schedule.pause(runs, age, Forecasts()) for age in (1.0, 30.0, 300.0)]
    assert after == pytest.approx([2 * pause for pause in before], abs=0.03)


class Foreseen(Forecasts):
    """Every run's forecast is `fixed`."""

    def __init__(self, fixed: Forecast) -> None:
        super().__init__()
        self.fixed = fixed

    def forecast(self, run: Run) -> Forecast | None:
        return self.fixed


def test_after_a_429_the_checks_aimed_at_a_forecast_end_stretch_least() -> None:
    throttle = Throttle(clock=lambda: 0.0)
    schedule = Schedule(poll_interval=10.0, slowdown=lambda: throttle.factor)
    runs = queued("a")
    near, far = Foreseen(Forecast(end=100.0, spread=5.0)), Foreseen(Forecast(300.0, 5.0))
    before = schedule.pause(runs, 95.0, near), schedule.pause(runs, 20.0, far)
    throttle.hit()
    after = schedule.pause(runs, 95.0, near), schedule.pause(runs, 20.0, far)
    # Near its forecast end a check is what sees the end: √2 farther apart; far from it, 2×.
    assert before[0] < after[0] <= 1.5 * before[0]
    assert after[1] == pytest.approx(2 * before[1], abs=0.03)


def test_a_429_during_the_wait_slows_the_later_checks_less_and_less() -> None:
    clock = SimClock()
    throttle = Throttle(clock=clock)
    poll, polls = platform(clock, {"a": 300.0})

    def limited(runs: Sequence[Run]) -> list[Run]:
        if len(polls) == 10:
            throttle.hit()  # what the HTTP client does on a 429
        return poll(runs)

    schedule = Schedule(10.0, slowdown=lambda: throttle.factor)
    Waiter(limited, schedule, clock, clock.sleep, deadline=900.0).wait(queued("a"), 0.0)
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert max(gaps[:10]) <= 10.0
    assert gaps[10] == pytest.approx(2 * gaps[9], rel=0.1)
    assert min(gaps[10:]) >= 2 * MIN_PAUSE
    # Past poll-interval while the 429 is fresh, back near it minutes later.
    assert max(gaps) > 12.0 and gaps[-1] < 11.0


def test_progress_lines_are_printed_when_a_run_changes() -> None:
    clock = SimClock()
    poll, _ = platform(clock, {"a": 2.0, "b": 5.0}, result=Status.FAILED)
    lines: list[str] = []
    Waiter(poll, Schedule(10.0), clock, clock.sleep, deadline=60.0, report=lines.append).wait(
        queued("a", "b"), 0.0
    )
    assert any("1/2 runs finished (1 failed)" in line for line in lines)
    assert "2/2 runs finished (2 failed)" in lines[-1]

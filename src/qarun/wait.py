"""Waiting for runs: one loop, a schedule of pauses, our own deadline, and progress lines.

The schedule weighs the lag of seeing an end late against the cost of one more
request. It pauses √(RAMP × poll-interval / hazard) seconds, where the hazard is
the chance per second that a run ends now, given what qarun knows:
- the run's age: the hazard is 1/age, so pauses grow with the square root of age
  (2 s at first, 5 s at 25 s, 10 s from 100 s on with the default `poll-interval`):
  a short run is seen a second or two after it ends, and a long one costs one
  request per `poll-interval`;
- where the platform reports progress (steps, tests or runs done), the pace so far
  forecasts the end, and the forecast's hazard is *added* to the age hazard: checks
  close in around the end it expects, until it expires (the run EXPIRY spreads
  past the forecast end). A pace is measured once the count has gone up at two
  checks (PACE_MOVES).

Why a forecast can never take checks away, whatever the progress reports say: the
hazard is the age hazard plus a term that is never negative, so it is never below
the age hazard, and the pause, the longest whose checks keep up with the hazard,
can only shorten; on top of that the schedule takes the shorter of the forecast's
pause and age alone's, so that no rounding can make it longer. Every pause is at
most the one age alone would take, with or without a forecast, right or wrong,
live or expired (tests/test_schedule_properties.py checks it for any sequence of
progress reports). A wrong forecast costs only the few checks it adds before it
expires.

Sharing a key with other jobs is not the schedule's business: the HTTP client
paces each endpoint under the share of the key its 429s leave this job
(`ratelimit`). Pauses never exceed `poll-interval`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qarun.deadline import Deadline
from qarun.errors import OutOfTimeError
from qarun.model import Progress, Run, Status
from qarun.verdict import settled

# In √(RAMP × poll-interval / hazard), the pause that minimises lag plus RAMP × poll-interval / 2
# seconds of it per request; on age alone, pauses reach `poll-interval` at an age of
# poll-interval / RAMP (100 s by default).
RAMP = 0.1
# The shortest pause on age alone: checks in a run's first seconds rarely find it ended.
MIN_PAUSE = 2.0
# Near a forecast end the checks may come closer: the end is likely, not merely possible
# (bench/README.md, "After": 2 s instead costs even progress 0.53 × age only's lag × rate
# against 0.44 ×). It is also a forecast's narrowest spread (`Pace.forecast`).
MIN_AIMED_PAUSE = 1.0
# How much one step's length varies around the mean (its coefficient of variation).
STEP_VARIATION = 0.5
# How far past its end (in spreads) a forecast still adds checks. It never takes any away,
# so this weighs only the checks it adds against the late ends they catch (bench/README.md,
# "After": 1 spread 0.65 × age only's lag × rate under even progress, 3 spreads 0.44 ×).
EXPIRY = 3.0
# A pace is measured once the count has gone up at two checks: one move cannot tell a pace
# from a jump (a run first seen at 3 of 12 steps may have got there at once).
PACE_MOVES = 2
# A progress line at least this often (seconds), even when nothing changed.
HEARTBEAT = 60.0


@dataclass(frozen=True)
class Forecast:
    """When a run should end (seconds since the trigger), give or take `spread` (one sd)."""

    end: float
    spread: float

    @property
    def expires_at(self) -> float:
        """When it is past its use: EXPIRY spreads after the forecast end."""
        return self.end + EXPIRY * self.spread

    def expired(self, elapsed: float) -> bool:
        return elapsed > self.expires_at

    def hazard(self, since: float, until: float) -> float:
        """The highest chance per second that the run ends between `since` and `until`.

        The end is taken as logistic around `end`, whose hazard grows until the
        forecast expires (`expired`): overdue, it was wrong, and adds nothing more.
        """
        if self.expired(since):
            return 0.0
        scale = self.spread * math.sqrt(3) / math.pi
        return 0.5 * (1 + math.tanh((min(until, self.expires_at) - self.end) / scale / 2)) / scale


@dataclass
class Pace:
    """One run's progress reports so far, and the end they forecast.

    A step ended somewhere between the check that last showed it unfinished and
    the one that showed it done; its moment is estimated in between. The pace is
    the mean time per step since the run started, which averages out the steps'
    own variation as the run goes on.
    """

    start: float | None = None
    # When the run was last seen queued, or the trigger: the earliest it can have started.
    queued_until: float = 0.0
    seen_at: float = 0.0
    done: int = 0
    total: int = 0
    # When `done` reached its current value (estimated), and how long that window was.
    reached_at: float | None = None
    window: float = 0.0
    # How many checks saw the count go up since it was last measured afresh.
    moves: int = 0

    def observe(self, run: Run, at: float) -> None:
        progress = run.progress
        if run.status is Status.QUEUED:
            self.queued_until = at
        elif self.start is None:
            self.start = (self.queued_until + at) / 2
        if progress is not None and progress.total > 0:
            self._count(progress, at)
            # Only a check that reported the steps shows that none ended before it.
            self.seen_at = at

    def _count(self, progress: Progress, at: float) -> None:
        self.total = progress.total
        if progress.done < self.done:
            # The count went back: what was measured no longer holds; measure afresh.
            self.done, self.reached_at, self.window, self.moves = progress.done, None, 0.0, 0
            return
        gained = progress.done - self.done
        if gained > 0:
            # `gained` steps ended since the last check: the last of them most likely late.
            since = max(self.seen_at, self.start or 0.0)
            self.window = at - since
            self.reached_at = since + self.window * gained / (gained + 1)
            self.done = progress.done
            self.moves += 1

    def forecast(self) -> Forecast | None:
        """None until the count has gone up at PACE_MOVES checks."""
        if (
            self.reached_at is None
            or self.start is None
            or self.done <= 0
            or self.moves < PACE_MOVES
        ):
            return None
        per_step = max(0.0, self.reached_at - self.start) / self.done
        left = max(0, self.total - self.done)
        # The steps left vary, and so does the pace measured so far; the moment the last
        # step ended is known only within the window between two checks.
        steps = STEP_VARIATION * per_step * math.sqrt(left + left * left / self.done)
        spread = math.hypot(steps, self.window / math.sqrt(12))
        # No sharper than the closest checks it can aim: a finer end could not be told apart.
        return Forecast(self.reached_at + left * per_step, max(MIN_AIMED_PAUSE, spread))


@dataclass
class Forecasts:
    """Every run's Pace, updated after each check."""

    paces: dict[str, Pace] = field(default_factory=dict)

    def observe(self, runs: Sequence[Run], at: float) -> None:
        for run in runs:
            if not run.finished:
                self.paces.setdefault(run.id, Pace()).observe(run, at)

    def forecast(self, run: Run) -> Forecast | None:
        pace = self.paces.get(run.id)
        return pace.forecast() if pace is not None else None


@dataclass
class Schedule:
    """Pure: how long to pause before the next check, from the runs' age and forecasts."""

    poll_interval: float

    def pause(self, runs: Sequence[Run], elapsed: float, forecasts: Forecasts) -> float:
        """Seconds until the next check of `runs` (the unfinished ones), `elapsed` after trigger.

        The next check serves the run that needs it soonest.
        """
        # Runs of one trigger share their forecast (Panto's runs done): compute each once.
        distinct = {forecasts.forecast(run) for run in runs}
        pauses = [self._pause(elapsed, forecast) for forecast in distinct]
        return min(pauses, default=self.poll_interval)

    def _pause(self, elapsed: float, forecast: Forecast | None) -> float:
        """Age alone's pause, or a shorter one where the forecast adds hazard: never longer."""
        by_age = self.age_pause(elapsed)
        if forecast is None or forecast.expired(elapsed):
            return by_age
        return min(by_age, self._aimed_pause(elapsed, forecast))

    def age_pause(self, elapsed: float) -> float:
        """The pause whose checks keep up with the age hazard 1/age: √(RAMP × poll-interval
        × age), between MIN_PAUSE and `poll-interval`."""
        ideal = math.sqrt(RAMP * self.poll_interval * max(elapsed, 0.0))
        return min(self.poll_interval, max(MIN_PAUSE, ideal))

    def _aimed_pause(self, elapsed: float, forecast: Forecast) -> float:
        """The longest pause (at least MIN_AIMED_PAUSE) whose checks keep up with the age
        hazard plus the forecast's."""
        age = max(elapsed, 1e-6)

        def fits(pause: float) -> bool:
            hazard = 1 / age + forecast.hazard(elapsed, elapsed + pause)
            return pause * pause * hazard <= RAMP * self.poll_interval

        low, high = min(MIN_AIMED_PAUSE, self.poll_interval), self.poll_interval
        if fits(high):
            return high
        if not fits(low):
            return low
        while high - low > 0.01:
            middle = (low + high) / 2
            low, high = (middle, high) if fits(middle) else (low, middle)
        return low


@dataclass
class WaitResult:
    runs: list[Run]
    timed_out: bool = False


@dataclass
class Waiter:
    """Polls the provider until every run has finished or the deadline passes."""

    poll: Callable[[Sequence[Run]], list[Run]]
    schedule: Schedule
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    # The `timeout` deadline the HTTP client's requests answer to (the same object): when the
    # wait ends, and the least time left with which a request is still sent.
    deadline: Deadline
    report: Callable[[str], None] = lambda line: None

    def wait(self, runs: list[Run], started: float) -> WaitResult:
        result = WaitResult(runs=list(runs))
        forecasts = Forecasts()
        forecasts.observe(result.runs, self.clock() - started)
        last_line = self.clock()
        while not all(run.finished for run in result.runs):
            now = self.clock()
            pause = self.schedule.pause(
                [r for r in result.runs if not r.finished], now - started, forecasts
            )
            last_look = self._last_look()
            if now + pause > last_look:
                # One last look just before the deadline, with time to answer, then stop.
                pause = last_look - now
                if pause <= 0.0:
                    result.timed_out = True
                    return result
            self.sleep(pause)
            asked = self.clock()
            try:
                updated = self._poll_once(result.runs, started)
            except OutOfTimeError:
                result.timed_out = True
                return result
            now = self.clock()
            # The answer shows the runs as they were midway through the request.
            forecasts.observe(updated, (asked + now) / 2 - started)
            changes = _changes(result.runs, updated)
            result.runs = updated
            if changes or now - last_line >= HEARTBEAT:
                self.report(progress_line(updated, now - started, changes))
                last_line = now
            if now >= self._end() and not all(r.finished for r in updated):
                result.timed_out = True
                return result
        return result

    def _last_look(self) -> float:
        """When the last check goes: with twice the least time left with which a request is
        still sent (`Deadline.min_answer`), so that it is sent even when a sleep ends a little
        late, and answered before the deadline."""
        return self._end() - 2 * self.deadline.min_answer

    def _end(self) -> float:
        return math.inf if self.deadline.at is None else self.deadline.at

    def _poll_once(self, runs: list[Run], started: float) -> list[Run]:
        unfinished = [run for run in runs if not run.finished]
        fresh = {run.id: run for run in self.poll(unfinished)}
        elapsed = round(self.clock() - started, 3)
        return [
            _with_duration(settled(run, fresh[run.id]) if run.id in fresh else run, elapsed)
            for run in runs
        ]


def _with_duration(run: Run, elapsed: float) -> Run:
    """A platform that reports no times (QA.tech) gets the duration qarun saw: trigger to end."""
    if run.finished and run.duration is None:
        return run.updated(duration=elapsed)
    return run


def _changes(before: Sequence[Run], after: Sequence[Run]) -> list[str]:
    old = {run.id: run for run in before}
    lines = []
    for run in after:
        previous = old.get(run.id)
        if previous is None or previous.provider_status != run.provider_status:
            lines.append(f"{run.name}: {run.provider_status or run.status.value}")
    return lines


def progress_line(runs: Sequence[Run], elapsed: float, changes: Sequence[str] = ()) -> str:
    line = f"[{_clock(elapsed)}] {tally(runs)}"
    if changes:
        line += "; " + "; ".join(changes[:5])
        if len(changes) > 5:
            line += f"; and {len(changes) - 5} more"
    return line


def tally(runs: Sequence[Run]) -> str:
    """How many runs have finished, and how: "2/3 runs finished (1 passed, 1 failed)"."""
    finished = [run for run in runs if run.finished]
    counts: dict[Status, int] = {}
    for run in finished:
        counts[run.status] = counts.get(run.status, 0) + 1
    parts = ", ".join(f"{count} {status.value}" for status, count in counts.items())
    return f"{len(finished)}/{len(runs)} runs finished" + (f" ({parts})" if parts else "")


def told(runs: Sequence[Run], line: str | None) -> bool:
    """The progress `line` already gave the runs' tally as it stands."""
    return line is not None and line.partition("] ")[2].split("; ")[0] == tally(runs)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"

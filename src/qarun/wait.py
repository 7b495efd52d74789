"""Waiting for runs: one loop, a schedule of pauses, our own deadline, and progress lines.

The schedule polls a young run often and an old one rarely (never more than
`poll-interval` apart), aims the next poll at the predicted end where the
platform reports progress, and stretches every pause after a 429.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qarun.errors import OutOfTimeError
from qarun.http import Throttle
from qarun.model import Run, Status

# A run this many seconds old is polled every `age × AGE_FACTOR` seconds (capped).
AGE_FACTOR = 0.1
MIN_PAUSE = 0.5
# Aim a little past the predicted end, so the poll finds the run finished.
PREDICTION_MARGIN = 0.5


@dataclass
class Schedule:
    """Pure: when to poll next, from the runs' ages and progress."""

    poll_interval: float
    throttle: Throttle = field(default_factory=Throttle)
    min_pause: float = MIN_PAUSE

    def pause(
        self, runs: Sequence[Run], elapsed: float, seen: dict[str, tuple[float, float]]
    ) -> float:
        """Seconds until the next poll.

        `seen` maps run id → (elapsed, fraction) at the first progress report.
        """
        cap = self.poll_interval * self.throttle.factor
        floor = min(self.min_pause * self.throttle.factor, cap)
        pause = min(cap, max(floor, elapsed * AGE_FACTOR * self.throttle.factor))
        for run in runs:
            predicted = self._until_predicted_end(run, elapsed, seen)
            if predicted is not None:
                pause = min(pause, max(floor, predicted + PREDICTION_MARGIN))
        return pause

    @staticmethod
    def _until_predicted_end(
        run: Run, elapsed: float, seen: dict[str, tuple[float, float]]
    ) -> float | None:
        if run.finished or run.progress is None or run.progress.total <= 0:
            return None
        fraction = run.progress.fraction
        first = seen.get(run.id)
        if first is None:
            seen[run.id] = (elapsed, fraction)
            return None
        since, start_fraction = first
        gained = fraction - start_fraction
        if gained <= 0 or elapsed <= since:
            return None
        rate = gained / (elapsed - since)
        return max(0.0, (1.0 - fraction) / rate)


@dataclass
class WaitResult:
    runs: list[Run]
    timed_out: bool = False
    polls: int = 0


@dataclass
class Waiter:
    """Polls the provider until every run has finished or the deadline passes."""

    poll: Callable[[Sequence[Run]], list[Run]]
    schedule: Schedule
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    deadline: float
    report: Callable[[str], None] = lambda line: None
    heartbeat: float = 60.0

    def wait(self, runs: list[Run], started: float) -> WaitResult:
        result = WaitResult(runs=list(runs))
        seen: dict[str, tuple[float, float]] = {}
        last_line = self.clock()
        while not all(run.finished for run in result.runs):
            now = self.clock()
            pause = self.schedule.pause(
                [r for r in result.runs if not r.finished], now - started, seen
            )
            if now + pause > self.deadline:
                # One last look just before the deadline, then stop.
                pause = max(0.0, self.deadline - now)
                if pause == 0.0:
                    result.timed_out = True
                    return result
            self.sleep(pause)
            try:
                updated = self._poll_once(result.runs, started)
            except OutOfTimeError:
                result.timed_out = True
                return result
            result.polls += 1
            changes = _changes(result.runs, updated)
            result.runs = updated
            now = self.clock()
            if changes or now - last_line >= self.heartbeat:
                self.report(progress_line(updated, now - started, changes))
                last_line = now
            if self.clock() >= self.deadline and not all(r.finished for r in updated):
                result.timed_out = True
                return result
        return result

    def _poll_once(self, runs: list[Run], started: float) -> list[Run]:
        unfinished = [run for run in runs if not run.finished]
        fresh = {run.id: run for run in self.poll(unfinished)}
        elapsed = round(self.clock() - started, 3)
        return [_with_duration(fresh.get(run.id, run), elapsed) for run in runs]


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
    finished = [run for run in runs if run.finished]
    tally: dict[Status, int] = {}
    for run in finished:
        tally[run.status] = tally.get(run.status, 0) + 1
    parts = ", ".join(f"{count} {status.value}" for status, count in tally.items())
    line = f"[{_clock(elapsed)}] {len(finished)}/{len(runs)} runs finished"
    if parts:
        line += f" ({parts})"
    if changes:
        line += "; " + "; ".join(changes[:5])
        if len(changes) > 5:
            line += f"; and {len(changes) - 5} more"
    return line


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"

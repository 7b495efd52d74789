"""The Qualigate fake showing its test runs' steps as a progress pattern (bench/progress.py)
says, without touching tests/: a subclass of the fake whose test runs answer GET
/api/v1/trigger with the pattern's `steps_completed`/`steps_total` (or without them) while
they run. Their final answer is the fake's own.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from tests.fakes.base import RunScript
from tests.fakes.qualigate import STEPS, FakeTestRun, QualigateFake

from bench.progress import Shows, step_ends


@dataclass(frozen=True)
class StepScript(RunScript):
    """A RunScript whose steps end at given moments (a progress pattern's `Stepped`)."""

    step_ends: tuple[float, ...] = ()
    total: int = STEPS


def drawn_steps(script: RunScript, rng: random.Random) -> StepScript:
    """`script` with STEPS noisy steps over its running time; a failing run stops in a step
    drawn at random and reports the ones before it."""
    failed = script.result != "passed"
    reported = rng.randint(1, STEPS) - 1 if failed else STEPS
    finishing = min(rng.uniform(0.0, 1.0), 0.1 * script.duration)
    ends = step_ends(rng, script.queued_for, script.duration - finishing, STEPS, reported)
    return StepScript(
        script.name,
        result=script.result,
        duration=script.duration,
        queued_for=script.queued_for,
        step_ends=ends,
    )


@dataclass
class ShownTestRun(FakeTestRun):
    shows: Shows | None = None

    def answer(self) -> dict[str, Any]:
        answer = super().answer()
        if self.shows is None or self.ended or not isinstance(self.script, StepScript):
            return answer
        shown = self.shows(self.script, self.timeline.clock.elapsed())
        if shown is None:
            del answer["steps_completed"], answer["steps_total"]
        else:
            answer["steps_completed"], answer["steps_total"] = shown.done, shown.total
        return answer


class ShowingFake(QualigateFake):
    """The Qualigate fake whose test runs (of StepScripts) show progress as `shows` says;
    with `shows` None, the fake as it is."""

    def __init__(self, *args: Any, shows: Shows | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shows = shows

    def _start_test_run(self, script: RunScript, body: Mapping[str, Any]) -> FakeTestRun:
        run = super()._start_test_run(script, body)
        if self.shows is None:
            return run
        copied = {f.name: getattr(run, f.name) for f in fields(run)}
        shown = ShownTestRun(**copied, shows=self.shows)
        self.test_runs[run.id] = shown
        return shown

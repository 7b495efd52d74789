"""The steps of a run after its settings: trigger, wait, read the details. Each takes the
Job it works with and the RunState it adds to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from qarun.errors import MalformedAnswerError, OutOfTimeError, PlatformError
from qarun.job import Job
from qarun.model import Run, Status
from qarun.providers.base import TriggerSpec
from qarun.run_state import RunState


def trigger_all(job: Job, state: RunState, specs: Sequence[TriggerSpec]) -> None:
    state.triggered_at = datetime.now(UTC)
    state.triggered_mono = job.now()
    for spec in specs:
        state.sending = spec.label
        started = job.provider.trigger(spec)
        state.sending = None
        state.runs.extend(started)
        for run in started:
            link = f" {run.url}" if run.url else ""
            job.console.info(f"Triggered {spec.label}: run {run.id} ({run.name}){link}")


def wait_for_runs(job: Job, state: RunState, started: float | None = None) -> bool:
    """Polls until the runs end; True when the timeout ran out first. `started`: when they
    were triggered (a rerun's own trigger), which their schedule and durations count from."""
    # Imported here, after the trigger: the first request goes out sooner.
    from qarun.wait import Schedule, Waiter

    if all(run.finished for run in state.runs):
        return False
    waiter = Waiter(
        poll=_keeping(job, state),
        schedule=Schedule(job.settings.poll_interval),
        clock=job.now,
        sleep=job.cancel.sleep,
        # The client's own: the last look leaves the time the client asks of any request,
        # also when a rerun's wait begins late in the `timeout`.
        deadline=job.client.deadline,
        report=job.console.progress,
    )
    began = started if started is not None else state.triggered_mono
    result = waiter.wait(state.runs, job.now() if began is None else began)
    state.runs = result.runs
    return result.timed_out


def _keeping(job: Job, state: RunState) -> Callable[[Sequence[Run]], list[Run]]:
    """`provider.poll`, keeping each answer: a later error or cancel still reports it."""

    def poll(runs: Sequence[Run]) -> list[Run]:
        try:
            fresh = job.provider.poll(runs)
        except OutOfTimeError as error:
            # The wait ends as a timeout; this says what ran the time out.
            state.note(str(error))
            raise
        state.learn(fresh)
        return fresh

    return poll


def complete_runs(job: Job, state: RunState) -> None:
    """Per-test details; a failure here is a warning, the verdict stands on the runs."""
    # One run at a time: one run's details that cannot be had never take another's away.
    for run in [run for run in state.runs if run.finished and not run.tests]:
        try:
            detailed = job.provider.complete([run])
        except MalformedAnswerError as error:
            # The platform answered, with something that cannot be read: whatever it said of
            # the tests is not a pass (a failed request, below, leaves the verdict as it was).
            note = state.note(f"The test details of {run.name} could not be read: {error}")
            job.console.warning(note)
            state.learn([_doubted(run, note)])
        except (PlatformError, OutOfTimeError) as error:
            note = f"The test details of {run.name} could not be fetched: {error}"
            job.console.warning(state.note(note))
        else:
            state.learn(detailed)


def _doubted(run: Run, why: str) -> Run:
    """A run whose details contradict nothing yet say nothing readable: no pass."""
    if run.status not in (Status.PASSED, Status.SKIPPED):
        return run
    return run.updated(status=Status.ERROR, message=run.message or why)

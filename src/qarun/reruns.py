"""QA.tech `rerun-failed`: rerun the failed tests of finished runs; the last attempt decides.

The failed verdict is known before each rerun: a rerun the platform refuses, or one that
cannot be started, waited for or read, leaves it standing with a warning (README, Statuses and
exit codes: what is known is kept). A rerun is timed and scheduled from its own trigger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from qarun.errors import OutOfTimeError, PlatformError, RerunRefusedError
from qarun.job import Job
from qarun.model import PROBLEMS, Run, Status
from qarun.run_state import RunState
from qarun.steps import complete_runs, wait_for_runs
from qarun.verdict import no_better_than_its_tests


def rerun_failed(job: Job, state: RunState) -> bool:
    """Up to `rerun-failed` rounds of reruns; True when the timeout ran out first."""
    refused: set[str] = set()
    for _ in range(job.settings.rerun_failed):
        failed = [
            run for run in state.runs if run.status is Status.FAILED and run.id not in refused
        ]
        if not failed:
            return False
        rerun_at = job.now()
        reruns = _start(job, state, failed, refused)
        if not reruns:
            return False
        before = (list(state.runs), list(state.attempts))
        try:
            timed_out = _await(job, state, reruns, rerun_at)
        except (PlatformError, OutOfTimeError) as error:
            state.runs, state.attempts = before
            keep_verdict(job, state, f"The reruns could not be followed to their end: {error}")
            return False
        if timed_out:
            return True
    return False


def _start(job: Job, state: RunState, failed: Sequence[Run], refused: set[str]) -> dict[str, Run]:
    """The reruns started, by the id of the run each reruns."""
    reruns: dict[str, Run] = {}
    for run in failed:
        try:
            rerun = job.provider.rerun_failed(run)
        except (PlatformError, OutOfTimeError) as error:
            refused.add(run.id)
            reason = str(error)
            if not isinstance(error, RerunRefusedError):
                reason = f"The failed tests of {run.name} (run {run.id}) were not rerun: {error}"
            keep_verdict(job, state, reason)
            continue
        if rerun is not None:
            reruns[run.id] = rerun
            job.console.info(
                f"Rerunning the failed tests of {run.name} (attempt {rerun.attempt}): "
                f"run {rerun.id}"
            )
    return reruns


def _await(job: Job, state: RunState, reruns: Mapping[str, Run], rerun_at: float) -> bool:
    """Waits for the reruns, timed and scheduled from their own trigger."""
    earlier = {reruns[run.id].id: run for run in state.runs if run.id in reruns}
    state.attempts.extend(earlier.values())
    job.announce(list(reruns.values()), {rerun_id: run.id for rerun_id, run in earlier.items()})
    state.runs = [reruns.get(run.id, run) for run in state.runs]
    timed_out = wait_for_runs(job, state, started=rerun_at)
    complete_runs(job, state)
    state.runs = [_merged(run, earlier[run.id]) if run.id in earlier else run for run in state.runs]
    # A rerun that never ended leaves its earlier attempt's failure known.
    state.happened += [
        earlier[run.id].status for run in state.runs if run.id in earlier and not run.finished
    ]
    return timed_out


def _merged(rerun: Run, earlier: Run) -> Run:
    """The rerun with the earlier attempt's tests it did not rerun, no better than them. A
    rerun whose own tests are unknown (its details could not be had) and that counts fewer
    tests than the earlier attempt's failures cannot show those were rerun: no pass."""
    merged = no_better_than_its_tests(rerun.with_earlier_tests(earlier))
    not_passed = [test for test in earlier.tests if test.status in PROBLEMS]
    if rerun.tests or merged.status is not Status.PASSED or not not_passed:
        return merged
    if rerun.counts().total >= len(not_passed):
        return merged
    why = (
        f"the rerun counted {rerun.counts().total} test(s) for {len(not_passed)} that had not "
        "passed, and its test cases could not be read."
    )
    return merged.updated(status=Status.ERROR, message=merged.message or why)


def keep_verdict(job: Job, state: RunState, reason: str) -> None:
    """A later, optional request failed: the verdict already known stands, with a warning."""
    job.console.warning(state.note(f"{reason.rstrip('.')}. The last attempt's result stands."))

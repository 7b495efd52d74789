"""The verdict: the overall status and the exit code, pure functions of the runs and fail-on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qarun.model import SEVERITY, Run, Status

EXIT_PASSED = 0
EXIT_FAILED = 1


def overall_status(
    runs: Sequence[Run], *, timed_out: bool = False, canceled: bool = False
) -> Status:
    """The worst finished status (SPEC.md order); unfinished runs count as timeout or canceled."""
    statuses = [_final(run.status, timed_out=timed_out, canceled=canceled) for run in runs]
    if canceled:
        return Status.CANCELED
    if not statuses:
        return Status.TIMEOUT if timed_out else Status.ERROR
    return worst(statuses)


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    for status in SEVERITY:
        if status in present:
            return status
    # Only unfinished statuses: the caller asked before the runs ended.
    return Status.RUNNING


def _final(status: Status, *, timed_out: bool, canceled: bool) -> Status:
    if status.finished:
        return status
    if canceled:
        return Status.CANCELED
    return Status.TIMEOUT if timed_out else status


def exit_code(status: Status, fail_on: frozenset[Status]) -> int:
    """0 unless the overall status is one the user asked to fail on."""
    return EXIT_FAILED if status in fail_on else EXIT_PASSED

"""The verdict is a pure function of the runs and fail-on (SPEC.md, Statuses and Exit codes)."""

from __future__ import annotations

import pytest

from qarun.model import Run, Status
from qarun.verdict import exit_code, overall_status


def runs(*statuses: Status) -> list[Run]:
    return [Run(id=f"r{i}", name=f"run {i}", status=s) for i, s in enumerate(statuses)]


DEFAULT_FAIL_ON = frozenset({Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED})


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((Status.PASSED, Status.PASSED), Status.PASSED),
        ((Status.PASSED, Status.SKIPPED), Status.PASSED),
        ((Status.SKIPPED, Status.SKIPPED), Status.SKIPPED),
        ((Status.PASSED, Status.FAILED), Status.FAILED),
        ((Status.FAILED, Status.ERROR), Status.ERROR),
        ((Status.CANCELED, Status.PASSED), Status.CANCELED),
        ((Status.TIMEOUT, Status.CANCELED), Status.TIMEOUT),
        ((Status.TIMEOUT, Status.FAILED), Status.FAILED),
    ],
)
def test_overall_status_is_the_worst_by_the_spec_order(
    statuses: tuple[Status, ...], expected: Status
) -> None:
    assert overall_status(runs(*statuses)) is expected


def test_unfinished_runs_at_the_deadline_make_a_timeout() -> None:
    assert overall_status(runs(Status.PASSED, Status.RUNNING), timed_out=True) is Status.TIMEOUT
    assert overall_status(runs(Status.QUEUED), timed_out=True) is Status.TIMEOUT


def test_a_known_failure_outranks_runs_still_unfinished_at_the_deadline() -> None:
    assert overall_status(runs(Status.FAILED, Status.RUNNING), timed_out=True) is Status.FAILED


def test_cancel_makes_the_overall_status_canceled() -> None:
    assert overall_status(runs(Status.PASSED, Status.RUNNING), canceled=True) is Status.CANCELED


@pytest.mark.parametrize(
    ("status", "fail_on", "code"),
    [
        (Status.PASSED, DEFAULT_FAIL_ON, 0),
        (Status.FAILED, DEFAULT_FAIL_ON, 1),
        (Status.SKIPPED, DEFAULT_FAIL_ON, 0),
        (Status.SKIPPED, frozenset({Status.SKIPPED}), 1),
        (Status.FAILED, frozenset(), 0),
        (Status.TIMEOUT, frozenset({Status.FAILED}), 0),
    ],
)
def test_exit_code_follows_fail_on(status: Status, fail_on: frozenset[Status], code: int) -> None:
    assert exit_code(status, fail_on) == code

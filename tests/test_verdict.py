"""The verdict is a pure function of the runs and fail-on (SPEC.md, Statuses and Exit codes)."""

from __future__ import annotations

import pytest

from qarun.model import SEVERITY, Run, Status
from qarun.verdict import exit_code, final_statuses, overall_status, settled


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


@pytest.mark.parametrize(
    ("happened", "fail_on", "code"),
    [
        ((Status.PASSED,), DEFAULT_FAIL_ON, 0),
        ((Status.FAILED,), DEFAULT_FAIL_ON, 1),
        ((Status.SKIPPED,), DEFAULT_FAIL_ON, 0),
        ((Status.SKIPPED,), frozenset({Status.SKIPPED}), 1),
        ((Status.FAILED,), frozenset(), 0),
        ((Status.TIMEOUT,), frozenset({Status.FAILED}), 0),
        # Any outcome that happened counts, not only the worst: an error outranks a failure,
        # yet `fail-on: failed` still fails on the failure.
        ((Status.ERROR, Status.FAILED), frozenset({Status.FAILED}), 1),
        ((Status.PASSED, Status.SKIPPED), frozenset({Status.SKIPPED}), 1),
    ],
)
def test_exit_code_fails_when_any_outcome_in_fail_on_happened(
    happened: tuple[Status, ...], fail_on: frozenset[Status], code: int
) -> None:
    assert exit_code(happened, fail_on) == code


def test_the_platforms_aggregate_verdict_caps_the_overall_status() -> None:
    passing = [run.updated(platform_verdict=Status.FAILED) for run in runs(Status.PASSED)]
    assert overall_status(passing) is Status.FAILED
    assert Status.FAILED in final_statuses(passing)
    # A passing aggregate never lifts a run that failed.
    failing = [run.updated(platform_verdict=Status.PASSED) for run in runs(Status.FAILED)]
    assert overall_status(failing) is Status.FAILED


def test_after_waiting_the_overall_status_is_never_an_unfinished_word() -> None:
    assert overall_status(runs(Status.RUNNING)) is Status.ERROR
    assert overall_status(runs(Status.QUEUED, Status.PASSED)) is Status.ERROR


ALL = (*SEVERITY, Status.QUEUED, Status.RUNNING)


@pytest.mark.parametrize("before", SEVERITY)
@pytest.mark.parametrize("after", ALL)
def test_a_run_seen_finished_stays_finished_and_never_gets_better(
    before: Status, after: Status
) -> None:
    (seen,) = runs(before)
    fresh = seen.updated(status=after, provider_status="LATER", message="later")
    result = settled(seen, fresh)
    assert result.finished
    assert SEVERITY.index(result.status) <= SEVERITY.index(before)
    if after.finished and SEVERITY.index(after) <= SEVERITY.index(before):
        assert result.status is after  # a worse (or equal) later answer is taken
    if not after.finished:
        assert result == seen  # an answer that shows it unfinished again is ignored whole


def test_an_unfinished_run_takes_every_new_answer() -> None:
    (seen,) = runs(Status.RUNNING)
    assert settled(seen, seen.updated(status=Status.QUEUED)).status is Status.QUEUED
    assert settled(seen, seen.updated(status=Status.PASSED)).status is Status.PASSED


def test_the_aggregate_verdict_only_ever_gets_worse() -> None:
    (seen,) = runs(Status.PASSED)
    seen = seen.updated(platform_verdict=Status.FAILED)
    later = settled(seen, seen.updated(platform_verdict=Status.PASSED))
    assert later.platform_verdict is Status.FAILED

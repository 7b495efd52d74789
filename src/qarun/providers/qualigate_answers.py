"""Reading Qualigate's answers into runs (https://qualigate.app/docs/api-reference): the
trigger's, GET /api/v1/trigger's and /api/v1/results' shapes, and the answers each run's
verdict rests on, kept on its handle. The verdict itself is qualigate_verdict's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from qarun.errors import MalformedAnswerError
from qarun.model import (
    Counts,
    Progress,
    Run,
    RunHandle,
    Status,
    TestResult,
    finite_seconds,
)
from qarun.providers.base import expect_object, int_field, judged, parse_time, text_field
from qarun.providers.qualigate_verdict import STATUSES, judge_test_run
from qarun.verdict import Judgment, capped

# QualigateHandle.kind: how a run is polled.
SUITE_RUN = "suite"
TEST_RUN = "test"
PROJECT_RUN = "project"


@dataclass(frozen=True)
class QualigateHandle(RunHandle):
    """How a run is polled (a suite run, a single test run, or one of a project's runs),
    and the answers its verdict rests on: the trigger's `test_count` (suites), the last
    GET /trigger answer, and the last /results row (test runs)."""

    kind: str
    test_count: int | None = None
    answer: Mapping[str, Any] | None = None
    row: Mapping[str, Any] | None = None
    # The most failed tests a suite's answer counted so far: kept, whatever later ones say.
    failed_before: int = 0


def kind(run: Run) -> str:
    return handle_of(run).kind


def with_status_answer(run: Run, answer: Mapping[str, Any], what: str) -> Run:
    """The run as GET /trigger?test_run_id shows it: status, steps and times."""
    word = required_text(answer, "status", what)
    done = int_field(answer, "steps_completed")
    total = int_field(answer, "steps_total")
    progress = Progress(done, total) if done is not None and total else run.progress
    handle = newer(handle_of(run), answer=answer)
    judgment = judge_test_run(answer, handle.row)
    message = text_field(answer, "error_message")
    return judged(with_times(run, answer), judgment, message).updated(
        provider_status=word, progress=progress, handle=handle
    )


def required_text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = text_field(data, key)
    if value is None:
        raise MalformedAnswerError(f"The platform's answer about {what} has no `{key}`.")
    return value


def with_times(run: Run, answer: Mapping[str, Any]) -> Run:
    started = parse_time(answer.get("started_at")) or run.started_at
    finished = parse_time(answer.get("completed_at")) or run.finished_at
    duration = seconds_of(answer, "duration_ms")
    return run.updated(started_at=started, finished_at=finished, duration=duration)


def seconds_of(data: Mapping[str, Any], key: str) -> float | None:
    """`duration_ms` in seconds, where it is a number that fits (a bool is none)."""
    return finite_seconds(data.get(key), per_second=1000)


def result_rows(answer: Mapping[str, Any], what: str) -> list[dict[str, Any]]:
    rows = answer.get("results", [])
    if not isinstance(rows, list):
        raise MalformedAnswerError(f"The platform's answer about {what} has no `results` list.")
    return [expect_object(row, what) for row in rows]


def rows_by_run(answer: Mapping[str, Any], what: str) -> dict[str | None, dict[str, Any]]:
    """A /results answer's rows by their `test_run_id`."""
    return {text_field(row, "test_run_id"): row for row in result_rows(answer, what)}


def with_row(run: Run, row: Mapping[str, Any]) -> Run:
    """A test run updated from its /results row, its verdict from the row and the last
    GET /trigger answer together."""
    handle = newer(handle_of(run), row=row)
    judgment = judge_test_run(handle.answer, row)
    changes: dict[str, Any] = {
        "name": text_field(row, "test_case_name") or run.name,
        "url": text_field(row, "dashboard_url") or run.url,
        "duration": first_of(seconds_of(row, "duration_ms"), run.duration),
        "handle": handle,
    }
    word = text_field(row, "status")
    if word is not None and handle.answer is None:
        changes["provider_status"] = word
    return judged(run, judgment, text_field(row, "error_message")).updated(**changes)


def newer(
    handle: QualigateHandle,
    *,
    answer: Mapping[str, Any] | None = None,
    row: Mapping[str, Any] | None = None,
) -> QualigateHandle:
    """The handle with a newer GET /trigger answer or /results row. The other one is kept
    only where it shows an end: one that showed the run going was read before this."""
    if answer is not None:
        kept = (
            handle.row if handle.row and judge_test_run(None, handle.row).status.finished else None
        )
        return replace(handle, answer=answer, row=kept)
    older = handle.answer
    kept_answer = older if older and judge_test_run(older).status.finished else None
    return replace(handle, answer=kept_answer, row=row)


def row_behind(run: Run) -> bool:
    """The run's GET /trigger answer shows it ended and its /results row does not."""
    handle = handle_of(run)
    if handle.answer is None or handle.row is None:
        return False
    ended = judge_test_run(handle.answer).status.finished
    return ended and not judge_test_run(None, handle.row).status.finished


def handle_of(run: Run) -> QualigateHandle:
    return run.handle if isinstance(run.handle, QualigateHandle) else QualigateHandle(TEST_RUN)


def first_of(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)


def test_result_of(row: Mapping[str, Any], what: str) -> TestResult:
    word = text_field(row, "status") or ""
    return TestResult(
        id=required_text(row, "test_run_id", what),
        name=text_field(row, "test_case_name") or "unnamed test",
        status=judge_test_run(None, row).status if word.lower() in STATUSES else Status.ERROR,
        provider_status=word,
        message=text_field(row, "error_message"),
        duration=seconds_of(row, "duration_ms"),
        url=text_field(row, "dashboard_url"),
    )


def queued_suite(
    answer: Mapping[str, Any], target: str, what: str, common: Mapping[str, Any]
) -> Run:
    run_id = required_text(answer, "suite_run_id", what)
    count = int_field(answer, "test_count")
    return Run(
        id=run_id,
        name=f"suite {(target or run_id)[:8]}",
        reported=Counts(total=count) if count is not None else None,
        progress=Progress(0, count) if count else None,
        handle=QualigateHandle(SUITE_RUN, test_count=count),
        **common,
    )


def queued_project(
    answer: Mapping[str, Any], target: str, what: str, common: Mapping[str, Any]
) -> list[Run]:
    ids = answer.get("test_run_ids")
    given = len(ids) if isinstance(ids, list) else 0
    if isinstance(ids, list):
        ids = list(dict.fromkeys(ids))  # a run listed twice is one run
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise MalformedAnswerError(
            f"The platform's answer to the trigger of {what} has a `test_run_ids` that is not "
            "a list of ids."
        )
    if not ids:
        return []  # the provider says so, naming the inputs as the interface does
    prefix = f"project {target[:8]} " if target else ""
    runs = [
        Run(
            id=run_id,
            name=f"{prefix}test {n}/{len(ids)}",
            handle=QualigateHandle(PROJECT_RUN),
            **common,
        )
        for n, run_id in enumerate(ids, start=1)
    ]
    count = int_field(answer, "test_count")
    if (count is not None and count != given) or given != len(ids):
        # The trigger's own count disagrees with the runs it named: the project cannot pass.
        doubt = Judgment(
            Status.ERROR,
            f"Qualigate queued {count} test(s) (`test_count`) and named {given} run id(s)"
            f"{', some twice' if given != len(ids) else ''}.",
        )
        runs = [capped(run, doubt) for run in runs]
    return runs

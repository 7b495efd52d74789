"""The JSON report (README, Outputs: `report-file`) and the `output-filter` jq program over it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from qarun.errors import QarunError
from qarun.model import Status
from qarun.report.jq_filter import FilterError, run_filter
from qarun.report.json_report import build_report, render_json
from tests import factories
from tests.factories import HEAD_SHA, make_outcome, make_run, make_test


def test_report_has_spec_shape_with_platform_text_as_received() -> None:
    run = make_run(
        status=Status.FAILED,
        provider_status="COMPLETED/FAILED",
        device="pixel 8 / android 14",
        message="Could not find <login> | button\nafter 30 s",
        tests=(
            make_test(
                id="tc_9", name="Login `flow` @team", status=Status.FAILED, message="é ✗ *bold*"
            ),
        ),
    )
    assert build_report(make_outcome(run)) == {
        "provider": "qatech",
        "status": "failed",
        "started_at": "2026-11-23T10:00:00Z",
        "finished_at": "2026-11-23T10:03:12Z",
        "duration": 192.0,
        "context": {
            "repository": "o/r",
            "sha": HEAD_SHA,
            "branch": "feature-x",
            "pr_number": 42,
            "pr_url": "https://github.com/o/r/pull/42",
            "actor": "octocat",
            "workflow_run_url": "https://github.com/o/r/actions/runs/1001",
        },
        "runs": [
            {
                "id": "abc123",
                "name": "Checkout regression",
                "status": "failed",
                "provider_status": "COMPLETED/FAILED",
                "url": "https://app.qa.tech/p/shop/results/abc123",
                "device": "pixel 8 / android 14",
                "started_at": "2026-11-23T10:00:05Z",
                "finished_at": "2026-11-23T10:03:06.500Z",
                "duration": 181.5,
                "message": "Could not find <login> | button\nafter 30 s",
                "tests": [
                    {
                        "id": "tc_9",
                        "name": "Login `flow` @team",
                        "status": "failed",
                        "message": "é ✗ *bold*",
                    }
                ],
                "attempt": 1,
            }
        ],
        "counts": {
            "total": 1,
            "passed": 0,
            "failed": 1,
            "error": 0,
            "timeout": 0,
            "canceled": 0,
            "skipped": 0,
        },
    }


def test_attempts_and_error_appear_only_when_there_are_any() -> None:
    plain = build_report(factories.failed_outcome())
    assert "attempts" not in plain and "error" not in plain

    rerun = build_report(factories.rerun_outcome())
    assert [run["attempt"] for run in rerun["attempts"]] == [1, 2]
    assert [run["id"] for run in rerun["attempts"]] == ["abc123", "def456"]
    assert rerun["runs"][0]["attempt"] == 3

    canceled = build_report(factories.canceled_outcome())
    assert canceled["error"] == "The run was canceled (SIGINT) before it finished."


def test_unfinished_runs_keep_their_unfinished_status() -> None:
    report = build_report(factories.timeout_outcome())
    assert report["status"] == "timeout"
    assert [run["status"] for run in report["runs"]] == ["passed", "running", "queued"]
    assert report["runs"][2]["started_at"] is None
    assert report["runs"][1]["duration"] is None


def test_times_are_utc_with_z_whatever_zone_they_came_in() -> None:
    paris = timezone(timedelta(hours=1))
    run = make_run(
        started_at=datetime(2026, 11, 23, 11, 0, 0, tzinfo=paris),
        finished_at=datetime(2026, 11, 23, 10, 5, 0, 250_000),  # naive: taken as UTC
        duration=None,
    )
    (entry,) = build_report(make_outcome(run))["runs"]
    assert entry["started_at"] == "2026-11-23T10:00:00Z"
    assert entry["finished_at"] == "2026-11-23T10:05:00.250Z"
    # No duration from the platform: taken from the timestamps.
    assert entry["duration"] == 300.25


def test_error_before_anything_ran_has_empty_times_and_no_runs() -> None:
    outcome = make_outcome(
        status=Status.ERROR,
        exit_code=2,
        error="input `provider`: is required",
        context=None,
        started_at=None,
        finished_at=None,
        duration=None,
    )
    report = build_report(outcome)
    assert (report["started_at"], report["finished_at"], report["duration"]) == (None, None, None)
    assert report["runs"] == [] and report["context"] == {}
    assert report["error"] == "input `provider`: is required"


def test_render_json_is_indented_utf8_with_a_trailing_newline() -> None:
    report = build_report(make_outcome(make_run(name="Caf\u00e9 ✓")))
    text = render_json(report)
    assert text.endswith("}\n")
    assert '\n  "provider": "qatech",' in text
    assert "Café ✓" in text
    assert json.loads(text) == report


@pytest.fixture
def report() -> dict[str, object]:
    return build_report(factories.failed_outcome())


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (".status", "failed"),
        (".counts.failed", "1"),
        (".duration", "192"),
        (".counts | {failed, error}", '{"failed":1,"error":1}'),
        ("[.runs[].id]", '["abc123","def456"]'),
        (".runs[].id", "abc123\ndef456"),
        (
            '.runs[0].tests[] | select(.status == "failed") | .message',
            "Expected the cart badge to show 1 item.\nIt showed 0 after 30 s.",
        ),
        (".runs[0].device", "null"),
        ("empty", ""),
        ('"\\(.counts.passed)/\\(.counts.total) passed"', "3/5 passed"),
    ],
)
def test_filter_prints_like_jq_raw_output(
    report: dict[str, object], program: str, expected: str
) -> None:
    assert run_filter(program, report) == expected


def test_filter_runtime_error_is_an_expected_error_with_jq_s_words(
    report: dict[str, object],
) -> None:
    with pytest.raises(FilterError) as raised:
        run_filter(".status + 1", report)
    assert isinstance(raised.value, QarunError)
    assert "cannot be added" in str(raised.value)
    assert str(raised.value).startswith("the jq program failed on the report (")


def test_a_filter_that_never_ends_is_stopped_at_its_limit(report: dict[str, object]) -> None:
    with pytest.raises(FilterError, match=r"stopped \(it ran past 1 s\)"):
        run_filter("last(range(1e13))", report, time_limit=1)


def test_a_result_over_an_outputs_size_is_refused(report: dict[str, object]) -> None:
    with pytest.raises(FilterError, match="over the 1,048,576 an output may hold"):
        run_filter('"x" * 1100000', report)

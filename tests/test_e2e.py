"""The contract suite, against each fake platform: `main(env)` in-process on the fakes' clock,
and `python -m qarun` run the way the runner runs it for the passing case.

Every check here runs for every platform in tests/contract.py. Every run also
checks what must always hold: the API key is nowhere in what the action wrote,
and GITHUB_OUTPUT parses by the runner's rules.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import FAILURE, ProviderCase, failing
from tests.fakes.base import FakePlatform
from tests.harness import (
    MERGE_SHA,
    ActionResult,
    pull_request_event,
    push_event,
    run_action,
    run_in_process,
)

TIMINGS = {"poll_interval": "0.5s", "timeout": "30s"}


def run(
    case: ProviderCase, fake: FakePlatform, tmp_path: Path, *, process: bool = False, **inputs: str
) -> ActionResult:
    """The step in-process; `process`: as its own process, the way the runner starts it."""
    start = run_action if process else run_in_process
    result = start(tmp_path, case.step_inputs(fake, **{**TIMINGS, **inputs}))
    assert fake.api_key not in result.everything_written()
    assert "Traceback" not in result.log
    return result


@pytest.mark.process
def test_passed(case: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    fake = serve(case.scenario("passed"))
    result = run(case, fake, tmp_path, process=True)
    assert result.exit_code == 0, result.log
    out = result.outputs
    assert out["status"] == "passed"
    run_ids = json.loads(out["run-ids"])
    assert run_ids and all(isinstance(i, str) and i for i in run_ids)
    assert int(out["total"]) >= 1 and out["passed"] == out["total"]
    assert out["failed"] == "0"
    assert float(out["duration"]) > 0
    assert case.title in result.summary and "passed" in result.summary
    assert not result.errors()
    # The runs' final tally is in the log once: the wait's last line, not again after it.
    finished = [line for line in result.log.splitlines() if " runs finished (" in line]
    assert len(finished) == 1 and "passed)" in finished[0], result.log


def test_failed_shows_the_platform_message(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing()))
    result = run(case, fake, tmp_path)
    assert result.exit_code == 1
    assert result.outputs["status"] == "failed"
    assert int(result.outputs["failed"]) >= 1
    assert FAILURE in result.summary
    if case.per_test_rows:
        assert "Login flow" in result.summary
    errors = result.errors()
    assert len(errors) == 1 and case.title in errors[0]
    assert errors[0].endswith("; see the job summary.")


def test_without_a_job_summary_the_error_points_at_the_runs(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing()))
    result = run(case, fake, tmp_path, summary="false")
    (error,) = result.errors()
    assert error.endswith("; see each run on the platform.") and "summary" not in error


def test_mixed_results_fail_and_count_each_outcome(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("mixed"))
    result = run(case, fake, tmp_path)
    assert result.exit_code == 1
    out = result.outputs
    assert out["status"] == "failed"
    assert int(out["passed"]) >= 1 and int(out["failed"]) >= 1
    assert int(out["total"]) >= int(out["passed"]) + int(out["failed"]) + int(out["skipped"])


def test_fail_on_none_reports_the_failure_but_passes_the_step(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("failed"))
    result = run(case, fake, tmp_path, fail_on="none")
    assert result.exit_code == 0
    assert result.outputs["status"] == "failed"
    assert not result.errors()


def test_wait_false_sends_the_trigger_and_nothing_else(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    result = run(case, fake, tmp_path, wait="false")
    assert result.exit_code == 0
    assert result.outputs["status"] == "triggered"
    assert json.loads(result.outputs["run-ids"])
    assert fake.requests == case.triggers(fake)


def test_a_timeout_ends_the_wait_and_nothing_is_asked_after_it(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    result = run(case, fake, tmp_path, timeout="2s")
    assert result.exit_code == 1
    assert result.outputs["status"] == "timeout"
    assert "timeout" in result.summary.lower()
    assert "timeout" in result.errors()[0]
    # The log's last tally says when the wait stopped, just before the error that says why;
    # nothing of the wait comes after the verdict's lines.
    lines = result.log.splitlines()
    error_at = next(i for i, line in enumerate(lines) if line.startswith("::error::"))
    assert lines[error_at - 1].endswith(" runs finished"), result.log
    assert not any(" runs finished" in line for line in lines[error_at:]), result.log
    # The deadline counts from before the trigger: every request came before it ran out.
    (trigger,) = case.triggers(fake)
    assert case.polls(fake)
    assert all(request.at < trigger.at + 2.0 for request in fake.requests)


def test_the_pull_request_context_is_sent(case: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    fake = serve(case.scenario("passed"))
    run(case, fake, tmp_path)
    (trigger,) = case.triggers(fake)
    case.context_sent(trigger.body)


@pytest.mark.parametrize("event_name", ["pull_request_review", "pull_request_review_comment"])
def test_review_events_send_the_pull_requests_head(
    case: ProviderCase, serve: Serve, tmp_path: Path, event_name: str
) -> None:
    # These payloads carry `pull_request` but no top-level `number`; GITHUB_SHA is the merge.
    event = {key: value for key, value in pull_request_event().items() if key != "number"}
    event["action"] = "submitted" if event_name == "pull_request_review" else "created"
    fake = serve(case.scenario("passed"))
    inputs = case.step_inputs(fake, **TIMINGS)
    result = run_in_process(tmp_path, inputs, event=event, event_name=event_name)
    assert result.exit_code == 0, result.log
    (trigger,) = case.triggers(fake)
    case.context_sent(trigger.body)
    assert MERGE_SHA not in json.dumps(trigger.body)


def test_push_events_send_the_pushed_commit(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    inputs = case.step_inputs(fake, poll_interval="0.5s")
    result = run_in_process(tmp_path, inputs, event=push_event(), event_name="push")
    assert result.exit_code == 0
    report = result.summary
    assert "a1b2c3d" in report


def test_dry_run_sends_nothing_and_prints_the_request(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    result = run(case, fake, tmp_path, dry_run="true")
    assert result.exit_code == 0
    assert fake.requests == []
    method, path = case.trigger
    assert f"{method} {fake.url.split('/v1')[0]}{path}" in result.stdout
    assert "***" in result.stdout


def test_json_report_and_junit_agree_with_the_outputs(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("mixed"))
    result = run(case, fake, tmp_path, report_file="qa/report.json", junit_file="qa/junit.xml")
    out = result.outputs
    report = json.loads((result.workspace / "qa/report.json").read_text())
    assert out["report-file"] == "qa/report.json"
    assert out["junit-file"] == "qa/junit.xml"
    assert report["provider"] == case.name
    assert report["status"] == out["status"]
    assert [r["id"] for r in report["runs"]] == json.loads(out["run-ids"])
    for name in ("total", "passed", "failed", "skipped"):
        assert str(report["counts"][name]) == out[name]
    assert report["context"]["pr_number"] == 42

    suites = ET.fromstring((result.workspace / "qa/junit.xml").read_bytes())
    cases = suites.findall(".//testcase")
    assert len(cases) == int(out["total"])
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    assert len(failed) == int(out["failed"]) + report["counts"]["error"]


def test_output_filter(case: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    fake = serve(case.scenario("passed"))
    result = run(case, fake, tmp_path, output_filter=".status")
    assert result.outputs["filtered"] == "passed"
    fake2 = serve(case.scenario("passed"))
    result = run(case, fake2, tmp_path / "2", output_filter="{total: .counts.total}")
    assert json.loads(result.outputs["filtered"]) == {"total": int(result.outputs["total"])}


def test_a_rejected_key_exits_3_with_status_error(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    result = run_in_process(tmp_path, case.step_inputs(fake, api_key="wrong-key-0123456789"))
    assert result.exit_code == 3
    assert result.outputs["status"] == "error"
    assert "rejected the API key" in result.errors()[0]
    assert "wrong-key-0123456789" not in result.everything_written()
    assert len(case.triggers(fake)) == 1

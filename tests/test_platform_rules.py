"""Rules a platform's own answers set, end to end over real HTTP through `main(env)`.

What the documents leave open runs under every variant in test_variants.py;
here are the answers the documents do describe, each with its own rule
(README, Statuses and exit codes; docs/platforms.md; tests/fakes/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Serve
from tests.contract import only
from tests.fakes import qualigate
from tests.fakes.base import Reply
from tests.fakes.qatech import PREFIX, QatechFake, scenario
from tests.fakes.qualigate import TEST_CASE_ID
from tests.harness import ActionResult, run_in_process

QATECH = only("qatech")
TIMINGS = {"poll_interval": "0.1s", "timeout": "30s"}


def run_qatech(fake: QatechFake, tmp_path: Path, **inputs: str) -> ActionResult:
    return run_in_process(tmp_path, QATECH.step_inputs(fake, **{**TIMINGS, **inputs}))


def test_a_qatech_403_names_both_an_invalid_token_and_a_suspended_organization(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(QatechFake(default=None, suspended=True))
    result = run_qatech(fake, tmp_path)
    assert (result.exit_code, result.outputs["status"]) == (3, "error")
    (error,) = result.errors()
    assert "HTTP 403" in error
    assert "api-key" in error and "suspended" in error


def test_a_rerun_refused_with_400_keeps_the_last_verdict_with_a_warning(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(scenario("failed", duration=0.2))
    fake.inject(f"POST {PREFIX}/run/r", Reply(400, {"message": "Cannot rerun this run"}))
    result = run_qatech(fake, tmp_path, rerun_failed="2")
    # The run failed and could not be rerun: a failure (exit 1), not a platform error (exit 3).
    assert (result.exit_code, result.outputs["status"]) == (1, "failed"), result.log
    warnings = [line for line in result.log.splitlines() if line.startswith("::warning::")]
    assert any("Cannot rerun this run" in line for line in warnings)
    assert len(fake.requests_to("POST", f"{PREFIX}/run/")) == 1  # asked once, not again


def test_an_organization_key_sends_the_project_short_id(serve: Serve, tmp_path: Path) -> None:
    fake = serve(scenario("passed", duration=0.2))
    result = run_qatech(fake, tmp_path, project="proj_shop1")
    assert result.exit_code == 0, result.log
    (start,) = QATECH.triggers(fake)
    assert start.body["projectShortId"] == "proj_shop1"


def test_a_project_that_is_no_short_id_is_bad_input(serve: Serve, tmp_path: Path) -> None:
    fake = serve(scenario("passed", duration=0.2))
    result = run_qatech(fake, tmp_path, project="shop")
    assert result.exit_code == 2
    assert "proj_abc123" in result.errors()[0]
    assert fake.requests == []


def test_numbers_and_dates_that_do_not_fit_are_left_out_and_nothing_is_lost(
    serve: Serve, tmp_path: Path
) -> None:
    case = only("qualigate")
    fake = serve(case.scenario("passed", duration=0.2))
    test_case = {"suite": "", "test-case": TEST_CASE_ID}
    odd = (
        b'{"id": "x", "status": "passed", "duration_ms": 1e999, "steps_completed": 1,'
        b' "steps_total": 1, "started_at": "0001-01-01T00:00:00+05:00",'
        b' "completed_at": "9999-12-31T23:59:59-05:00"}'
    )
    fake.inject(f"GET {qualigate.TRIGGER}", Reply(200, raw=odd))
    files = {"report_file": "qa/report.json", "junit_file": "qa/junit.xml"}
    inputs = case.step_inputs(fake, **files, **TIMINGS)
    result = run_in_process(tmp_path, {**inputs, **test_case})
    assert (result.exit_code, result.outputs["status"]) == (0, "passed"), result.log

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON report")

    report = json.loads(result.files["qa/report.json"], parse_constant=refuse)
    (run,) = report["runs"]
    # Not the platform's infinity: at most what qarun saw itself, trigger to end.
    assert run["duration"] is None or run["duration"] < 60
    assert run["started_at"] is None
    assert "inf" not in result.files["qa/junit.xml"].decode()
    assert "passed" in result.summary

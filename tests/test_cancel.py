"""Cancellation, end to end: real signals to the running action, as the runner sends them.

On a cancel the runner sends SIGINT, then SIGTERM 7.5 s later, then kills the
container 2.5 s after that (docs/runner.md, Cancellation). qarun must stop waiting at the
first signal, write the summary, the outputs (status `canceled`) and the
report with the unfinished runs shown, and exit 1 within 5 s; a second signal
must not disturb that.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import ProviderCase, only
from tests.fakes.base import Reply
from tests.harness import ActionResult, Step, prepare
from tests.robustness import checked, inputs, trigger_route, wait_until

# Starts qarun as a process and waits on it or signals it: bench/stress.py runs these.
pytestmark = pytest.mark.process

SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}
HOLD_IMPORT = Path(__file__).resolve().parent / "hold_import"
# A hang guard, not a measure: the 5 s docs/failure-handling.md promises (Cancellation)
# are bounded in code (cancel.py's EXIT_BUDGET); what a canceled step writes is checked
# here, how fast it exits in bench/.
HANG_GUARD = 30.0


def cancel(step: Step, *signums: int, gap: float = 0.0) -> ActionResult:
    """Sends the signals `gap` seconds apart (the runner's order); the step's result."""
    for index, signum in enumerate(signums):
        if index:
            time.sleep(gap)
        step.signal(signum)
    return step.finish(timeout=HANG_GUARD)


def assert_canceled(result: ActionResult, *signal_names: str) -> None:
    """Exit 1, status `canceled`, and one `::error::` naming one of the signals."""
    assert result.exit_code == 1, result.log
    assert result.outputs["status"] == "canceled"
    (error,) = result.errors()
    assert "The job was canceled" in error  # a workflow's, or another CI system's
    assert any(f"({name})" in error for name in signal_names), error


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_mid_wait_reports_the_unfinished_runs_as_canceled(
    case: ProviderCase, serve: Serve, tmp_path: Path, name: str
) -> None:
    fake = serve(case.scenario("never"))
    files = {"report_file": "qa/report.json", "junit_file": "qa/junit.xml"}
    step = prepare(tmp_path, inputs(case, fake, **files)).start()
    wait_until(lambda: case.polls(fake), step=step)
    result = cancel(step, SIGNALS[name])
    checked(result, fake.api_key)
    assert_canceled(result, name)
    assert json.loads(result.outputs["run-ids"])
    assert "Canceled before these runs finished" in result.summary
    assert "go on on the platform" in result.summary
    # The tally once more for the moment the wait stopped, just before the error that says why.
    lines = result.log.splitlines()
    error_at = next(i for i, line in enumerate(lines) if line.startswith("::error::"))
    assert lines[error_at - 1].endswith(" runs finished"), result.log
    report = json.loads(result.files["qa/report.json"])
    assert report["status"] == "canceled"
    assert {run["status"] for run in report["runs"]} <= {"queued", "running"}
    assert "qa/junit.xml" in result.files


@pytest.mark.parametrize("gap", [0.0, 0.05, 0.3])
def test_sigint_then_sigterm_as_the_runner_sends_them_ends_cleanly(
    serve: Serve, tmp_path: Path, gap: float
) -> None:
    """The second signal comes while qarun stops or reports (the runner's comes 7.5 s later:
    by then qarun has long exited, as the first test shows). Sent back to back, the second
    can be handled first: Python runs it on entering the first one's handler."""
    case = only("panto")
    fake = serve(case.scenario("never"))
    step = prepare(tmp_path, inputs(case, fake, report_file="report.json")).start()
    wait_until(lambda: case.polls(fake), step=step)
    result = cancel(step, signal.SIGINT, signal.SIGTERM, gap=gap)
    checked(result, fake.api_key)
    assert_canceled(result, "SIGINT", "SIGTERM")
    assert json.loads(result.files["report.json"])["status"] == "canceled"


def test_a_signal_during_the_trigger_request_says_a_run_may_have_started(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    # Answered after the hang guard: the step can only pass by cutting the request short.
    fake.inject(trigger_route(case), Reply(action="pass", delay=2 * HANG_GUARD))
    step = prepare(tmp_path, inputs(case, fake)).start()
    wait_until(lambda: case.triggers(fake), step=step)
    result = cancel(step, signal.SIGTERM)
    checked(result, fake.api_key)
    assert_canceled(result, "SIGTERM")
    assert json.loads(result.outputs["run-ids"]) == []
    assert "a run may have started" in result.summary
    assert len(case.triggers(fake)) == 1


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_while_qarun_is_still_loading_cancels_cleanly(
    name: str, serve: Serve, tmp_path: Path
) -> None:
    """Before main() installs its handlers, qarun.startup keeps the signal for it.

    The moment is made certain: tests/hold_import stops the import of qarun.main until the
    signal has come, and says when it has stopped there.
    """
    case = only("qatech")
    fake = serve(case.scenario("passed"))
    marker = tmp_path / "loading"
    hold = {"PYTHONPATH": str(HOLD_IMPORT), "QARUN_TEST_HOLD_IMPORT": str(marker)}
    step = prepare(tmp_path, inputs(case, fake), extra_env=hold).start()
    wait_until(marker.exists, step=step)
    result = cancel(step, SIGNALS[name])
    checked(result, fake.api_key)
    assert_canceled(result, name)
    assert fake.requests == []

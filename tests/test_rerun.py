"""`rerun-failed` with QA.tech, end to end: the rerun requests, the last attempt decides, every
attempt shows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Serve
from tests.fakes.base import RunScript, TestScript
from tests.fakes.qatech import DASHBOARD, SCENARIO_PLAN, QatechFake, scenario
from tests.harness import ActionResult, run_in_process

PLAN = "pln_checkout"
FLAKY = "Could not find login button"


def flaky(reruns: Sequence[RunScript] = ()) -> QatechFake:
    """One plan of three test cases, one of which fails; reruns follow `reruns`."""
    plan = RunScript(
        "Checkout regression",
        "failed",
        duration=0.4,
        queued_for=0.05,
        tests=(
            TestScript("Login flow", "failed", FLAKY),
            TestScript("Cart"),
            TestScript("Search"),
        ),
    )
    return QatechFake({PLAN: plan}, reruns=reruns)


def run(tmp_path: Path, fake: QatechFake, rerun_failed: str, suite: str = PLAN) -> ActionResult:
    result = run_in_process(
        tmp_path,
        {
            "provider": "qatech",
            "api-key": fake.api_key,
            "api-url": fake.url,
            "suite": suite,
            "rerun-failed": rerun_failed,
            "poll-interval": "0.2s",
            "timeout": "30s",
            "report-file": "qa/report.json",
        },
    )
    assert "Traceback" not in result.log
    return result


def rerun_requests(fake: QatechFake) -> list[tuple[str, object]]:
    return [(r.path, r.body) for r in fake.requests_to("POST", "/v1/run/")]


def report(result: ActionResult) -> Any:
    return json.loads((result.workspace / "qa/report.json").read_text())


def test_a_rerun_that_passes_decides(serve: Serve, tmp_path: Path) -> None:
    rerun = RunScript("rerun", "passed", duration=0.3, queued_for=0.05)
    fake = serve(flaky(reruns=[rerun]))
    result = run(tmp_path, fake, rerun_failed="2")

    assert result.exit_code == 0, result.log
    out = result.outputs
    assert out["status"] == "passed"
    # The cases that passed the first time still count next to the one rerun.
    assert (out["total"], out["passed"], out["failed"]) == ("3", "3", "0")
    assert rerun_requests(fake) == [("/v1/run/r00001", {"failedOnly": True})]
    assert json.loads(out["run-ids"]) == ["r00002"]
    assert not result.errors()

    summary = result.summary
    assert "### Reruns" in summary
    assert f"[Attempt 1]({DASHBOARD}r00001): ❌ failed" in summary
    assert f"[Attempt 2]({DASHBOARD}r00002): ✅ passed" in summary
    document = report(result)
    assert [a["id"] for a in document["attempts"]] == ["r00001"]


def test_still_failing_after_n_reruns_fails_with_n_plus_one_attempts(
    serve: Serve, tmp_path: Path
) -> None:
    # No rerun scripts: the failed case fails again every time.
    fake = serve(flaky())
    result = run(tmp_path, fake, rerun_failed="2")

    assert result.exit_code == 1
    assert result.outputs["status"] == "failed"
    assert (result.outputs["total"], result.outputs["failed"]) == ("3", "1")
    # Each rerun reruns the attempt before it.
    assert rerun_requests(fake) == [
        ("/v1/run/r00001", {"failedOnly": True}),
        ("/v1/run/r00002", {"failedOnly": True}),
    ]
    for number, run_id in enumerate(["r00001", "r00002", "r00003"], start=1):
        assert f"[Attempt {number}]({DASHBOARD}{run_id}): ❌ failed (1 failed)" in result.summary
    assert "Attempt 4" not in result.summary
    assert FLAKY in result.summary
    document = report(result)
    assert [a["attempt"] for a in document["attempts"]] == [1, 2]
    assert document["runs"][0]["attempt"] == 3
    assert len(result.errors()) == 1


@pytest.mark.parametrize("rerun_failed", ["0", "3"])
def test_reruns_exactly_as_many_times_as_asked_while_failing(
    serve: Serve, tmp_path: Path, rerun_failed: str
) -> None:
    fake = serve(flaky())
    result = run(tmp_path, fake, rerun_failed=rerun_failed)

    assert result.outputs["status"] == "failed"
    requests = rerun_requests(fake)
    assert len(requests) == int(rerun_failed)
    assert all(body == {"failedOnly": True} for _, body in requests)


def test_a_run_that_passes_is_not_rerun(serve: Serve, tmp_path: Path) -> None:
    fake = serve(scenario("passed"))
    result = run(tmp_path, fake, rerun_failed="2", suite=SCENARIO_PLAN)
    assert result.outputs["status"] == "passed"
    assert rerun_requests(fake) == []
    assert "### Reruns" not in result.summary


def test_a_rerun_begun_late_still_gets_its_last_look_before_the_timeout(
    serve: Serve, tmp_path: Path
) -> None:
    """An 8 s `timeout`: the first run fails at 4.5 s, seen at 6 s, and its rerun never ends.
    The rerun's wait keeps the client's least answer time (0.4 s) twice for its last look: a
    share of the 2 s left would send it too late for the client to send at all."""
    tests = (TestScript("Login flow", "failed", FLAKY), TestScript("Cart"))
    first = RunScript("Checkout regression", "failed", duration=4.5, queued_for=0.05, tests=tests)
    endless = RunScript("rerun", "passed", duration=10_000.0, queued_for=0.05)
    fake = serve(QatechFake({PLAN: first}, reruns=[endless]))
    result = run_in_process(
        tmp_path,
        {"provider": "qatech", "api-key": fake.api_key, "api-url": fake.url, "suite": PLAN,
         "rerun-failed": "1", "timeout": "8s"},
    )  # fmt: skip
    assert result.outputs["status"] == "timeout", result.log
    checks = [r for r in fake.requests if r.method == "GET" and "r00002" in r.path]
    assert checks, result.log  # the rerun was looked at before the timeout
    assert "too little time left" not in result.log + result.summary

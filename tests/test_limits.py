"""Size limits, end to end: thousands of runs or tests with long names and messages.

GitHub drops a job summary over 1 MiB whole (docs/runner.md, File commands, the step
summary and masking), so the summary must cut its detail, keep the verdict and the counts,
and say what it cut; the outputs and the JSON report still hold everything.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Serve
from tests.contract import ProviderCase
from tests.fakes.base import FakePlatform, RunScript, TestScript
from tests.robustness import run

SUMMARY_LIMIT = 1_048_576
MANY = 3000


def name(index: int) -> str:
    return f"Checkout flow {index:04d} " + "x" * 400


def message(index: int) -> str:
    return f"Assertion {index} failed: " + "y" * 1500


def result(index: int) -> str:
    return "failed" if index % 2 else "passed"


def many(case: ProviderCase) -> FakePlatform:
    """MANY runs where each test is a run (Panto's suites); else one run of MANY tests."""
    if case.tests_are_runs:
        runs = [RunScript(name(i), result(i), 0.3, message=message(i)) for i in range(MANY)]
        return case.with_runs(runs)
    tests = tuple(TestScript(name(i), result(i), message(i)) for i in range(MANY))
    return case.with_runs([RunScript("Regression", "failed", 0.3, tests=tests)])


def test_thousands_of_results_keep_the_summary_under_1_mib(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(many(case))
    outcome = run(tmp_path, case, fake, report_file="report.json")
    assert outcome.exit_code == 1, outcome.log
    summary = outcome.summary
    assert len(summary.encode("utf-8")) < SUMMARY_LIMIT
    assert summary.startswith("## ❌") and ": failed" in summary.splitlines()[0]
    assert f"**{MANY:,} tests:** {MANY // 2:,} passed, {MANY // 2:,} failed" in summary
    assert "more failures not shown; the full list is in the JSON report" in summary

    out = outcome.outputs
    assert (out["total"], out["passed"], out["failed"]) == (str(MANY), "1500", "1500")
    report = json.loads(outcome.files["report.json"])
    results = report["runs"] if case.tests_are_runs else report["runs"][0]["tests"]
    assert [item["name"] for item in results] == [name(i) for i in range(MANY)]

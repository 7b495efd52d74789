"""docs/verdicts.md's table and the verdict modules say the same thing.

Each row of the table names a signal and a value, and the verdict it gives. For each row
this file holds one example: answers that pass on every other signal and show the row's
value. The verdict the code gives must be the row's, word for word (`pass` is `passed`;
`no pass` is `error`, since nothing else in the example says a test failed). A row
without an example, or an example without a row, fails too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from qarun.model import Run, Status
from qarun.providers import panto_verdict, qatech_verdict, qualigate_verdict
from qarun.verdict import Judgment

TABLE = Path(__file__).resolve().parent.parent / "docs" / "verdicts.md"
VERDICT_WORDS = {
    "pass": Status.PASSED,
    "no pass": Status.ERROR,
    **{status.value: status for status in Status if status is not Status.TRIGGERED},
}


def table_rows() -> dict[str, dict[str, str]]:
    """The table between its markers, by rule id."""
    text = TABLE.read_text(encoding="utf-8")
    body = text.split("<!-- verdicts:start -->")[1].split("<!-- verdicts:end -->")[0]
    # The header, then one line a rule (the `|---|` line does not start with "| ").
    lines = [line for line in body.strip().splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        row = dict(zip(header, cells, strict=True))
        rows[row["rule"]] = row
    return rows


# --- Panto -------------------------------------------------------------------------------------


def panto_run(word: str = "passed", **fields: Any) -> dict[str, Any]:
    ended = word != "in_process"
    return {
        "id": "testrun_01",
        "runner_status": word,
        "runner_start_timestamp": "2026-05-21T10:32:00Z",
        "runner_end_timestamp": "2026-05-21T10:35:00Z" if ended else None,
        "remark": None,
        **fields,
    }


def panto_listing(runs: list[dict[str, Any]], aggregate: str | None) -> dict[str, Any]:
    """A trigger's listing of `runs`, with no aggregate `status` where it is None."""
    listing: dict[str, Any] = {"test_runs": runs}
    if aggregate is not None:
        listing["status"] = aggregate
    return listing


def panto(run: dict[str, Any], aggregate: str | None = "passed") -> Judgment:
    return panto_verdict.judge_run(run, panto_listing([run], aggregate))


def panto_trigger(aggregate: str | None, runs: list[dict[str, Any]] | None = None) -> Judgment:
    listed = [panto_run("completed")] if runs is None else runs
    verdict = panto_verdict.trigger_verdict(panto_listing(listed, aggregate))
    assert verdict is not None
    return verdict


def panto_missing_run() -> Judgment:
    # The provider's own rule: a run the ended trigger does not list (src/qarun/providers/panto.py).
    from qarun.providers.panto import _apply, _Listing

    listing = _Listing(runs=(), answer={"test_runs": [], "status": "passed"})
    (run,) = _apply([Run(id="testrun_09", name="x", status=Status.RUNNING)], listing)
    return Judgment(run.status, run.message or "")


# --- QA.tech -----------------------------------------------------------------------------------


def qatech_run(
    status: str = "COMPLETED", result: str | None = "PASSED", **fields: Any
) -> dict[str, Any]:
    return {"shortId": "abc123", "status": status, "result": result, **fields}


def case(status: str = "COMPLETED", result: str | None = "PASSED") -> dict[str, Any]:
    return {"name": "Login", "status": status, "result": result}


qatech = qatech_verdict.judge_run


# --- Qualigate ---------------------------------------------------------------------------------


def qg_run(status: str = "passed", **fields: Any) -> dict[str, Any]:
    ended = status not in ("pending", "running")
    return {
        "id": "660e8400",
        "status": status,
        "completed_at": "2026-01-28T10:32:15Z" if ended else None,
        "steps_completed": 12,
        "steps_total": 12,
        "error_message": None,
        **fields,
    }


def row(status: str = "passed", **fields: Any) -> dict[str, Any]:
    return {"test_run_id": "660e8400", "test_case_name": "Login", "status": status, **fields}


def suite(status: str = "completed", **fields: Any) -> dict[str, Any]:
    ended = status not in ("pending", "running")
    answer = {
        "id": "880e8400",
        "status": status,
        "completed_at": "2026-01-28T10:35:00Z" if ended else None,
        "total_tests": 2,
        "passed_tests": 2,
        "failed_tests": 0,
        **fields,
    }
    return {key: value for key, value in answer.items() if value is not ...}


def results(
    status: str | None = "passed", rows: list[dict[str, Any]] | None = None, **counts: Any
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "total_tests": 2,
        "passed_tests": 2,
        "failed_tests": 0,
        "results": rows if rows is not None else [row(), row(test_run_id="770e8400")],
        **counts,
    }
    if status is not None:
        answer["status"] = status
    return answer


qualigate_suite = qualigate_verdict.judge_suite


def project(answer: Mapping[str, Any], *, ended: bool = False) -> Judgment:
    verdict = qualigate_verdict.results_verdict(answer, ["660e8400", "770e8400"], ended=ended)
    assert verdict is not None
    return verdict


def qualigate_trigger_answer() -> Judgment:
    # The provider's own rule: a trigger answer never ends a run (src/qarun/providers/qualigate.py).
    from qarun.providers.qualigate_answers import queued_suite

    answer = {"suite_run_id": "s1", "test_count": 2, "status": "passed"}
    common = {"status": Status.QUEUED, "provider_status": "passed", "device": None}
    run = queued_suite(answer, "x", "suite", common)
    return Judgment(run.status, "the trigger answer")


EXAMPLES: dict[str, Callable[[], Judgment]] = {
    "P1": lambda: panto(panto_run("in_process"), aggregate="in_process"),
    "P2": lambda: panto(panto_run("SUCCESS")),
    "P15": lambda: panto(panto_run("passed"), aggregate="in_process"),
    "P3": lambda: panto(panto_run("failed", runner_end_timestamp=None), aggregate="in_process"),
    "P4": lambda: panto(panto_run("error", runner_end_timestamp=None), aggregate="in_process"),
    "P5": lambda: panto(panto_run("warming_up", runner_end_timestamp=None), aggregate="in_process"),
    "P6": lambda: panto(panto_run("in_process", runner_end_timestamp="2026-05-21T10:35:00Z")),
    "P7": lambda: panto(panto_run("completed"), aggregate="passed"),
    "P8": lambda: panto(panto_run("passed"), aggregate="failed"),
    "P9": lambda: panto(panto_run("passed"), aggregate="partially_passed"),
    "P10": lambda: panto(panto_run("completed", remark="Cart empty"), aggregate="partially_passed"),
    "P11": lambda: panto(panto_run("completed"), aggregate="partially_passed"),
    "P12": lambda: panto(panto_run("completed"), aggregate="done"),
    "P13": lambda: panto_trigger(None),
    "P14": panto_missing_run,
    "P16": lambda: panto(panto_run("aborted_by_user"), aggregate="passed"),
    "P17": lambda: panto(panto_run("completed", remark="Cart empty"), aggregate="passed"),
    "P18": lambda: panto_verdict.judge_run(
        panto_run(), panto_listing([panto_run(), panto_run("failed")], "passed")
    ),
    "P20": lambda: panto(panto_run("passed", remark="Assertion failed: total")),
    "P19": lambda: panto_trigger("passed", [panto_run(), panto_run("failed", id="b")]),
    "Q1": lambda: qatech(qatech_run("INITIATED", None)),
    "Q2": lambda: qatech(qatech_run("RUNNING", None)),
    "Q3": lambda: qatech(qatech_run("COMPLETED", "PASSED")),
    "Q4": lambda: qatech(qatech_run("ERROR", None)),
    "Q5": lambda: qatech(qatech_run("CANCELLED", None)),
    "Q6": lambda: qatech(qatech_run("ARCHIVED", None)),
    "Q7": lambda: qatech(qatech_run("ARCHIVED", "PASSED")),
    "Q8": lambda: qatech(qatech_run("ARCHIVED", "FAILED")),
    "Q9": lambda: qatech(qatech_run(result="FAILED")),
    "Q10": lambda: qatech(qatech_run(result="SKIPPED")),
    "Q11": lambda: qatech(qatech_run(result=None), late_polls=2),
    "Q12": lambda: qatech(qatech_run(result=None), late_polls=3),
    "Q13": lambda: qatech(qatech_run(result="MOSTLY")),
    "Q14": lambda: qatech(qatech_run(runTestCases=[case(), case(result="FAILED")])),
    "Q15": lambda: qatech(qatech_run(runTestCases=[case(), case(result="SKIPPED")])),
    "Q16": lambda: qatech(qatech_run(runTestCases=[case(), case("ERROR", None)])),
    "Q17": lambda: qatech(qatech_run(runTestCases=[case(), case("CANCELLED", None)])),
    "Q18": lambda: qatech(qatech_run(runTestCases=[case(), case("RUNNING", None)])),
    "Q19": lambda: qatech(qatech_run(runTestCases=[case(), case(result="MOSTLY")])),
    "Q20": lambda: qatech(qatech_run(runTestCases=[]), test_count=5),
    "Q21": lambda: qatech(qatech_run(runTestCases=[case(), case()]), test_count=3),
    "Q22": lambda: qatech(qatech_run(runTestCases=[]), cases_asked=True),
    "Q25": lambda: qatech(qatech_run("CANCELLED", "FAILED")),
    "Q26": lambda: qatech(
        qatech_run(runTestCases=[case(), case()]), failed_before=case(result="FAILED")
    ),
    "Q27": lambda: qatech_verdict.still_going_after_its_end(
        qatech(qatech_run("RUNNING", None)), None
    ),
    "Q23": lambda: qatech(qatech_run(runTestCases=[]), test_count=0),
    "Q24": lambda: qatech(qatech_run(runTestCases=[case(), {"status": True, "result": "PASSED"}])),
    "G1": lambda: qualigate_verdict.judge_test_run(qg_run("pending")),
    "G2": lambda: qualigate_verdict.judge_test_run(qg_run("running")),
    "G3": lambda: qualigate_verdict.judge_test_run(qg_run("passed"), row("passed")),
    "G4": lambda: qualigate_verdict.judge_test_run(qg_run("failed")),
    "G5": lambda: qualigate_verdict.judge_test_run(qg_run("error")),
    "G6": lambda: qualigate_verdict.judge_test_run(qg_run("timeout")),
    "G7": lambda: qualigate_verdict.judge_test_run(qg_run("canceled")),
    "G8": lambda: qualigate_verdict.judge_test_run(qg_run("warming", completed_at=None)),
    "G9": lambda: qualigate_verdict.judge_test_run(qg_run("archived")),
    "G10": lambda: qualigate_verdict.judge_test_run(qg_run(steps_completed=11)),
    "G35": lambda: qualigate_verdict.judge_test_run(qg_run(steps_completed=None)),
    "G36": qualigate_trigger_answer,
    "G11": lambda: qualigate_verdict.judge_test_run(qg_run(error_message="Element not found")),
    "G12": lambda: qualigate_verdict.judge_test_run(qg_run(), row("failed")),
    "G13": lambda: qualigate_verdict.judge_test_run(qg_run(), row("running", error_message=None)),
    "G14": lambda: qualigate_suite(suite("running")),
    "G15": lambda: qualigate_suite(suite("completed"), test_count=2, results=results()),
    "G16": lambda: qualigate_suite(suite("passed")),
    "G17": lambda: qualigate_suite(suite("failed")),
    "G18": lambda: qualigate_suite(suite("timeout")),
    "G19": lambda: qualigate_suite(suite("archived")),
    "G20": lambda: qualigate_suite(suite(total_tests=0, passed_tests=0)),
    "G21": lambda: qualigate_suite(suite(passed_tests=...)),
    "G22": lambda: qualigate_suite(suite(failed_tests=...)),
    "G23": lambda: qualigate_suite(suite(passed_tests=1, failed_tests=1)),
    "G24": lambda: qualigate_suite(suite(passed_tests=1)),
    "G25": lambda: qualigate_suite(suite("timeout", passed_tests=1, failed_tests=1)),
    "G26": lambda: qualigate_suite(suite(), test_count=3),
    "G27": lambda: qualigate_suite(suite(), results=results("failed")),
    "G28": lambda: qualigate_suite(suite(), results=results("partially_passed")),
    "G29": lambda: qualigate_suite(suite(), results=results(None)),
    "G30": lambda: qualigate_suite(suite(), results=results(total_tests=3, passed_tests=3)),
    "G31": lambda: qualigate_suite(suite(), results=results(rows=[row(), row("error")])),
    "G32": lambda: qualigate_suite(suite(), results=results(rows=[row(), row("running")])),
    "G33": lambda: qualigate_suite(suite(), test_count=2, results=None),
    "G34": lambda: project(results("mostly")),
    "G37": lambda: project(results("failed", rows=[row(), row("running", test_run_id="770e8400")])),
    "G38": lambda: project(results(passed_tests=1, failed_tests=0)),
    "G39": lambda: project(results(rows=[row(), row(test_run_id="770e8400", error_message="x")])),
    "G40": lambda: project(results(rows=[row()]), ended=True),
    "G41": lambda: project(results(rows=[row(), row(), row(test_run_id="770e8400")])),
    "G42": lambda: project(results("running")),
    "G43": lambda: qualigate_suite(suite(), failed_before=1),
}


def test_every_row_has_an_example_and_every_example_a_row() -> None:
    assert sorted(table_rows()) == sorted(EXAMPLES)


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_the_code_gives_the_tables_verdict(rule: str) -> None:
    row = table_rows()[rule]
    expected = VERDICT_WORDS[row["verdict"]]
    judgment = EXAMPLES[rule]()
    assert judgment.status is expected, f"{rule} ({row['signal']} {row['value']}): {judgment}"
    assert judgment.why, "a verdict names the signal that decided it"


def test_every_example_s_baseline_passes() -> None:
    # Sanity of the examples themselves: each baseline passes, so each row's value decides.
    baselines = [
        panto(panto_run()),
        qatech(qatech_run(runTestCases=[case(), case()]), test_count=2),
        qualigate_verdict.judge_test_run(qg_run(), row()),
        qualigate_suite(suite(), test_count=2, results=results()),
        project(results("passed")),
    ]
    assert [judgment.status for judgment in baselines] == [Status.PASSED] * len(baselines)

"""The platforms' verdict functions, one answer at a time: the status, and for a verdict
that is no pass the sentence naming the signal (README, Statuses and exit codes), which the
summary shows where the run's own word did not decide (`plain` false). docs/verdicts.md's
table has one example a rule in tests/test_verdict_table.py; these hold the cases between its
rows, and what each sentence names. The sentence of a pass, or of a run still going, is never
shown and is not checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from qarun.model import Run, Status
from qarun.providers import panto_verdict, qatech_verdict, qualigate_verdict
from qarun.verdict import Judgment, capped

ENDED_AT = "2026-05-21T10:35:00Z"
# A platform word as long as a sentence quotes whole, and one a character longer (cut).
WORD_41 = "w" * 40 + "z"
WORD_42 = "w" * 40 + "zz"
CUT = "`" + "w" * 40 + "…`"


def check(judgment: Judgment, status: Status, *words: str, shown: bool = True) -> None:
    """The judgment's status, and for a sentence the summary shows, every word in it."""
    assert judgment.status is status, judgment
    for word in words:
        assert word in judgment.why, judgment.why
    # `plain` hides the sentence: it must be False wherever a signal other than the
    # run's own word decided.
    assert judgment.plain is (not shown), judgment


# --- Panto ---------------------------------------------------------------------------------------


def panto_run(word: str | None = "passed", **fields: Any) -> dict[str, Any]:
    run = {
        "id": "testrun_01",
        "runner_start_timestamp": "2026-05-21T10:32:00Z",
        "runner_end_timestamp": ENDED_AT,
        "remark": None,
        **fields,
    }
    if word is not None:
        run["runner_status"] = word
    return run


def listing(*runs: Any, status: str | None = "passed") -> dict[str, Any]:
    answer: dict[str, Any] = {"test_runs": list(runs)}
    if status is not None:
        answer["status"] = status
    return answer


def panto(run: dict[str, Any], status: str | None, *others: Any) -> Judgment:
    return panto_verdict.judge_run(run, listing(run, *others, status=status))


@pytest.mark.parametrize(
    ("run", "aggregate", "status", "words"),
    [
        # A word Panto does not document, in an ended trigger: the aggregate says.
        (
            panto_run("completed"),
            "failed",
            Status.FAILED,
            ["Panto: the trigger's `status` is `failed`: every finished run failed."],
        ),
        (
            panto_run("completed", remark="Cart empty"),
            "done",
            Status.FAILED,
            [
                "its `runner_status` is `completed`",
                "the trigger's `status` is `done`",
                "its `remark` says: Cart empty",
            ],
        ),
        (
            panto_run("completed"),
            "done",
            Status.ERROR,
            [
                "Panto: its `runner_status` is `completed`, and the trigger's `status` is "
                "`done`, which does not say either."
            ],
        ),
        (
            panto_run("completed"),
            "partially_passed",
            Status.FAILED,
            [
                "its `runner_status` is `completed`",
                "the trigger's `status` is `partially_passed`: some of its runs failed",
                "neither this run's word nor a `remark` says it was not one of them.",
            ],
        ),
        # Missing words are named as missing, not as an empty quote.
        (
            panto_run(None),
            None,
            Status.ERROR,
            ["its `runner_status` is none, and the trigger's `status` is none"],
        ),
        # The run's own word says passed, the aggregate that every run failed.
        (
            panto_run("passed"),
            "failed",
            Status.FAILED,
            ["Panto: the trigger's `status` is `failed`: every finished run failed."],
        ),
        (
            panto_run("in_process"),
            "passed",
            Status.ERROR,
            ["Panto: its `runner_status` is `in_process`, though the trigger has ended."],
        ),
        # Under `passed`, a word Panto does not document passes, unless the word or a
        # `remark` says the run did not.
        (
            panto_run("ABORTED"),
            "passed",
            Status.ERROR,
            ["Panto: its `runner_status` is `ABORTED` under the trigger's `passed`."],
        ),
        (
            panto_run("completed", remark="Cart empty"),
            "passed",
            Status.ERROR,
            ["Panto: its `runner_status` is `completed` under the trigger's `passed`."],
        ),
    ],
)
def test_panto_a_run_the_aggregate_or_the_remark_decides(
    run: dict[str, Any], aggregate: str | None, status: Status, words: list[str]
) -> None:
    check(panto(run, aggregate), status, *words)


def test_panto_a_run_the_trigger_lists_twice_is_no_pass() -> None:
    run = panto_run("passed")
    judgment = panto_verdict.judge_run(run, listing(run, dict(run), status="passed"))
    check(judgment, Status.ERROR, "Panto: the trigger lists run `testrun_01` twice.")


def test_panto_a_run_whose_own_word_decides_shows_the_bare_status() -> None:
    check(panto(panto_run("FAILURE"), "failed"), Status.FAILED, shown=False)
    check(panto(panto_run("error"), "partially_passed"), Status.ERROR, shown=False)


def test_panto_a_run_not_started_in_a_trigger_going_on_is_queued() -> None:
    waiting = panto_run("scheduled", runner_start_timestamp=None, runner_end_timestamp=None)
    assert panto(waiting, "in_process").status is Status.QUEUED
    started = panto_run("warming_up", runner_end_timestamp=None)
    assert panto(started, "in_process").status is Status.RUNNING


def test_panto_without_an_aggregate_word_the_trigger_ends_when_every_run_has() -> None:
    ended = panto_run("completed")
    going = panto_run("warming_up", id="testrun_02", runner_end_timestamp=None)
    assert not panto_verdict.trigger_over(listing(ended, going, status="done"))
    assert panto(ended, "done", going).status is Status.RUNNING
    assert panto_verdict.trigger_verdict(listing(ended, going, status="done")) is None
    assert panto_verdict.trigger_over(listing(ended, status="done"))


@pytest.mark.parametrize(
    ("aggregate", "words", "status", "why"),
    [
        ("passed", ["completed"], Status.PASSED, "Panto: the trigger's `status` is `passed`."),
        ("PASSED", ["completed"], Status.PASSED, "Panto: the trigger's `status` is `passed`."),
        (
            "passed",
            ["passed", "completed"],
            Status.PASSED,
            "Panto: the trigger's `status` is `passed`.",
        ),
        # `passed` beside a run whose own word says otherwise is no pass.
        (
            "passed",
            ["passed", "failed"],
            Status.FAILED,
            "Panto: the trigger's runs ended, and its `status` is `passed`, which does not say "
            "that they passed.",
        ),
        (
            "passed",
            ["error"],
            Status.ERROR,
            "Panto: the trigger's runs ended, and its `status` is `passed`, which does not say "
            "that they passed.",
        ),
        ("failed", ["passed"], Status.FAILED, "Panto: the trigger's `status` is `failed`."),
        (
            "partially_passed",
            ["passed"],
            Status.FAILED,
            "Panto: the trigger's `status` is `partially_passed`.",
        ),
        # An aggregate word Panto does not document: no pass, and a failure where a run's
        # own word (in any case) says it failed.
        (
            "done",
            ["passed", "FAILURE"],
            Status.FAILED,
            "Panto: the trigger's runs ended, and its `status` is `done`, which does not say "
            "that they passed.",
        ),
        (
            "done",
            ["passed", "completed"],
            Status.ERROR,
            "Panto: the trigger's runs ended, and its `status` is `done`, which does not say "
            "that they passed.",
        ),
        (
            None,
            ["passed"],
            Status.ERROR,
            "Panto: the trigger's runs ended, and its `status` is none, which does not say "
            "that they passed.",
        ),
    ],
)
def test_panto_the_trigger_s_own_verdict(
    aggregate: str | None, words: list[str], status: Status, why: str
) -> None:
    runs = [panto_run(word, id=f"testrun_0{i}") for i, word in enumerate(words)]
    verdict = panto_verdict.trigger_verdict(listing(*runs, status=aggregate))
    assert verdict is not None
    assert (verdict.status, verdict.why) == (status, why)


def test_panto_the_trigger_s_verdict_waits_while_it_goes_on() -> None:
    assert panto_verdict.trigger_verdict(listing(panto_run(), status="in_process")) is None


def test_panto_a_listing_entry_that_is_no_object_does_not_crash_the_verdict() -> None:
    run = panto_run("completed")
    answer = listing("not an object", run, status="done")
    # The entry shows no end, so the trigger goes on.
    assert panto_verdict.judge_run(run, answer).status is Status.RUNNING
    assert panto_verdict.trigger_verdict(answer) is None


@pytest.mark.parametrize(("word", "shown"), [(WORD_41, f"`{WORD_41}`"), (WORD_42, CUT)])
def test_panto_a_long_word_is_cut_in_the_sentence(word: str, shown: str) -> None:
    judgment = panto(panto_run(word), "done")
    check(judgment, Status.ERROR, f"its `runner_status` is {shown}, and")


# --- QA.tech -------------------------------------------------------------------------------------


def qatech_run(status: Any = "COMPLETED", result: Any = "PASSED", **fields: Any) -> dict[str, Any]:
    return {"shortId": "abc123", "status": status, "result": result, **fields}


def case(status: Any = "COMPLETED", result: Any = "PASSED", name: Any = "Login") -> dict[str, Any]:
    return {"name": name, "status": status, "result": result}


def qatech(answer: dict[str, Any], **kwargs: Any) -> Judgment:
    return qatech_verdict.judge_run(answer, **kwargs)


@pytest.mark.parametrize(
    ("answer", "kwargs", "status", "why"),
    [
        # Test cases decide against the run's own COMPLETED/PASSED: the sentence names
        # the case, by name where it has one, else by its place in the list.
        (
            qatech_run(runTestCases=[case(), case(result="FAILED", name="Checkout")]),
            {},
            Status.FAILED,
            "QA.tech's test case 'Checkout': `status` `COMPLETED`, `result` `FAILED`.",
        ),
        (
            qatech_run(runTestCases=[case(), case(result="FAILED", name=None)]),
            {},
            Status.FAILED,
            "QA.tech's test case 2: `status` `COMPLETED`, `result` `FAILED`.",
        ),
        (
            qatech_run(runTestCases=[case(), case(result="FAILED", name=7)]),
            {},
            Status.FAILED,
            "QA.tech's test case 2: `status` `COMPLETED`, `result` `FAILED`.",
        ),
        (
            qatech_run(runTestCases=[case("ERROR", None)]),
            {},
            Status.ERROR,
            "QA.tech's test case 'Login': `status` `ERROR`, `result` null.",
        ),
        (
            qatech_run(runTestCases=[case(result="MOSTLY")]),
            {},
            Status.ERROR,
            "QA.tech's test case 'Login' has words it does not document "
            "(`status` `COMPLETED`, `result` `MOSTLY`).",
        ),
        (
            qatech_run(runTestCases=[case("ARCHIVED", "PASSED")]),
            {},
            Status.ERROR,
            "QA.tech's test case 'Login' has words it does not document "
            "(`status` `ARCHIVED`, `result` `PASSED`).",
        ),
        (
            qatech_run(runTestCases=[case("RUNNING", None)]),
            {},
            Status.ERROR,
            "QA.tech's test case 'Login' has not ended (`status` `RUNNING`, `result` null) "
            "in a run that has.",
        ),
        (
            qatech_run(runTestCases=[case(), "not an object"]),
            {},
            Status.ERROR,
            "QA.tech's test case 2 has not ended (`status` null, `result` null) in a run that has.",
        ),
        (
            qatech_run(runTestCases=[case(), case()]),
            {"test_count": 3},
            Status.ERROR,
            "QA.tech started the run with 3 test case(s) (`testCount`) and shows 2.",
        ),
        (
            qatech_run(runTestCases=[case(), case(), case()]),
            {"test_count": 2},
            Status.ERROR,
            "QA.tech started the run with 2 test case(s) (`testCount`) and shows 3.",
        ),
        # Asked for every test case (`testCases=all`), an answer without them is no pass.
        (
            qatech_run(),
            {"test_count": 2, "cases_asked": True},
            Status.ERROR,
            "QA.tech shows no test case where all were asked for.",
        ),
        (
            qatech_run(),
            {"test_count": 0},
            Status.ERROR,
            "QA.tech started the run with 0 test case(s) (`testCount`): it ran no test.",
        ),
        # The run's own words, where they are not a plain end.
        (
            qatech_run(result=None),
            {"late_polls": 3},
            Status.ERROR,
            "QA.tech marked the run COMPLETED with no result "
            "(`status` `COMPLETED`, `result` null).",
        ),
        (
            qatech_run(result="MOSTLY"),
            {},
            Status.ERROR,
            "QA.tech gave words it does not document (`status` `COMPLETED`, `result` `MOSTLY`).",
        ),
        (
            qatech_run(result=1),
            {},
            Status.ERROR,
            "QA.tech gave words it does not document (`status` `COMPLETED`, `result` `1`).",
        ),
        (
            qatech_run("ARCHIVED", "PASSED"),
            {},
            Status.ERROR,
            "QA.tech gave words it does not document (`status` `ARCHIVED`, `result` `PASSED`).",
        ),
        (
            qatech_run("ARCHIVED", "FAILED"),
            {},
            Status.FAILED,
            "QA.tech: `status` `ARCHIVED`, `result` `FAILED`.",
        ),
        (
            qatech_run(result=WORD_42),
            {},
            Status.ERROR,
            f"QA.tech gave words it does not document (`status` `COMPLETED`, `result` {CUT}).",
        ),
    ],
)
def test_qatech_the_sentence_names_the_signal_that_decided(
    answer: dict[str, Any], kwargs: dict[str, Any], status: Status, why: str
) -> None:
    judgment = qatech(answer, **kwargs)
    assert (judgment.status, judgment.why, judgment.plain) == (status, why, False)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (qatech_run(result="FAILED"), Status.FAILED),
        (qatech_run(result="SKIPPED"), Status.SKIPPED),
        (qatech_run("ERROR", None), Status.ERROR),
        (qatech_run("CANCELLED", None), Status.CANCELED),
    ],
)
def test_qatech_a_run_whose_own_word_decides_shows_the_bare_status(
    answer: dict[str, Any], status: Status
) -> None:
    check(qatech(answer), status, shown=False)


@pytest.mark.parametrize(
    ("status", "result", "expected"),
    [
        ("COMPLETED", "PASSED", Status.PASSED),
        ("completed", "skipped", Status.SKIPPED),
        ("INITIATED", None, Status.QUEUED),
        ("RUNNING", None, Status.RUNNING),
        ("ERROR", None, Status.ERROR),
        ("CANCELLED", None, Status.CANCELED),
        # No words at all: nothing says the case ended.
        (None, None, Status.RUNNING),
        # A FAILED result fails the case whatever its status word says.
        (None, "FAILED", Status.FAILED),
        ("ARCHIVED", "FAILED", Status.FAILED),
        # Anything else is an end in words QA.tech does not document.
        ("COMPLETED", None, Status.ERROR),
        ("COMPLETED", "MOSTLY", Status.ERROR),
        (None, "SKIPPED", Status.ERROR),
        ("ARCHIVED", None, Status.ERROR),
        ("ARCHIVED", "PASSED", Status.ERROR),
        (7, None, Status.ERROR),
        # A case ended with a FAILED result is the worse of the two.
        ("CANCELLED", "FAILED", Status.FAILED),
        ("ERROR", "FAILED", Status.ERROR),
        ("RUNNING", "FAILED", Status.FAILED),
    ],
)
def test_qatech_a_test_case_s_own_status_as_the_report_shows_it(
    status: object, result: str | None, expected: Status
) -> None:
    assert qatech_verdict.judge_case({"status": status, "result": result}) is expected


# --- Qualigate -----------------------------------------------------------------------------------

LOGIN, CHECKOUT = "660e8400", "770e8400"


def qg_run(status: str = "passed", **fields: Any) -> dict[str, Any]:
    answer = {
        "id": LOGIN,
        "status": status,
        "completed_at": ENDED_AT,
        "steps_completed": 12,
        "steps_total": 12,
        "error_message": None,
        **fields,
    }
    return {key: value for key, value in answer.items() if value is not ...}


def row(
    status: str = "passed", name: str | None = "Login", run_id: str | None = LOGIN, **fields: Any
) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": status, **fields}
    if run_id is not None:
        answer["test_run_id"] = run_id
    if name is not None:
        answer["test_case_name"] = name
    return answer


def checkout(status: str = "passed", **fields: Any) -> dict[str, Any]:
    return row(status, "Checkout", CHECKOUT, **fields)


def suite(status: str = "completed", **fields: Any) -> dict[str, Any]:
    answer = {
        "id": "880e8400",
        "status": status,
        "completed_at": ENDED_AT,
        "total_tests": 2,
        "passed_tests": 2,
        "failed_tests": 0,
        **fields,
    }
    return {key: value for key, value in answer.items() if value is not ...}


def results(
    status: str | None = "passed", rows: list[Any] | None = None, **counts: Any
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "total_tests": 2,
        "passed_tests": 2,
        "failed_tests": 0,
        "results": rows if rows is not None else [row(), checkout()],
        **counts,
    }
    if status is not None:
        answer["status"] = status
    return answer


@pytest.mark.parametrize(
    ("answer", "result_row", "status", "why"),
    [
        (
            qg_run(),
            row("failed"),
            Status.FAILED,
            "Qualigate: the test run's /results row's `status` is `failed`.",
        ),
        (
            qg_run("archived"),
            None,
            Status.ERROR,
            "Qualigate: the test run's `status` is `archived`, which its documents do not give.",
        ),
        (
            qg_run(steps_completed=11),
            None,
            Status.ERROR,
            "Qualigate: the test run says `passed` after `11` of `12` steps.",
        ),
        (
            qg_run(steps_completed=...),
            None,
            Status.ERROR,
            "Qualigate: the test run says `passed` after null of `12` steps.",
        ),
        (
            qg_run(steps_completed=0, steps_total=0),
            None,
            Status.ERROR,
            "Qualigate: the test run says `passed` after `0` of `0` steps.",
        ),
        (
            qg_run(error_message="Element not found"),
            None,
            Status.ERROR,
            "Qualigate: the test run says `passed` with an error message.",
        ),
        (
            qg_run(),
            row("passed", error_message="Element not found"),
            Status.ERROR,
            "Qualigate: the test run's /results row says `passed` with an error message.",
        ),
        # The two answers disagree: one has ended, one goes on.
        (
            qg_run(),
            row("running"),
            Status.ERROR,
            "Qualigate: one answer shows the run ended, one going.",
        ),
        (
            qg_run(WORD_42),
            None,
            Status.ERROR,
            f"Qualigate: the test run's `status` is {CUT}, which its documents do not give.",
        ),
    ],
)
def test_qualigate_a_test_run_the_sentence_names_the_signal(
    answer: dict[str, Any], result_row: dict[str, Any] | None, status: Status, why: str
) -> None:
    judgment = qualigate_verdict.judge_test_run(answer, result_row)
    assert (judgment.status, judgment.why, judgment.plain) == (status, why, False)


@pytest.mark.parametrize(
    ("answer", "result_row", "status"),
    [
        # A documented end word ends the run whether or not `completed_at` is there yet.
        (qg_run("passed", completed_at=None), None, Status.PASSED),
        (qg_run("failed", completed_at=None), None, Status.FAILED),
        # A documented word for a run going on is taken as said, whatever `completed_at` says.
        (qg_run("running"), None, Status.RUNNING),
        (qg_run("pending", completed_at=None), row("pending"), Status.QUEUED),
        # The /results row alone (a suite's test run): its word, judged the same way.
        (None, row("passed"), Status.PASSED),
        (None, row("failed"), Status.FAILED),
        (None, row("pending"), Status.QUEUED),
        (None, row("running"), Status.RUNNING),
        # A row shows no end time: an unknown word in it does not end the run.
        (qg_run("running", completed_at=None), row("archived"), Status.RUNNING),
        # A failure shows, whichever answer has ended.
        (qg_run("running", completed_at=None), row("failed"), Status.FAILED),
    ],
)
def test_qualigate_a_test_run_s_status(
    answer: dict[str, Any] | None, result_row: dict[str, Any] | None, status: Status
) -> None:
    assert qualigate_verdict.judge_test_run(answer, result_row).status is status


@pytest.mark.parametrize(
    ("answer", "kwargs", "status", "why"),
    [
        (
            suite("archived"),
            {},
            Status.ERROR,
            "Qualigate: the suite's `status` is `archived`, which its documents do not give.",
        ),
        (
            suite(""),
            {},
            Status.ERROR,
            "Qualigate: the suite's `status` is none, which its documents do not give.",
        ),
        (
            suite(WORD_41),
            {},
            Status.ERROR,
            f"Qualigate: the suite's `status` is `{WORD_41}`, which its documents do not give.",
        ),
        (
            suite(total_tests=0, passed_tests=0),
            {},
            Status.ERROR,
            "Qualigate: the suite run ran no test (`total_tests` 0).",
        ),
        (
            suite(passed_tests=...),
            {},
            Status.ERROR,
            "Qualigate: the suite run gives no usable `passed_tests`.",
        ),
        (
            suite(passed_tests=..., failed_tests=...),
            {},
            Status.ERROR,
            "Qualigate: the suite run gives no usable `passed_tests`, `failed_tests`.",
        ),
        # A count missing does not hide the failures the others count.
        (
            suite(passed_tests=..., failed_tests=1),
            {},
            Status.FAILED,
            "Qualigate: the suite run has 1 failed test(s).",
        ),
        (
            suite(passed_tests=1),
            {},
            Status.ERROR,
            "Qualigate: the suite run counts 1 passed and 0 failed of 2: they do not add up "
            "to a pass.",
        ),
        # `passed` with a failed test is a failure, as `completed` is (the counts decide).
        (
            suite("passed", passed_tests=1, failed_tests=1),
            {},
            Status.FAILED,
            "Qualigate: the suite run counts 1 passed and 1 failed of 2.",
        ),
        (
            suite("passed", passed_tests=1),
            {},
            Status.ERROR,
            "Qualigate: the suite run counts 1 passed and 0 failed of 2: they do not add up "
            "to a pass.",
        ),
        (
            suite(),
            {"test_count": 3},
            Status.ERROR,
            "Qualigate queued 3 test(s) (`test_count`); the suite run counts 2.",
        ),
        # /results read too: the suite's own signals still count.
        (
            suite(),
            {"test_count": 3, "results": results()},
            Status.ERROR,
            "Qualigate queued 3 test(s) (`test_count`); the suite run counts 2.",
        ),
        (
            suite(),
            {"results": results("failed")},
            Status.FAILED,
            "Qualigate: /results `status` is `failed`.",
        ),
        (
            suite(),
            {"results": results("partially_passed")},
            Status.ERROR,
            "Qualigate: /results `status` is `partially_passed`, which its documents do not give.",
        ),
        (
            suite(),
            {"results": results(None)},
            Status.ERROR,
            "Qualigate: /results `status` is missing.",
        ),
        (
            suite(),
            {"results": results(total_tests=3, passed_tests=3)},
            Status.ERROR,
            "Qualigate: /results counts the suite's tests differently.",
        ),
        (
            suite(),
            {"results": results(passed_tests=1, failed_tests=1)},
            Status.FAILED,
            "Qualigate: /results counts 1 passed and 1 failed of 2.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), row(name="Checkout")])},
            Status.ERROR,
            "Qualigate: /results lists a test run twice.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), checkout("error")])},
            Status.ERROR,
            "Qualigate: the /results row of `Checkout`'s `status` is `error`.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), checkout(error_message="Cart empty")])},
            Status.ERROR,
            "Qualigate: the /results row says `passed` with an error message.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), checkout("running")])},
            Status.ERROR,
            "Qualigate: the /results row of `Checkout`'s `status` is `running` in an ended suite.",
        ),
        # In an ended suite a row's unknown word has ended too, in words not documented.
        (
            suite(),
            {"results": results(rows=[row(), checkout("archived")])},
            Status.ERROR,
            "Qualigate: the /results row of `Checkout`'s `status` is `archived`, which its "
            "documents do not give.",
        ),
        # A row is named by its test case, else its test run id, else as "a test".
        (
            suite(),
            {"results": results(rows=[row(), row("error", name=None, run_id=CHECKOUT)])},
            Status.ERROR,
            "Qualigate: the /results row of `770e8400`'s `status` is `error`.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), row("error", name=None, run_id=None)])},
            Status.ERROR,
            "Qualigate: the /results row of `a test`'s `status` is `error`.",
        ),
        (
            suite(),
            {"results": results(rows=[row(), "not an object"])},
            Status.ERROR,
            "Qualigate: the /results row of `a test`'s `status` is none, which its documents "
            "do not give.",
        ),
    ],
)
def test_qualigate_a_suite_the_sentence_names_the_signal(
    answer: dict[str, Any], kwargs: dict[str, Any], status: Status, why: str
) -> None:
    judgment = qualigate_verdict.judge_suite(answer, **kwargs)
    assert (judgment.status, judgment.why, judgment.plain) == (status, why, False)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (suite("warming", completed_at=None), Status.RUNNING),
        (suite("pending", completed_at=None), Status.QUEUED),
        (suite("failed", completed_at=None), Status.FAILED),
        (suite("passed"), Status.PASSED),
    ],
)
def test_qualigate_a_suite_s_own_word_ends_it_or_keeps_it_going(
    answer: dict[str, Any], status: Status
) -> None:
    assert qualigate_verdict.judge_suite(answer).status is status


BOTH = [LOGIN, CHECKOUT]


@pytest.mark.parametrize(
    "answer",
    [
        results(rows=[row()]),
        results(rows=[row(), checkout("running")]),
        results(rows=[row(), checkout("archived")]),
        # A doubt (here a missing `status`) waits for the end like an unfinished row.
        results(None, rows=[row()]),
        results(rows=[row(), "not an object"]),
    ],
)
def test_qualigate_a_project_s_results_give_no_verdict_while_its_runs_may_go_on(
    answer: dict[str, Any],
) -> None:
    # Read while polling, with nothing that already says a test did not pass: not yet.
    assert qualigate_verdict.results_verdict(answer, BOTH) is None


@pytest.mark.parametrize(
    ("answer", "ended", "status", "why"),
    [
        (results(), False, Status.PASSED, None),
        (results("failed"), False, Status.FAILED, "Qualigate: /results `status` is `failed`."),
        (
            results("mostly"),
            False,
            Status.ERROR,
            "Qualigate: /results `status` is `mostly`, which its documents do not give.",
        ),
        (results(None), False, Status.ERROR, "Qualigate: /results `status` is missing."),
        (
            results(rows=[row(), checkout("error")]),
            False,
            Status.ERROR,
            "Qualigate: the /results row of `Checkout`'s `status` is `error`.",
        ),
        (
            results(rows=[row(), checkout(error_message="Cart empty")]),
            False,
            Status.ERROR,
            "Qualigate: the /results row says `passed` with an error message.",
        ),
        (
            results(rows=[row(), checkout(), checkout()]),
            False,
            Status.ERROR,
            "Qualigate: /results lists run `770e8400` twice.",
        ),
        (
            results(total_tests=3, passed_tests=3),
            False,
            Status.ERROR,
            "Qualigate queued 2 test(s) (`test_count`); /results counts 3.",
        ),
        # Something that already says a test did not pass decides, though others go on.
        (
            results(rows=[checkout("failed")]),
            False,
            Status.FAILED,
            "Qualigate: the /results row of `Checkout`'s `status` is `failed`.",
        ),
        (
            results("running", rows=[row(), checkout("timeout")]),
            False,
            Status.TIMEOUT,
            "Qualigate: the /results row of `Checkout`'s `status` is `timeout`.",
        ),
        # Once the runs have ended, what is missing or unfinished is no pass.
        (
            results(rows=[row()]),
            True,
            Status.ERROR,
            "Qualigate: /results has no ended row for `770e8400`.",
        ),
        (
            results(rows=[row(), checkout("running")]),
            True,
            Status.ERROR,
            "Qualigate: /results has no ended row for `770e8400`.",
        ),
        (
            results("running"),
            True,
            Status.ERROR,
            "Qualigate: /results `status` is `running`: not ended.",
        ),
        (
            results(rows=[row(), checkout("archived")]),
            True,
            Status.ERROR,
            "Qualigate: the /results row of `Checkout`'s `status` is `archived`, which its "
            "documents do not give.",
        ),
    ],
)
def test_qualigate_a_project_s_results_verdict_names_the_signal(
    answer: dict[str, Any], ended: bool, status: Status, why: str | None
) -> None:
    verdict = qualigate_verdict.results_verdict(answer, BOTH, ended=ended)
    assert verdict is not None
    assert verdict.status is status
    if why is not None:
        assert verdict.why == why


# --- what is known is kept: capped, failed before, details that still show the run going ----


def test_capped_keeps_the_worse_aggregate_and_its_sentence() -> None:
    run = Run(id="a", name="A", status=Status.PASSED)
    failed = capped(run, Judgment(Status.FAILED, "the trigger said failed"))
    assert (failed.platform_verdict, failed.platform_why) == (
        Status.FAILED,
        "the trigger said failed",
    )
    # A better aggregate later takes nothing back; none at all changes nothing.
    assert capped(failed, Judgment(Status.PASSED, "now passed")) == failed
    assert capped(failed, None) == failed
    worse = capped(failed, Judgment(Status.ERROR, "the trigger said nothing known"))
    assert (worse.platform_verdict, worse.platform_why) == (
        Status.ERROR,
        "the trigger said nothing known",
    )


def test_qatech_failed_case_finds_the_first_that_failed_or_errored() -> None:
    first = {"name": "A", "status": "COMPLETED", "result": "PASSED"}
    failed = {"name": "B", "status": "COMPLETED", "result": "FAILED"}
    errored = {"name": "C", "status": "ERROR", "result": None}
    assert qatech_verdict.failed_case({"runTestCases": [first, failed, errored]}) is failed
    assert qatech_verdict.failed_case({"runTestCases": [first, errored]}) is errored
    assert qatech_verdict.failed_case({"runTestCases": [first]}) is None
    assert qatech_verdict.failed_case({}) is None


def test_qatech_a_case_failed_before_fails_the_run_whatever_later_answers_say() -> None:
    passed = {"status": "COMPLETED", "result": "PASSED", "runTestCases": []}
    earlier = {"name": "Login", "status": "COMPLETED", "result": "FAILED"}
    judgment = qatech_verdict.judge_run(passed, failed_before=earlier)
    assert judgment.status is Status.FAILED
    assert "'Login'" in judgment.why


def test_qatech_details_still_going_after_the_end_are_no_pass_and_keep_a_failure() -> None:
    going = qatech_verdict.judge_run({"status": "RUNNING", "result": None})
    doubted = qatech_verdict.still_going_after_its_end(going, None)
    assert doubted.status is Status.ERROR
    assert doubted.why.endswith("Its status had shown it ended: they disagree.")
    assert doubted.why.startswith(going.why)
    earlier = {"name": "Login", "status": "COMPLETED", "result": "FAILED"}
    failed = qatech_verdict.still_going_after_its_end(going, earlier)
    assert failed.status is Status.FAILED and "'Login'" in failed.why


def test_qualigate_failures_counted_before_beside_a_timeout_are_no_pass_not_failed() -> None:
    # Beside the suite's own `timeout`, `failed_tests` may hold tests that did not fail (G25).
    answer = {"status": "timeout", "total_tests": 2, "passed_tests": 1, "failed_tests": 1}
    judgment = qualigate_verdict.judge_suite(answer, failed_before=1)
    assert judgment.status is Status.TIMEOUT
    completed = {"status": "completed", "total_tests": 2, "passed_tests": 2, "failed_tests": 0}
    assert qualigate_verdict.judge_suite(completed, failed_before=1).status is Status.FAILED

"""The verdict is a pure function of the runs and fail-on (README, Statuses and exit codes)."""

from __future__ import annotations

from typing import Any

import pytest

from qarun import verdict
from qarun.failure import failure_sentences
from qarun.model import SEVERITY, Counts, Outcome, Run, Status, TestResult
from qarun.providers.base import judged
from qarun.verdict import (
    Evidence,
    Judgment,
    decide,
    exit_code,
    final_statuses,
    no_better_than_its_tests,
    overall_status,
    quoted,
    settled,
)
from tests.factories import make_outcome, make_run, make_test


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


# --- decide: the one rule over a run's evidence ------------------------------------------------

OWN_PASS = Evidence(Status.PASSED, "own word: passed")
OWN_FAIL = Evidence(Status.FAILED, "own word: failed")


@pytest.mark.parametrize(
    ("evidence", "status", "why", "plain"),
    [
        # The worst status any piece gives decides, wherever it comes in the list.
        (
            [OWN_PASS, Evidence(Status.FAILED, "case 1 failed"), Evidence(Status.ERROR, "case 2")],
            Status.ERROR,
            "case 2",
            False,
        ),
        (
            [OWN_PASS, Evidence(Status.CANCELED, "case 1"), Evidence(Status.TIMEOUT, "case 2")],
            Status.TIMEOUT,
            "case 2",
            False,
        ),
        # The run's own word decided: the status says all, the sentence is not shown.
        ([OWN_FAIL, Evidence(Status.PASSED, "case 1")], Status.FAILED, OWN_FAIL.signal, True),
        ([OWN_FAIL, Evidence(Status.FAILED, "aggregate")], Status.FAILED, OWN_FAIL.signal, True),
        # Another signal decided against the run's own word: the sentence says which.
        (
            [OWN_PASS, Evidence(Status.FAILED, "case 1 failed")],
            Status.FAILED,
            "case 1 failed",
            False,
        ),
        # Doubt is no pass: an error, with the first doubt's sentence.
        (
            [OWN_PASS, Evidence(None, "count missing"), Evidence(None, "word unknown")],
            Status.ERROR,
            "count missing",
            False,
        ),
        ([OWN_PASS, Evidence(Status.RUNNING, "case going")], Status.ERROR, "case going", False),
        # A doubt never hides a failure that another signal shows.
        ([Evidence(None, "word unknown"), OWN_FAIL], Status.FAILED, OWN_FAIL.signal, False),
        ([], Status.ERROR, "no signal said how the run ended.", False),
    ],
)
def test_decide_gives_the_worst_signal_and_names_it(
    evidence: list[Evidence], status: Status, why: str, plain: bool
) -> None:
    assert decide(evidence) == Judgment(status, why, plain=plain)


@pytest.mark.parametrize(
    ("evidence", "status"),
    [
        ([OWN_PASS], Status.PASSED),
        ([OWN_PASS, Evidence(Status.SKIPPED, "case 1 skipped")], Status.PASSED),
        ([Evidence(Status.SKIPPED, "result skipped")], Status.SKIPPED),
        ([Evidence(Status.SKIPPED, "result"), Evidence(Status.SKIPPED, "case")], Status.SKIPPED),
    ],
)
def test_decide_passes_or_skips_only_on_every_signal_and_shows_the_bare_status(
    evidence: list[Evidence], status: Status
) -> None:
    judgment = decide(evidence)
    assert (judgment.status, judgment.plain) == (status, True)


def test_a_judgment_the_run_s_own_word_decided_is_shown_as_the_bare_status() -> None:
    # What the summary shows: the sentence only where the status alone would mislead.
    run = Run(id="r1", name="run 1", status=Status.RUNNING)
    skipped = judged(run, decide([Evidence(Status.SKIPPED, "QA.tech: `result` `SKIPPED`.")]))
    assert skipped.status is Status.SKIPPED
    assert skipped.message is None
    overruled = judged(run, decide([OWN_PASS, Evidence(Status.FAILED, "test case 'Login' failed")]))
    assert overruled.message == "test case 'Login' failed"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        ("", "none"),
        ("COMPLETED", "`COMPLETED`"),
        (0, "`0`"),
        # A word as long as the cut form is shown whole; a longer one is cut, and says so.
        ("w" * 41, f"`{'w' * 41}`"),
        ("w" * 42, f"`{'w' * 40}…`"),
    ],
)
def test_a_sentence_quotes_a_platform_s_word_short_and_names_a_missing_one(
    value: object, shown: str
) -> None:
    assert quoted(value) == shown


# --- overall status and the statuses that count for fail-on -----------------------------------


def test_no_run_at_all_is_an_error_or_at_the_deadline_a_timeout() -> None:
    assert overall_status([]) is Status.ERROR
    assert overall_status([], timed_out=True) is Status.TIMEOUT


def test_final_statuses_turn_unfinished_runs_into_timeouts_only_at_the_deadline() -> None:
    going = runs(Status.PASSED, Status.RUNNING, Status.QUEUED)
    assert final_statuses(going) == [Status.PASSED, Status.RUNNING, Status.QUEUED]
    assert final_statuses(going, timed_out=True) == [Status.PASSED, Status.TIMEOUT, Status.TIMEOUT]


def test_final_statuses_add_each_aggregate_verdict_the_platform_gave() -> None:
    first, second = runs(Status.PASSED, Status.PASSED)
    given = [first.updated(platform_verdict=Status.FAILED), second]
    assert final_statuses(given) == [Status.PASSED, Status.PASSED, Status.FAILED]


def test_tested_gives_each_outcome_a_test_had_inside_the_runs() -> None:
    given = [
        # A test that failed inside a run that ended in error happened too.
        make_run(id="r1", status=Status.ERROR, tests=(make_test(status=Status.FAILED),)),
        make_run(
            id="r2",
            status=Status.PASSED,
            tests=(make_test(status=Status.PASSED), make_test(status=Status.PASSED)),
        ),
        make_run(id="r3", status=Status.SKIPPED, reported=Counts(total=2, skipped=1)),
        # Unfinished tests are in no outcome yet.
        make_run(id="r4", status=Status.RUNNING, tests=(make_test(status=Status.RUNNING),)),
    ]
    # Called through the module: pytest would collect a bare `tested` as a test.
    assert verdict.outcomes_of_tests(given) == [Status.PASSED, Status.FAILED, Status.SKIPPED]
    assert verdict.outcomes_of_tests([]) == []


PASSED_TEST = make_test(name="Login", status=Status.PASSED)


@pytest.mark.parametrize(
    ("status", "tests", "expected", "message"),
    [
        (
            Status.PASSED,
            (PASSED_TEST, make_test(name="Checkout", status=Status.FAILED)),
            Status.FAILED,
            "its test 'Checkout' ended failed and was not rerun.",
        ),
        # The worst test decides, wherever it is in the list.
        (
            Status.PASSED,
            (
                make_test(name="Cart", status=Status.CANCELED),
                make_test(name="Search", status=Status.ERROR),
                make_test(name="Checkout", status=Status.FAILED),
            ),
            Status.ERROR,
            "its test 'Search' ended error and was not rerun.",
        ),
        (
            Status.SKIPPED,
            (make_test(name="Checkout", status=Status.TIMEOUT),),
            Status.TIMEOUT,
            "its test 'Checkout' ended timeout and was not rerun.",
        ),
    ],
)
def test_a_run_is_no_better_than_a_test_it_kept_from_an_earlier_attempt(
    status: Status, tests: tuple[TestResult, ...], expected: Status, message: str
) -> None:
    run = make_run(status=status, tests=tests, message=None)
    result = no_better_than_its_tests(run)
    assert (result.status, result.message) == (expected, message)
    # The platform's own words, where it gave some, stay the message.
    worded = no_better_than_its_tests(run.updated(message="Cart was empty"))
    assert (worded.status, worded.message) == (expected, "Cart was empty")


@pytest.mark.parametrize(
    ("status", "tests"),
    [
        # Every test passed, was skipped, or has not ended: nothing to say against the run.
        (Status.PASSED, (PASSED_TEST, make_test(status=Status.SKIPPED))),
        (Status.PASSED, (PASSED_TEST, make_test(status=Status.RUNNING))),
        (Status.PASSED, ()),
        # Never lifted by its tests: a skipped rerun beside tests that passed before.
        (Status.SKIPPED, (PASSED_TEST, make_test(status=Status.SKIPPED))),
        # The run is already as bad as its worst test, or worse: its own words stand.
        (Status.FAILED, (PASSED_TEST, make_test(status=Status.FAILED))),
        (Status.ERROR, (make_test(status=Status.FAILED),)),
        # A run still going is judged when it ends.
        (Status.RUNNING, (make_test(status=Status.FAILED),)),
    ],
)
def test_a_run_no_worse_than_its_tests_is_left_as_it_is(
    status: Status, tests: tuple[TestResult, ...]
) -> None:
    run = make_run(status=status, tests=tests, message=None)
    assert no_better_than_its_tests(run) == run


# --- settled: what a later answer may change ----------------------------------------------------


@pytest.mark.parametrize(
    ("seen", "fresh", "kept"),
    [
        (None, Status.FAILED, Status.FAILED),
        (Status.FAILED, None, Status.FAILED),
        (Status.PASSED, Status.FAILED, Status.FAILED),
        (Status.FAILED, Status.PASSED, Status.FAILED),
        (Status.ERROR, Status.FAILED, Status.ERROR),
        (None, None, None),
    ],
)
@pytest.mark.parametrize(
    ("before", "after"), [(Status.PASSED, Status.PASSED), (Status.FAILED, Status.PASSED)]
)
def test_settled_keeps_the_worst_aggregate_verdict_seen(
    seen: Status | None, fresh: Status | None, kept: Status | None, before: Status, after: Status
) -> None:
    # Whether the run's own status is taken (before/after) or kept, the aggregate only worsens.
    (run,) = runs(before)
    result = settled(
        run.updated(platform_verdict=seen), run.updated(status=after, platform_verdict=fresh)
    )
    assert result.platform_verdict is kept


def test_a_better_later_answer_keeps_the_words_that_explain_the_worse_status() -> None:
    (seen,) = runs(Status.FAILED)
    seen = seen.updated(provider_status="COMPLETED/FAILED", message="Cart was empty")
    fresh = seen.updated(status=Status.PASSED, provider_status="COMPLETED/PASSED", message=None)
    result = settled(seen, fresh)
    assert (result.status, result.provider_status, result.message) == (
        Status.FAILED,
        "COMPLETED/FAILED",
        "Cart was empty",
    )


def test_a_better_later_answer_adds_its_message_where_the_seen_run_had_none() -> None:
    (seen,) = runs(Status.FAILED)
    fresh = seen.updated(status=Status.PASSED, message="retried by the platform")
    assert settled(seen, fresh).message == "retried by the platform"


def test_an_equally_bad_later_answer_is_taken_with_its_words() -> None:
    # The platform may add its error message to a run it already showed failed.
    (seen,) = runs(Status.FAILED)
    seen = seen.updated(provider_status="failed", message=None)
    fresh = seen.updated(provider_status="failed (retried)", message="Element not found")
    result = settled(seen, fresh)
    assert (result.provider_status, result.message) == ("failed (retried)", "Element not found")


# --- the one sentence that says why the step failed ---------------------------------------------


DEFAULT_FAIL_ON = frozenset({Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED})
SUMMARY = "see the job summary."


def said(outcome: Outcome, fail_on: frozenset[Status] = DEFAULT_FAIL_ON) -> str:
    """The log's sentence, as the action says it."""
    return failure_sentences(outcome, fail_on, "`timeout`", "see the job summary")[0]


def test_the_failure_sentence_counts_the_tests_whose_outcome_fails_the_step() -> None:
    statuses = (Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED, Status.PASSED)
    outcome = make_outcome(*(make_run(id=f"r{i}", status=s) for i, s in enumerate(statuses)))
    assert said(outcome) == (
        f"QA.tech: 1 failed, 1 error, 1 timed out and 1 canceled of 5 tests; {SUMMARY}"
    )


def test_a_skipped_test_fails_the_step_only_where_fail_on_holds_it_and_the_sentence_says_so() -> (
    None
):
    run = make_run(
        id="r1",
        status=Status.PASSED,
        tests=(make_test(name="a"), make_test(id="t2", name="b", status=Status.SKIPPED)),
    )
    assert said(make_outcome(run), DEFAULT_FAIL_ON | {Status.SKIPPED}) == (
        f"QA.tech: 1 skipped of 2 tests; {SUMMARY}"
    )


def test_the_failure_sentence_at_the_deadline_says_how_many_runs_were_unfinished() -> None:
    outcome = make_outcome(
        make_run(id="r1", status=Status.RUNNING),
        make_run(id="r2", status=Status.QUEUED),
        make_run(id="r3", status=Status.PASSED),
        timed_out=True,
    )
    assert outcome.status is Status.TIMEOUT
    assert said(outcome) == (
        "QA.tech: 2 run(s) had not finished when the timeout ran out; raise `timeout` "
        "or check the runs on the platform."
    )


@pytest.mark.parametrize(
    ("finished", "ended"),
    [
        (Status.FAILED, "1 failed of 2 tests"),
        # The platform's own timeout is a result, said beside qarun's.
        (Status.TIMEOUT, "1 timed out of 2 tests"),
        (Status.CANCELED, "1 canceled of 2 tests"),
    ],
)
def test_the_failure_sentence_says_a_result_and_a_run_unfinished_at_the_deadline(
    finished: Status, ended: str
) -> None:
    outcome = make_outcome(
        make_run(id="r1", status=finished),
        make_run(id="r2", status=Status.RUNNING),
        timed_out=True,
    )
    assert said(outcome) == (
        f"QA.tech: {ended}; 1 run(s) had not finished when the timeout ran out "
        f"(raise `timeout` or check the runs on the platform); {SUMMARY}"
    )


def test_an_earlier_attempt_s_failure_is_said_beside_its_rerun_unfinished_at_the_deadline() -> None:
    """Plan A failed and its rerun passed; Checkout failed and its rerun never ended: the
    sentence names Checkout's, the one that fails the step."""
    plan_a = make_run(id="a1", name="Plan A", status=Status.FAILED)
    plan_a_again = make_run(id="a2", name="Plan A", status=Status.PASSED, attempt=2)
    first = make_run(id="r1", name="Checkout", status=Status.FAILED)
    rerun = make_run(id="r2", name="Checkout", status=Status.RUNNING, attempt=2)
    outcome = make_outcome(plan_a_again, rerun, timed_out=True, attempts=(plan_a, first))
    assert said(outcome) == (
        "QA.tech: an earlier attempt of Checkout ended failed; 1 run(s) had not finished when "
        f"the timeout ran out (raise `timeout` or check the runs on the platform); {SUMMARY}"
    )


def test_the_failure_sentence_counts_tests_as_the_platform_reported_them() -> None:
    """A failed run that reports 5 tests, 1 failed, and lists none: 1 of 5 failed."""
    run = make_run(id="r1", status=Status.FAILED).updated(reported=Counts(total=5, failed=1))
    assert said(make_outcome(run)) == f"QA.tech: 1 failed of 5 tests; {SUMMARY}"
    # More failed than tests in all: the platform's counts disagree; no total is claimed.
    odd = run.updated(reported=Counts(total=2, failed=3))
    assert said(make_outcome(odd)) == f"QA.tech: 3 failed; {SUMMARY}"


@pytest.mark.parametrize(
    ("run", "decided"),
    [
        # No test ran: the run's own words say why.
        (
            {"status": Status.ERROR, "message": "the suite ran no test", "reported": Counts()},
            "run r1 ended error (the suite ran no test)",
        ),
        # No test listed but words of its own: said by itself, not also counted as a test.
        (
            {"status": Status.ERROR, "message": "the browser crashed"},
            "run r1 ended error (the browser crashed)",
        ),
        # One test failed, yet the run ended in error: its tests do not say why.
        (
            {
                "status": Status.ERROR,
                "message": "the browser crashed",
                "tests": (make_test(status=Status.FAILED), make_test(id="t2", name="b")),
            },
            "1 failed of 2 tests; run r1 ended error (the browser crashed)",
        ),
        # Every test passed, yet the run failed: the run decided.
        (
            {"status": Status.FAILED, "tests": (make_test(name="a"), make_test(id="t2", name="b"))},
            "run r1 ended failed",
        ),
        # Every test and the run passed; the platform's aggregate verdict failed.
        (
            {
                "status": Status.PASSED,
                "tests": (make_test(name="a"),),
                "platform_verdict": Status.FAILED,
                "platform_why": "/results says `failed`",
            },
            "the platform's verdict was failed (/results says `failed`)",
        ),
    ],
)
def test_where_no_test_failed_the_sentence_names_what_decided(
    run: dict[str, Any], decided: str
) -> None:
    outcome = make_outcome(make_run(id="r1", name="run r1", **run))
    assert said(outcome) == f"QA.tech: {decided}; {SUMMARY}"


def test_a_run_the_platform_timed_out_is_a_result_not_qaruns_timeout() -> None:
    """Every run finished, one with the platform's own `timeout`: raising qarun's would not help."""
    outcome = make_outcome(make_run(id="r1", status=Status.TIMEOUT))
    assert outcome.status is Status.TIMEOUT and not outcome.unfinished
    assert said(outcome) == f"QA.tech: 1 timed out of 1 test; {SUMMARY}"


def test_every_kind_of_reason_in_fail_on_is_said_not_only_the_tests() -> None:
    """A skipped test (fail-on holds `skipped`) does not hide a run that failed with its tests
    passed, nor failed tests a worse verdict of the platform's."""
    skipped = make_run(id="a", name="Plan A", tests=(make_test(name="x", status=Status.SKIPPED),))
    failed = make_run(id="b", name="Plan B", status=Status.FAILED, tests=(make_test(),))
    with_skipped = DEFAULT_FAIL_ON | {Status.SKIPPED}
    assert said(make_outcome(skipped, failed), with_skipped) == (
        f"QA.tech: 1 skipped of 2 tests; Plan B ended failed; {SUMMARY}"
    )
    aggregate = make_run(
        id="c",
        status=Status.FAILED,
        tests=(make_test(status=Status.FAILED),),
        platform_verdict=Status.ERROR,
        platform_why="the trigger says `error`",
    )
    assert said(make_outcome(aggregate)) == (
        "QA.tech: 1 failed of 1 test; the platform's verdict was error (the trigger says "
        f"`error`); {SUMMARY}"
    )


def test_the_sentence_quotes_a_run_s_words_on_one_line_and_cut_short() -> None:
    words = "line one\n::error::two " + "y" * 400
    name, device = "Check\nout " + "n" * 300, "mobile\n" + "d" * 300
    run = make_run(name=name, device=device, status=Status.ERROR, message=words)
    sentence = said(make_outcome(run.updated(tests=(make_test(),))))
    assert "\n" not in sentence and "(line one ::error::two yyy" in sentence
    assert "Check out nnn" in sentence and " on mobile ddd" in sentence
    assert len(sentence) < 420


def test_a_platform_verdict_is_said_where_worse_than_its_run_s_with_the_others_counted() -> None:
    failed = make_run(
        id="a",
        status=Status.FAILED,
        tests=(make_test(status=Status.FAILED),),
        platform_verdict=Status.SKIPPED,
    )
    with_skipped = DEFAULT_FAIL_ON | {Status.SKIPPED}
    assert said(make_outcome(failed), with_skipped) == f"QA.tech: 1 failed of 1 test; {SUMMARY}"
    passed = [
        make_run(id=name, tests=(make_test(),), platform_verdict=verdict, platform_why=name)
        for name, verdict in (("x", Status.CANCELED), ("y", Status.ERROR))
    ]
    assert said(make_outcome(*passed)) == (
        f"QA.tech: the platform's verdict was error (y), and 1 other verdict(s); {SUMMARY}"
    )

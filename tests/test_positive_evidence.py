"""The cases a security review of the verdict found, each over real HTTP against the fakes.

A pass needs positive evidence from every documented signal; what is known is kept; a fresh
run's 404 is "not there yet" (README, Statuses and exit codes; docs/failure-handling.md,
Answers qarun cannot read). Each test runs the step as the runner would (`main(env)`
in-process on the fakes' clock) and checks what a user checks: the exit code, the `status`
output, the counts and what the summary says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Serve
from tests.fakes import panto, qatech, qualigate
from tests.fakes.base import Recorded, Reply, RunScript, TestClock, TestScript
from tests.harness import ActionResult, run_in_process

TIMINGS = {"poll-interval": "0.5s", "timeout": "60s"}
ENDED = "2026-01-28T10:35:00Z"


def step(
    tmp_path: Path, fake: Any, provider: str, *, clock: TestClock | None = None, **inputs: str
) -> ActionResult:
    values = {"provider": provider, "api-key": fake.api_key, "api-url": fake.url, **TIMINGS}
    values.update({name.replace("_", "-"): value for name, value in inputs.items()})
    result = run_in_process(tmp_path, values, clock=clock)
    assert "Traceback" not in result.log, result.log
    assert "unexpected error" not in result.log, result.log
    return result


def outcome(result: ActionResult) -> tuple[int, str]:
    return result.exit_code, result.outputs["status"]


def report(result: ActionResult) -> Any:
    return json.loads(result.files["qa/report.json"])


def answer_with(
    fake: Any, when: Callable[[Recorded], object], answer: Callable[[Callable[[], Reply]], Reply]
) -> None:
    """Requests `when` picks get `answer(usual)`, where `usual()` is the fake's own answer;
    the rest as usual."""
    original = fake.route

    def route(request: Recorded) -> Reply:
        return answer(lambda: original(request)) if when(request) else original(request)

    fake.route = route


def on_details(
    fake: qatech.QatechFake,
    answer: Callable[[Callable[[], Reply]], Reply],
    run_id: str = "",
) -> None:
    """Requests for a run's test cases (?testCases=all; of `run_id` where given) get
    `answer(usual)`; the rest as usual."""
    answer_with(
        fake,
        lambda request: request.query.get("testCases") and request.path.endswith(run_id),
        answer,
    )


def rewrite(fake: Any, when: Callable[[Recorded], object], fields: dict[str, Any]) -> None:
    """The fake's own answers to requests `when` picks, with `fields` written over their body."""

    def written_over(usual: Callable[[], Reply]) -> Reply:
        reply = usual()
        if isinstance(reply.body, dict):
            reply.body.update(fields)
        return reply

    answer_with(fake, when, written_over)


# --- QA.tech ---------------------------------------------------------------------------------


def test_qatech_a_passed_run_with_a_failed_test_case_fails(serve: Serve, tmp_path: Path) -> None:
    cases = (TestScript("Login flow", "failed", "Could not find login button"), TestScript("Cart"))
    fake = serve(qatech.QatechFake({"pln_abc": RunScript(result="passed", tests=cases)}))
    result = step(tmp_path, fake, "qatech", suite="pln_abc")
    assert outcome(result) == (1, "failed"), result.log
    assert (result.outputs["failed"], result.outputs["total"]) == ("1", "2")
    assert "Could not find login button" in result.summary


def test_qatech_a_run_whose_test_cases_are_never_given_counts_its_test_count(
    serve: Serve, tmp_path: Path
) -> None:
    cases = tuple(TestScript(f"Case {n}") for n in range(5))
    fake = serve(qatech.QatechFake({"pln_abc": RunScript(tests=cases)}, status_cases="absent"))
    # Every read of the test cases (?testCases=all) fails: they are never given.
    on_details(fake, lambda usual: Reply(500, {"message": "boom"}))
    result = step(tmp_path, fake, "qatech", suite="pln_abc", report_file="qa/report.json")
    assert outcome(result) == (0, "passed"), result.log
    assert (result.outputs["total"], result.outputs["passed"]) == ("5", "5")
    assert "could not read its test cases" in report(result)["runs"][0]["message"]


def test_qatech_a_failing_rerun_request_keeps_the_failed_verdict(
    serve: Serve, tmp_path: Path
) -> None:
    cases = (TestScript("Login flow", "failed", "Could not find login button"), TestScript("Cart"))
    fake = serve(qatech.QatechFake({"pln_abc": RunScript(result="failed", tests=cases)}))
    fake.inject("POST /v1/run/r00001", Reply(500, {"message": "internal"}))
    result = step(tmp_path, fake, "qatech", suite="pln_abc", rerun_failed="2", fail_on="none")
    # fail-on none: the failure is reported, the step passes; the known verdict stands.
    assert outcome(result) == (0, "failed"), result.log
    assert "::warning::" in result.log
    assert "last attempt's result stands" in result.summary


def test_qatech_a_rerun_with_no_time_left_is_not_sent(serve: Serve, tmp_path: Path) -> None:
    clock = TestClock()
    deadline = clock() + 10.0
    fake = serve(qatech.QatechFake({"pln_abc": RunScript(result="failed", duration=5.0)}))

    def slow(usual: Callable[[], Reply]) -> Reply:
        # The details answer arrives 0.3 s before the deadline (on the step's clock).
        clock.advance(deadline - 0.3 - clock())
        return usual()

    on_details(fake, slow)
    result = step(
        tmp_path, fake, "qatech", clock=clock, suite="pln_abc", rerun_failed="1", timeout="10s"
    )
    assert outcome(result) == (1, "failed"), result.log
    assert fake.requests_to("POST", "/v1/run/") == []
    assert "nothing was sent" in result.summary


def test_qatech_a_rerun_is_timed_and_scheduled_from_its_own_trigger(
    serve: Serve, tmp_path: Path
) -> None:
    first = RunScript(result="failed", duration=40.0, tests=(TestScript("Login", "failed"),))
    again = RunScript(result="passed", duration=3.0, queued_for=0.1)
    fake = serve(qatech.QatechFake({"pln_abc": first}, reruns=[again]))
    result = step(
        tmp_path, fake, "qatech", suite="pln_abc", rerun_failed="1", report_file="qa/report.json"
    )
    assert outcome(result) == (0, "passed"), result.log
    (rerun,) = report(result)["runs"]
    # QA.tech reports no times: the rerun's duration is from its own trigger, not the first.
    assert rerun["duration"] < 10, rerun
    (posted,) = fake.requests_to("POST", "/v1/run/")
    checks = [r.at - posted.at for r in fake.requests_to("GET", "/v1/run/r00002")]
    # A young run is checked often (every 2 s at first), not at the pace of a 40 s old one.
    assert checks and checks[0] <= 2.5, checks


# --- Qualigate -------------------------------------------------------------------------------


def suite_answer(**fields: Any) -> dict[str, Any]:
    answer = {"id": "s", "status": "completed", "completed_at": ENDED, "started_at": ENDED}
    answer.update(fields)
    return {key: value for key, value in answer.items() if value is not None}


def to_trigger(request: Recorded) -> bool:
    return request.method == "POST"


def to_results(request: Recorded) -> bool:
    return request.path == qualigate.RESULTS


def qualigate_project(
    serve: Serve, tmp_path: Path, when: Callable[[Recorded], bool], fields: dict[str, Any]
) -> ActionResult:
    """A project of two test cases that pass, with `fields` written over the answers `when`
    picks."""
    fake = serve(qualigate.QualigateFake([RunScript("Login"), RunScript("Cart")]))
    rewrite(fake, when, fields)
    return step(tmp_path, fake, "qualigate", project=qualigate.PROJECT_ID)


def qualigate_suite(serve: Serve, *replies: Reply, results: Sequence[Reply] = ()) -> Any:
    fake = serve(qualigate.QualigateFake([RunScript("Login"), RunScript("Cart")]))
    fake.inject(f"GET {qualigate.TRIGGER}", *replies)
    fake.inject(f"GET {qualigate.RESULTS}", *results)
    return fake


def test_qualigate_a_suite_that_ran_no_test_is_not_a_pass(serve: Serve, tmp_path: Path) -> None:
    empty = suite_answer(total_tests=0, passed_tests=0, failed_tests=0)
    fake = qualigate_suite(serve, Reply(200, empty))
    result = step(tmp_path, fake, "qualigate", suite=qualigate.SUITE_ID)
    assert outcome(result) == (1, "error"), result.log
    assert "ran no test" in result.summary


def test_qualigate_a_results_status_other_than_passed_is_not_a_pass(
    serve: Serve, tmp_path: Path
) -> None:
    passed = suite_answer(total_tests=2, passed_tests=2, failed_tests=0)
    rows = [
        {"test_run_id": "a", "test_case_name": "Login", "status": "passed"},
        {"test_run_id": "b", "test_case_name": "Cart", "status": "passed"},
    ]
    odd = {"total_tests": 2, "passed_tests": 2, "failed_tests": 0, "status": "partially_passed"}
    fake = qualigate_suite(
        serve, Reply(200, passed), results=[Reply(200, {**odd, "results": rows})]
    )
    result = step(tmp_path, fake, "qualigate", suite=qualigate.SUITE_ID)
    assert outcome(result) == (1, "error"), result.log
    assert "partially_passed" in result.summary


def test_qualigate_a_suite_without_passed_tests_does_not_pass_when_results_cannot_be_read(
    serve: Serve, tmp_path: Path
) -> None:
    counts = suite_answer(total_tests=2, failed_tests=0)
    failing = [Reply(500, {"error": "Internal Server Error", "message": "boom"})] * 8
    fake = qualigate_suite(serve, Reply(200, counts), results=failing)
    result = step(
        tmp_path,
        fake,
        "qualigate",
        suite=qualigate.SUITE_ID,
        timeout="20s",
        report_file="qa/report.json",
    )
    assert outcome(result) == (1, "error"), result.log
    assert "`passed_tests`" in report(result)["runs"][0]["message"]


def test_qualigate_the_triggers_test_count_must_match_the_suites_total(
    serve: Serve, tmp_path: Path
) -> None:
    # The trigger queued 2 tests (the fake's two scripts); the suite counts 1, passed.
    fewer = suite_answer(total_tests=1, passed_tests=1, failed_tests=0)
    fake = qualigate_suite(serve, Reply(200, fewer))
    result = step(
        tmp_path, fake, "qualigate", suite=qualigate.SUITE_ID, report_file="qa/report.json"
    )
    assert outcome(result) == (1, "error"), result.log
    assert "`test_count`" in report(result)["runs"][0]["message"]


def test_qualigate_a_400_digit_duration_is_left_out_not_a_crash(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(qualigate.QualigateFake([RunScript("Login")]))
    huge = {
        "id": "x",
        "status": "passed",
        "completed_at": ENDED,
        "duration_ms": 10**400,
        "steps_completed": 12,
        "steps_total": 12,
        "error_message": None,
    }
    fake.inject(f"GET {qualigate.TRIGGER}", Reply(200, huge))
    result = step(
        tmp_path, fake, "qualigate", test_case=qualigate.TEST_CASE_ID, report_file="qa/report.json"
    )
    assert outcome(result) == (0, "passed"), result.log
    # The platform's value is left out; the duration is the one qarun saw, trigger to end.
    assert report(result)["runs"][0]["duration"] < 60


# --- Panto -----------------------------------------------------------------------------------


def test_panto_a_404_right_after_the_trigger_means_not_there_yet(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(panto.scenario("passed"))
    missing = Reply(404, {"detail": "Test run not found"})
    fake.inject(f"GET {panto.RUN_PREFIX}", missing, missing)
    result = step(tmp_path, fake, "panto", **panto.SCENARIO_INPUTS)
    assert outcome(result) == (0, "passed"), result.log
    assert len(fake.requests_to("GET", panto.RUN_PREFIX)) >= 3, "both 404s were served"


def test_panto_unknown_words_under_partially_passed_fail_with_fail_on_failed(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(panto.scenario("mixed", words="completed"))
    result = step(tmp_path, fake, "panto", fail_on="failed", **panto.SCENARIO_INPUTS)
    assert outcome(result) == (1, "failed"), result.log
    # No run is shown as an error: the one with a remark shows it, none is claimed passed.
    assert result.outputs["passed"] == "0"
    assert "Cart empty" in result.summary
    assert "💥" not in result.summary


# --- what the hostile review found ----------------------------------------------------------


def test_qualigate_a_trigger_answer_that_says_passed_ends_nothing(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(qualigate.QualigateFake([RunScript("Login", "failed", message="Not found")]))
    rewrite(fake, to_trigger, {"status": "passed"})  # the trigger's own word: it ends nothing
    result = step(tmp_path, fake, "qualigate", test_case=qualigate.TEST_CASE_ID)
    assert outcome(result) == (1, "failed"), result.log
    assert fake.requests_to("GET", qualigate.TRIGGER)


@pytest.mark.parametrize(
    ("status", "ended"),
    [
        ("failed", "failed"),  # the aggregate disagrees with the rows
        ("running", "error"),  # every row ended, the aggregate never did
    ],
)
def test_qualigate_a_projects_results_status_caps_its_rows(
    serve: Serve, tmp_path: Path, status: str, ended: str
) -> None:
    result = qualigate_project(serve, tmp_path, to_results, {"status": status})
    assert outcome(result) == (1, ended), result.log


def partially_rerun(serve: Serve) -> qatech.QatechFake:
    """A plan whose Login and Cart failed; its rerun reran Login alone, and it passed."""
    cases = (TestScript("Login", "failed"), TestScript("Cart", "failed"), TestScript("Search"))
    again = RunScript(result="passed", tests=(TestScript("Login"),))
    return serve(
        qatech.QatechFake({"pln_abc": RunScript(result="failed", tests=cases)}, reruns=[again])
    )


def test_qatech_a_partial_rerun_keeps_the_failure_it_did_not_rerun(
    serve: Serve, tmp_path: Path
) -> None:
    fake = partially_rerun(serve)  # Cart's failure stands
    result = step(tmp_path, fake, "qatech", suite="pln_abc", rerun_failed="1")
    assert outcome(result) == (1, "failed"), result.log
    assert result.outputs["failed"] == "1"


def test_qatech_a_failed_test_in_a_run_that_ended_in_error_fails_fail_on_failed(
    serve: Serve, tmp_path: Path
) -> None:
    cases = (TestScript("Login", "failed", "Not found"), TestScript("Cart"))
    fake = serve(qatech.QatechFake({"pln_abc": RunScript(result="error", tests=cases)}))
    result = step(tmp_path, fake, "qatech", suite="pln_abc", fail_on="failed")
    assert outcome(result) == (1, "error"), result.log


def test_an_answer_nested_past_pythons_limit_is_no_crash(serve: Serve, tmp_path: Path) -> None:
    fake = serve(qatech.QatechFake({"pln_abc": RunScript()}))
    deep = b"[" * 100_000 + b"]" * 100_000
    fake.inject("GET /v1/run/", Reply(200, raw=deep), Reply(500, raw=deep))
    result = step(tmp_path, fake, "qatech", suite="pln_abc")
    assert outcome(result) == (0, "passed"), result.log


# --- what the second review found -----------------------------------------------------------


def test_qatech_one_runs_failure_is_kept_when_anothers_details_fail(
    serve: Serve, tmp_path: Path
) -> None:
    failing_case = (TestScript("Login", "failed", "Not found"), TestScript("Cart"))
    plans = {
        "pln_abc": RunScript(result="passed", tests=failing_case),
        "pln_def": RunScript(result="passed", tests=(TestScript("Search"),)),
    }
    fake = serve(qatech.QatechFake(plans))
    # The second run's details cannot be had; the first run's show a failed case.
    on_details(fake, lambda usual: Reply(500, {"message": "boom"}), run_id="r00002")
    result = step(tmp_path, fake, "qatech", suite="pln_abc, pln_def", timeout="20s")
    assert outcome(result) == (1, "failed"), result.log


def test_qualigate_a_project_trigger_whose_count_disagrees_does_not_pass(
    serve: Serve, tmp_path: Path
) -> None:
    result = qualigate_project(serve, tmp_path, to_trigger, {"test_count": 3})  # two runs named
    assert outcome(result) == (1, "error"), result.log
    assert "test_count" in result.summary


def test_qatech_a_partial_rerun_whose_cases_cannot_be_read_does_not_pass(
    serve: Serve, tmp_path: Path
) -> None:
    fake = partially_rerun(serve)
    on_details(fake, lambda usual: Reply(500, {"message": "boom"}), run_id="r00002")
    result = step(tmp_path, fake, "qatech", suite="pln_abc", rerun_failed="1", timeout="20s")
    assert result.exit_code == 1 and result.outputs["status"] != "passed", result.log

"""Properties over everything a platform or a user may send (Hypothesis).

Generated platform answers (any JSON shape and value, status words going backwards, huge or
non-finite numbers, odd dates, cut or garbled bodies, any HTTP code), the fakes' own documented
answers with some fields overwritten by such values, and generated inputs run through
`main(env)` against the fakes, and whatever comes:
- the exit code is 0, 1, 2 or 3, and `status` is a word of the README's (Statuses and exit
  codes);
- none of them is a crash: no run ends "qarun stopped on an unexpected error" (exit 1) or
  shows the traceback group a bug of ours prints, whatever the platform answered;
- the outputs, the summary and the JSON report are written, and the report is valid JSON;
- no traceback shows outside the collapsed group a bug of ours prints;
- the key appears nowhere qarun writes, in any form;
- the step ends by `timeout` + 5 s.

The CI profile (tests/conftest.py) is derandomized with a fixed number of examples.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.contract import QUALIGATE_PROJECT, ProviderCase
from tests.fakes import qualigate
from tests.fakes.base import FakePlatform, Recorded, Reply
from tests.harness import ActionResult, run_in_process
from tests.platforms import PLATFORMS
from tests.robustness import poll_route

KEY = "qa_prop_Key+/=7f3a9c"
SPEC_WORDS = {"passed", "failed", "error", "timeout", "canceled", "skipped", "triggered"}
TIMEOUT = 2.0

# What a careless or hostile platform may put in any field: the key in the forms a client
# would echo, words of every platform, and values that do not fit.
ECHOES = [KEY, json.dumps(KEY), base64.b64encode(f"{KEY}:".encode()).decode(), f"Bearer {KEY}"]
WORDS = [
    "in_process", "passed", "failed", "partially_passed", "completed", "COMPLETED", "RUNNING",
    "ERROR", "CANCELLED", "pending", "running", "error", "timeout", "canceled", "PASSED",
    "FAILED", "SKIPPED", "success", "failure", "",
]  # fmt: skip
ODD = st.sampled_from(
    [
        float("inf"), float("-inf"), float("nan"), 10**400, -1, 1e308, 0,
        "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-02-30T25:61:00Z",
        "not a date", None, True, [], {},
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(WORDS + ECHOES),
    ODD,
)
FIELDS = [
    "status", "result", "runner_status", "runner_end_timestamp", "test_runs", "runTestCases",
    "total_tests", "passed_tests", "failed_tests", "duration_ms", "started_at", "completed_at",
    "results", "message", "detail", "error", "id", "test_run_id", "name", "test_run_name",
    "remark", "error_message", "steps_completed", "steps_total", "retry_after", "testCount",
    "test_count",
]  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), inner, max_size=6)
    ),
    max_leaves=20,
)


@st.composite
def answers(draw: st.DrawFn) -> Reply:
    """One answer to a status check: any status code, any JSON, or a body cut short."""
    code = draw(st.sampled_from([200, 200, 200, 400, 401, 403, 404, 429, 500, 503]))
    if draw(st.integers(0, 9)) == 0:
        raw = draw(st.sampled_from([b"", b'{"status": "pass', b"<html>oops</html>", b"\xff\xfe"]))
        return Reply(code, raw=raw)
    body: Any = draw(JSON)
    headers = (
        {"Retry-After": draw(st.sampled_from(["0", "1", "-5", "soon"]))} if code == 429 else {}
    )
    return Reply(code, body, headers=headers)


def run(
    case: ProviderCase,
    serve: Any,
    tmp_path: Path,
    replies: list[Reply],
    *,
    tamper: Callable[[FakePlatform], None] | None = None,
    timeout: float = TIMEOUT,
    inputs: Mapping[str, str] | None = None,
) -> ActionResult:
    inputs = inputs or {}
    fake = case.scenario("passed", duration=0.3)
    fake.api_key = KEY
    serve(fake)
    fake.inject(poll_route(case), *replies)
    if tamper is not None:
        tamper(fake)
    timings = {"timeout": f"{timeout:g}s", "poll_interval": "0.1s"}
    given_inputs = case.step_inputs(fake, **{**timings, **inputs, "report_file": "qa/report.json"})
    result = run_in_process(tmp_path, given_inputs)
    if "timeout" not in inputs:
        # The bound on the whole step ("the `timeout` covers everything",
        # docs/failure-handling.md), on the clock qarun reads: the deadline (the 5 s to report
        # are for a cancel and for GitHub, neither of which is here).
        assert result.took_on_test_clock <= timeout, result.log
    return result


# What qarun prints for a bug of its own (src/qarun/main.py, report/write.py, console.py): an
# answer a platform could send is never one.
BUG_SIGNS = (
    "qarun stopped on an unexpected error",
    "qarun could not write",
    "Traceback of the error above",
)


def check_always(result: ActionResult) -> None:
    assert result.exit_code in (0, 1, 2, 3), result.log
    for sign in BUG_SIGNS:
        assert sign not in result.log, f"a crash ({sign!r}), not a verdict:\n{result.log}"
    assert result.outputs.get("status") in SPEC_WORDS, result.outputs
    assert result.summary.strip(), "no summary"

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON report")

    json.loads(result.files["qa/report.json"], parse_constant=refuse)
    written = result.everything_written()
    for form in (KEY, *ECHOES[1:], base64.b64encode(KEY.encode()).decode()):
        assert form not in written, f"the key, as {form!r}, was written"
    outside_groups = []
    inside = False
    for line in result.log.splitlines():
        inside = (inside or line.startswith("::group::")) and not line.startswith("::endgroup::")
        if not inside:
            outside_groups.append(line)
    assert not any("Traceback" in line for line in outside_groups), result.log


@pytest.mark.parametrize("name", list(PLATFORMS))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replies=st.lists(answers(), min_size=1, max_size=4))
def test_any_answers_to_the_status_checks(
    name: str, replies: list[Reply], serve: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run(PLATFORMS[name], serve, tmp_path_factory.mktemp(name), replies)
    check_always(result)


# Every platform's documented answers (the fakes answer as the documents show), the ones a
# Qualigate test case and project trigger bring too.
DOCUMENTED = {
    **PLATFORMS,
    "qualigate test case": replace(
        PLATFORMS["qualigate"], inputs={"test-case": qualigate.TEST_CASE_ID}
    ),
    "qualigate project": QUALIGATE_PROJECT,
}
# The numeric fields of the documented shapes, and the values that do not fit in them: a
# 400-digit integer is valid JSON and has no float (an OverflowError once), the others are
# negative, not finite, or not numbers at all.
NUMERIC = ["duration_ms", "total_tests", "passed_tests", "failed_tests", "steps_completed",
           "steps_total", "test_count", "testCount", "retry_after"]  # fmt: skip
HUGE = 10**400
UNFIT = st.sampled_from([HUGE, -HUGE, 1e308, -1, float("inf"), float("nan"), True, "12", None])
# Any documented field, numeric or not, and anything a platform may put there.
OTHER_FIELDS = ["runner_start_timestamp", "created_at", "target_device_list", "trigger_id",
                "test_run_ids", "shortId"]  # fmt: skip
DOCUMENTED_FIELDS = sorted({*FIELDS, *NUMERIC, *OTHER_FIELDS})
OVERWRITES = st.one_of(
    st.dictionaries(st.sampled_from(NUMERIC), UNFIT, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(DOCUMENTED_FIELDS), ODD | SCALARS, min_size=1, max_size=3),
)


def overwritten(fields: Mapping[str, Any]) -> Callable[[FakePlatform], None]:
    """Makes the fake answer as its documents show, but with each of `fields`, wherever its
    answers have one (the runs of a listing, the rows of /results, a start answer's `run`),
    set to the value given."""

    def tamper(fake: FakePlatform) -> None:
        route = fake.route

        def answer(request: Recorded) -> Reply:
            reply = route(request)
            if reply.status < 300 and reply.raw is None:
                reply.body = _overwrite(reply.body, fields)
            return reply

        fake.route = answer  # type: ignore[method-assign]

    return tamper


def _overwrite(body: Any, fields: Mapping[str, Any]) -> Any:
    if isinstance(body, list):
        return [_overwrite(item, fields) for item in body]
    if not isinstance(body, dict):
        return body
    return {
        key: fields[key] if key in fields else _overwrite(value, fields)
        for key, value in body.items()
    }


@pytest.mark.parametrize("name", list(DOCUMENTED))
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=OVERWRITES)
# The field that once crashed qarun, in every run of this test whatever the profile draws.
@example(fields={"duration_ms": HUGE})
@example(fields={"duration_ms": -HUGE, "total_tests": HUGE, "steps_total": HUGE})
def test_documented_answers_with_odd_fields(
    name: str,
    fields: dict[str, Any],
    serve: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp(name.replace(" ", "-"))
    # Time for the runs (0.3 s) and their details (DETAIL_TRIES reads a second apart) before
    # the timeout: test_a_details_pause_never_outlasts_the_timeout holds what happens nearer.
    result = run(DOCUMENTED[name], serve, tmp, [], tamper=overwritten(fields), timeout=4.0)
    check_always(result)


def test_a_details_pause_never_outlasts_the_timeout(
    serve: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # "The `timeout` covers everything" (docs/failure-handling.md): the test run ends at 0.3 s
    # with a word Qualigate does not document, which its /results row shows too: a row
    # "behind" the answer, read again a second apart (DETAIL_PAUSE) from 0.3 s, a pause that
    # would end past the 2 s timeout.
    tmp = tmp_path_factory.mktemp("pause")
    tamper = overwritten({"status": "archived"})
    result = run(DOCUMENTED["qualigate test case"], serve, tmp, [], tamper=tamper, timeout=2.0)
    check_always(result)


# Timing inputs stay out: a generated `poll-interval: 1h` would only make the run slow.
INPUT_NAMES = ["fail-on", "devices", "tags", "suite", "test-case", "payload", "rerun-failed",
               "output-filter", "report-file", "junit-file", "wait", "browser"]  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    inputs=st.dictionaries(
        st.sampled_from(INPUT_NAMES),
        st.one_of(
            st.text(max_size=30), st.sampled_from(["0", "-1", "1e999", "- a: b", "{}", "[]"])
        ),
        max_size=4,
    )
)
def test_any_inputs(
    inputs: dict[str, str], serve: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    given_inputs = {name.replace("-", "_"): value for name, value in inputs.items()}
    given_inputs.pop("report_file", None)  # the report is always asked for, where run() says
    tmp = tmp_path_factory.mktemp("inputs")
    result = run(PLATFORMS["qualigate"], serve, tmp, [], inputs=given_inputs)
    check_always(result)


def test_a_path_holding_a_nul_is_no_bug(
    serve: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Found by test_any_inputs: a path input holding a NUL was written as given, and its
    # ValueError reported as a bug of ours.
    tmp = tmp_path_factory.mktemp("nul")
    result = run(PLATFORMS["qualigate"], serve, tmp, [], inputs={"junit_file": "qa/a\x00b.xml"})
    check_always(result)

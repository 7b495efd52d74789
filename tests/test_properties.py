"""Properties over everything a platform or a user may send (Hypothesis).

Generated platform answers (any JSON shape and value, status words going backwards, huge or
non-finite numbers, odd dates, cut or garbled bodies, any HTTP code) and generated inputs
run through `main(env)` against the fakes, and whatever comes:
- the exit code is 0, 1, 2 or 3, and `status` is a word of SPEC.md;
- the outputs, the summary and the JSON report are written, and the report is valid JSON;
- no traceback shows outside the collapsed group a bug of ours prints;
- the key appears nowhere qarun writes, in any form;
- the step ends by `timeout` + 5 s.

The CI profile (tests/conftest.py) is derandomized with a fixed number of examples.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract import CASES, ProviderCase
from tests.fakes.base import Reply
from tests.harness import ActionResult, run_in_process
from tests.robustness import poll_route

KEY = "qa_prop_Key+/=7f3a9c"
SPEC_WORDS = {"passed", "failed", "error", "timeout", "canceled", "skipped", "triggered"}
TIMEOUT = 2.0
BY_NAME = {case.name: case for case in CASES}

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
    "remark", "error_message", "steps_completed", "steps_total",
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
    case: ProviderCase, serve: Any, tmp_path: Path, replies: list[Reply], **inputs: str
) -> ActionResult:
    fake = case.scenario("passed", duration=0.3)
    fake.api_key = KEY
    serve(fake)
    fake.inject(poll_route(case), *replies)
    timings = {"timeout": f"{TIMEOUT:g}s", "poll_interval": "0.1s"}
    given_inputs = case.step_inputs(fake, **{**timings, **inputs, "report_file": "qa/report.json"})
    result = run_in_process(tmp_path, given_inputs)
    if "timeout" not in inputs:
        # The SPEC's bound on the whole step, on the clock qarun reads: the deadline (the
        # 5 s to report are for a cancel and for GitHub, neither of which is here).
        assert result.took_on_test_clock <= TIMEOUT, result.log
    return result


def check_always(result: ActionResult) -> None:
    assert result.exit_code in (0, 1, 2, 3), result.log
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


@pytest.mark.parametrize("name", list(BY_NAME))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replies=st.lists(answers(), min_size=1, max_size=4))
def test_any_answers_to_the_status_checks(
    name: str, replies: list[Reply], serve: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run(BY_NAME[name], serve, tmp_path_factory.mktemp(name), replies)
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
    result = run(BY_NAME["qualigate"], serve, tmp_path_factory.mktemp("inputs"), [], **given_inputs)
    check_always(result)

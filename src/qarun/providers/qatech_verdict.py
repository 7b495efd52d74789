"""QA.tech's verdict on a run: every signal its answers carry, and the one rule.

Pure: it reads the answer to GET /run/{shortId} (with `runTestCases` where they were
asked for) and what the start answer said (`testCount`), and returns the run's status
and the sentence naming the signal that decided it. The words are QA.tech's
(https://docs.qa.tech/api-reference/run-status): `status` INITIATED and RUNNING
before the end, COMPLETED, ERROR and CANCELLED after it; `result` PASSED, FAILED or
SKIPPED, set only with COMPLETED. docs/verdicts.md (README, Platform notes) has
these rules as a table, and tests/test_verdict_table.py holds this module to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qarun.model import Status
from qarun.verdict import Evidence, Judgment, decide, quoted

_UNFINISHED = {"INITIATED": Status.QUEUED, "RUNNING": Status.RUNNING}
_ENDED = {"ERROR": Status.ERROR, "CANCELLED": Status.CANCELED}
_RESULTS = {"PASSED": Status.PASSED, "FAILED": Status.FAILED, "SKIPPED": Status.SKIPPED}
COMPLETED = "COMPLETED"
# Answers that may show a run COMPLETED with no result yet before it counts as an error: the
# documents set `result` together with COMPLETED, so a null there may be a moment's lag.
LATE_RESULT_POLLS = 3


def word(value: Any) -> str | None:
    """A status or result word in QA.tech's case, or None when there is none."""
    return value.upper() if isinstance(value, str) and value else None


def judge_run(
    answer: Mapping[str, Any], *, test_count: int | None = None, late_polls: int = 0
) -> Judgment:
    """The run's status from its answer. `test_count`: the start answer's `testCount`;
    `late_polls`: how many earlier answers showed it COMPLETED with no result."""
    status, result = word(answer.get("status")), answer.get("result")
    said = f"`status` {quoted(answer.get('status'))}, `result` {quoted(result)}"
    if status in _UNFINISHED:
        return Judgment(_UNFINISHED[status], f"QA.tech: {said}.")
    if status not in _ENDED and status != COMPLETED and result is None:
        # A word QA.tech does not document, and no result: nothing says the run ended.
        return Judgment(Status.RUNNING, f"QA.tech: {said}; the run has not ended.")
    if status == COMPLETED and result is None and late_polls < LATE_RESULT_POLLS:
        return Judgment(Status.RUNNING, f"QA.tech: {said}; its result is not written yet.")
    evidence = _run_evidence(status, result, said)
    cases = _cases(answer)
    evidence += [_case_evidence(case, index) for index, case in enumerate(cases)]
    if cases and test_count is not None and len(cases) < test_count:
        evidence.append(
            Evidence(
                None,
                f"QA.tech started the run with {test_count} test case(s) (`testCount`) and "
                f"shows {len(cases)} of them.",
            )
        )
    return decide(evidence)


def judge_case(case: Mapping[str, Any]) -> Status:
    """A test case's own status, as the report shows it; unfinished ones stay unfinished."""
    status, result = word(case.get("status")), word(case.get("result"))
    if status in _UNFINISHED:
        return _UNFINISHED[status]
    if status in _ENDED:
        return _ENDED[status]
    if result in _RESULTS and status in (COMPLETED, None):
        return _RESULTS[result]
    return Status.ERROR if status == COMPLETED or result is not None else Status.RUNNING


def _run_evidence(status: str | None, result: Any, said: str) -> list[Evidence]:
    """What the run's own words say: ERROR and CANCELLED end it so; COMPLETED with a result
    says that result. A word QA.tech does not document is no pass, and a result beside it
    still counts (a FAILED result fails the run whatever its status word)."""
    if status in _ENDED:
        return [Evidence(_ENDED[status], f"QA.tech: {said}.")]
    outcome = _RESULTS.get(word(result) or "")
    if status == COMPLETED and outcome is not None:
        return [Evidence(outcome, f"QA.tech: {said}.")]
    if status == COMPLETED and result is None:
        return [Evidence(None, f"QA.tech marked the run COMPLETED with no result ({said}).")]
    evidence = [Evidence(None, f"QA.tech gave words it does not document ({said}).")]
    if outcome is not None:
        evidence.append(Evidence(outcome, f"QA.tech: {said}."))
    return evidence


def _case_evidence(case: Mapping[str, Any], index: int) -> Evidence:
    name = case.get("name") if isinstance(case.get("name"), str) else None
    label = f"test case {name!r}" if name else f"test case {index + 1}"
    said = f"`status` {quoted(case.get('status'))}, `result` {quoted(case.get('result'))}"
    status = judge_case(case)
    if status is Status.ERROR and word(case.get("status")) not in _ENDED:
        return Evidence(None, f"QA.tech's {label} has words it does not document ({said}).")
    if not status.finished:
        return Evidence(None, f"QA.tech's {label} has not ended ({said}) in a run that has.")
    return Evidence(status, f"QA.tech's {label}: {said}.")


def _cases(answer: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """`runTestCases` where given; missing or not a list means none were given."""
    cases = answer.get("runTestCases")
    if not isinstance(cases, list):
        return ()
    return [case if isinstance(case, Mapping) else {} for case in cases]

"""QA.tech's verdict on a run: every signal its answers carry, and the one rule.

Pure: it reads the answer to GET /run/{shortId} (with `runTestCases` where they were
asked for) and what the start answer said (`testCount`), and returns the run's status
and the sentence naming the signal that decided it. The words are QA.tech's
(https://docs.qa.tech/api-reference/run-status): `status` INITIATED and RUNNING
before the end, COMPLETED, ERROR and CANCELLED after it; `result` PASSED, FAILED or
SKIPPED, set only with COMPLETED. docs/verdicts.md has
these rules as a table, and tests/test_verdict_table.py holds this module to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qarun.model import Status
from qarun.verdict import Evidence, Judgment, decide, quoted, worst

_UNFINISHED = {"INITIATED": Status.QUEUED, "RUNNING": Status.RUNNING}
_ENDED = {"ERROR": Status.ERROR, "CANCELLED": Status.CANCELED}
_RESULTS = {"PASSED": Status.PASSED, "FAILED": Status.FAILED, "SKIPPED": Status.SKIPPED}
COMPLETED = "COMPLETED"
# Answers that may show a run COMPLETED with no result yet before it counts as an error: the
# documents set `result` together with COMPLETED, so a null there may be a moment's lag.
LATE_RESULT_POLLS = 3


def word(value: Any) -> str | None:
    """A status or result word in QA.tech's case; None for JSON's null or no field; a value
    that is no string is no word QA.tech documents (`<int>`, `<bool>`, …)."""
    if value is None:
        return None
    return value.upper() if isinstance(value, str) else f"<{type(value).__name__}>"


def judge_run(
    answer: Mapping[str, Any],
    *,
    test_count: int | None = None,
    late_polls: int = 0,
    cases_asked: bool = False,
    failed_before: Mapping[str, Any] | None = None,
) -> Judgment:
    """The run's status from its answer. `test_count`: the start answer's `testCount`;
    `late_polls`: how many earlier answers showed it COMPLETED with no result;
    `cases_asked`: the answer is to `?testCases=all`, so its test cases must be there;
    `failed_before`: a test case an earlier answer showed failed (`failed_case`), which
    counts whatever later answers show: what is known is kept."""
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
    evidence += _count_evidence(len(cases), test_count, cases_asked)
    if failed_before is not None:
        evidence.append(_case_evidence(failed_before, 0))
    return decide(evidence)


def _count_evidence(shown: int, test_count: int | None, cases_asked: bool) -> list[Evidence]:
    """The test cases shown against the start answer's `testCount`: a run of no test case,
    or cases that do not add up to the count, is no pass."""
    started = f"QA.tech started the run with {test_count} test case(s) (`testCount`)"
    if test_count == 0:
        return [Evidence(None, f"{started}: it ran no test.")]
    if shown == 0 and cases_asked:
        return [Evidence(None, "QA.tech shows no test case where all were asked for.")]
    if test_count is None or shown == 0:
        return []  # not asked for, the cases may be left out (the documents say both)
    if shown != test_count:
        return [Evidence(None, f"{started} and shows {shown}.")]
    return []


def judge_case(case: Mapping[str, Any]) -> Status:
    """A test case's own status, as the report shows it; unfinished ones stay unfinished."""
    status, result = word(case.get("status")), word(case.get("result"))
    if result == "FAILED" and status not in _ENDED:
        return Status.FAILED  # whatever its status word says, the case failed
    if status in _UNFINISHED:
        return _UNFINISHED[status]
    if status in _ENDED:
        # Ended so, and a FAILED result beside it: the worse of the two.
        return worst([_ENDED[status], Status.FAILED if result == "FAILED" else _ENDED[status]])
    if status == COMPLETED and result in _RESULTS:
        return _RESULTS[result]
    return Status.RUNNING if status is None and result is None else Status.ERROR


def _run_evidence(status: str | None, result: Any, said: str) -> list[Evidence]:
    """What the run's own words say: ERROR and CANCELLED end it so; COMPLETED with a result
    says that result. A word QA.tech does not document is no pass, and a result beside it
    still counts (a FAILED result fails the run whatever its status word)."""
    if status in _ENDED:
        evidence = [Evidence(_ENDED[status], f"QA.tech: {said}.")]
        if word(result) == "FAILED":
            evidence.append(Evidence(Status.FAILED, f"QA.tech: {said}."))
        return evidence
    outcome = _RESULTS.get(word(result) or "")
    if status == COMPLETED and outcome is not None:
        return [Evidence(outcome, f"QA.tech: {said}.")]
    if status == COMPLETED and result is None:
        return [Evidence(None, f"QA.tech marked the run COMPLETED with no result ({said}).")]
    evidence = [Evidence(None, f"QA.tech gave words it does not document ({said}).")]
    if outcome is not None:
        evidence.append(Evidence(outcome, f"QA.tech: {said}."))
    return evidence


def still_going_after_its_end(
    judgment: Judgment, failed_before: Mapping[str, Any] | None
) -> Judgment:
    """A run's details that still show it going after its status showed it ended."""
    evidence = [Evidence(None, f"{judgment.why} Its status had shown it ended: they disagree.")]
    if failed_before is not None:
        evidence.append(_case_evidence(failed_before, 0))
    return decide(evidence)


def failed_case(answer: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The answer's first test case that failed or ended in error; None if none did."""
    for case in _cases(answer):
        if judge_case(case) in (Status.FAILED, Status.ERROR):
            return case
    return None


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

"""Qualigate's verdict on a test run and on a suite run: every signal its answers carry,
and the one rule (a pass needs every signal to say pass).

Pure: it reads the answers qarun has (GET /api/v1/trigger for a test run or a suite run,
the test run's row and the whole answer of GET /api/v1/results, the trigger's
`test_count`) and returns the status and the sentence naming the signal that decided it.
The words are Qualigate's (Status Values in https://qualigate.app/docs/api-reference):
`pending` and `running` before the end; `passed`, `failed`, `error`, `timeout` and
`canceled` after it; a suite's example ends `completed`, its outcome in its counts.
docs/verdicts.md has these rules as a table, and
tests/test_verdict_table.py holds this module to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qarun.model import Status
from qarun.providers.base import int_field, text_field
from qarun.verdict import Evidence, Judgment, decide, quoted

STATUSES: dict[str, Status] = {
    "pending": Status.QUEUED,
    "running": Status.RUNNING,
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "error": Status.ERROR,
    "timeout": Status.TIMEOUT,
    "canceled": Status.CANCELED,
    # QA.tech's spelling; cheap insurance against the run never ending here.
    "cancelled": Status.CANCELED,
}
# A suite's terminal word in the documents' example; whether it passed is in its counts.
SUITE_COMPLETED = "completed"
COUNTS = ("total_tests", "passed_tests", "failed_tests")


def status_of(word: str, answer: Mapping[str, Any]) -> Status:
    """A status word's status; a word qarun does not know ends the run only where the
    answer shows an end (`completed_at`), and then as an error."""
    known = STATUSES.get(word.lower())
    if known is not None:
        return known
    return Status.ERROR if answer.get("completed_at") else Status.RUNNING


def judge_test_run(
    answer: Mapping[str, Any] | None, row: Mapping[str, Any] | None = None
) -> Judgment:
    """A test run from its last GET /trigger answer and its last /results row (either may
    be missing: a check asks one of them; the provider drops a row read before a newer
    answer). Once one of them shows an end, one that still shows the run going disagrees."""
    pieces = [("test run's", answer, True), ("test run's /results row's", row, False)]
    ends = [_end(name, data, shows_end) for name, data, shows_end in pieces if data is not None]
    finished = [end for end in ends if end is not None]
    if not finished:
        words = [_word(data) for _, data, _ in pieces if data is not None]
        queued = all(STATUSES.get(word.lower()) is Status.QUEUED for word in words)
        return Judgment(Status.QUEUED if queued else Status.RUNNING, "Qualigate: not ended.")
    evidence = [piece for end in finished for piece in end]
    if len(finished) < len(ends):
        evidence.append(Evidence(None, "Qualigate: one answer shows the run ended, one going."))
    if answer is not None and _word(answer).lower() == "passed":
        evidence += _passed_test_run(answer, "test run")
    if row is not None and _word(row).lower() == "passed":
        evidence += _message_on_pass(row, "test run's /results row")
    return decide(evidence)


def judge_suite(
    answer: Mapping[str, Any],
    *,
    test_count: int | None = None,
    results: Mapping[str, Any] | None = None,
    failed_before: int = 0,
) -> Judgment:
    """A suite run from its GET /trigger answer, the trigger's `test_count`, its /results
    answer where qarun read it, and the most failed tests an earlier answer counted."""
    word = _word(answer)
    lowered = word.lower()
    if lowered != SUITE_COMPLETED and not status_of(word, answer).finished:
        status = status_of(word, answer)
        return Judgment(status, f"Qualigate: the suite's `status` is {quoted(word)}.")
    evidence: list[Evidence] = []
    if lowered != SUITE_COMPLETED:
        evidence += _word_evidence("the suite's `status`", word)
    # The documents' example pairs `completed` with `failed_tests: 1`: there, failed tests
    # failed. Beside another word the count may hold tests in error, timeout or canceled.
    counted_failures = lowered in (SUITE_COMPLETED, "passed")
    evidence += _suite_counts(answer, "the suite run", test_count, counted_failures)
    if results is not None:
        evidence += _results_evidence(results, answer)
    if failed_before:
        # An earlier answer counted failed tests: what is known is kept.
        said = f"Qualigate: an earlier answer counted {failed_before} failed test(s)."
        evidence.append(Evidence(Status.FAILED if counted_failures else None, said))
    return decide(evidence)


def results_verdict(
    results: Mapping[str, Any], asked: Sequence[str], *, ended: bool = False
) -> Judgment | None:
    """The group verdict of a /results answer for the test runs `asked`: its own `status`,
    its counts and one ended row for each run must all say pass. While a run may still be
    going (`ended` false: a row missing or still going), that means "not yet" (None), unless
    something already says a test did not pass; once every row has ended, a `status` that
    still says going is no pass."""
    evidence: list[Evidence] = [_status_evidence("/results `status`", results)]
    waiting = False
    for run_id in asked:
        found = [row for row in _rows(results) if text_field(row, "test_run_id") == run_id]
        if len(found) > 1:
            # Each row counts: a failed one among them is a failure, and they disagree.
            evidence.append(Evidence(None, f"Qualigate: /results lists run `{run_id}` twice."))
        ended_rows = [row for row in found if _row_finished(row, unknown_ends=ended)]
        for row in ended_rows:
            evidence += _row_evidence(row)
        if not ended_rows and ended:
            evidence.append(Evidence(None, f"Qualigate: /results has no ended row for `{run_id}`."))
        waiting = waiting or (not ended_rows and not ended)
    evidence += _suite_counts(results, "/results", len(asked))
    if waiting:
        bad = [piece for piece in evidence if piece.says is not None and piece.says.finished]
        bad = [piece for piece in bad if piece.says not in (Status.PASSED, Status.SKIPPED)]
        return decide(bad) if bad else None
    return decide(evidence)


# --- pieces of evidence ------------------------------------------------------------------


def _end(name: str, data: Mapping[str, Any], shows_end: bool) -> list[Evidence] | None:
    """What an answer says of the run's end, or None when it says it is still going."""
    word = _word(data)
    status = status_of(word, data) if shows_end else STATUSES.get(word.lower(), Status.RUNNING)
    if not status.finished:
        return None
    return _word_evidence(f"the {name} `status`", word)


def _word_evidence(name: str, word: str) -> list[Evidence]:
    status = STATUSES.get(word.lower())
    if status is not None and not status.finished:
        return [Evidence(None, f"Qualigate: {name} is {quoted(word)}: not ended.")]
    if status is None:
        return [
            Evidence(None, f"Qualigate: {name} is {quoted(word)}, which its documents do not give.")
        ]
    return [Evidence(status, f"Qualigate: {name} is {quoted(word)}.")]


def _passed_test_run(answer: Mapping[str, Any], name: str) -> list[Evidence]:
    """A passed test run's steps and message must say so too: "all steps and assertions
    completed successfully"."""
    evidence = _message_on_pass(answer, name)
    done, total = int_field(answer, "steps_completed"), int_field(answer, "steps_total")
    if done is None or total is None or total == 0 or done != total:
        evidence.append(
            Evidence(
                None,
                f"Qualigate: the {name} says `passed` after {quoted(answer.get('steps_completed'))}"
                f" of {quoted(answer.get('steps_total'))} steps.",
            )
        )
    return evidence


def _message_on_pass(data: Mapping[str, Any], name: str) -> list[Evidence]:
    if data.get("error_message") is None:
        return []
    return [Evidence(None, f"Qualigate: the {name} says `passed` with an error message.")]


def _row_evidence(row: Mapping[str, Any]) -> list[Evidence]:
    """An ended /results row: its word, and no error message beside a pass."""
    evidence = _word_evidence(_row_name(row), _word(row))
    if _word(row).lower() == "passed":
        evidence += _message_on_pass(row, "/results row")
    return evidence


def _suite_counts(
    data: Mapping[str, Any],
    whose: str,
    test_count: int | None = None,
    counted_failures: bool = True,
) -> list[Evidence]:
    """A suite's counts: every test counted, every one passed, none failed.
    `counted_failures`: a `failed_tests` above 0 says tests failed (else only no pass)."""
    failure = Status.FAILED if counted_failures else None
    total, passed, failed = (int_field(data, key) for key in COUNTS)
    missing = [
        key for key, value in zip(COUNTS, (total, passed, failed), strict=True) if value is None
    ]
    if missing:
        names = ", ".join(f"`{key}`" for key in missing)
        evidence = [Evidence(None, f"Qualigate: {whose} gives no usable {names}.")]
        if failed:
            evidence.append(Evidence(failure, f"Qualigate: {whose} has {failed} failed test(s)."))
        return evidence
    assert total is not None and passed is not None and failed is not None
    said = f"Qualigate: {whose} counts {passed} passed and {failed} failed of {total}"
    evidence = []
    if failed > 0:
        evidence.append(Evidence(failure, f"{said}."))
    if total == 0:
        evidence.append(Evidence(None, f"Qualigate: {whose} ran no test (`total_tests` 0)."))
    elif passed == total and failed == 0:
        evidence.append(Evidence(Status.PASSED, f"{said}."))
    else:
        evidence.append(Evidence(None, f"{said}: they do not add up to a pass."))
    if test_count is not None and test_count != total:
        evidence.append(
            Evidence(
                None,
                f"Qualigate queued {test_count} test(s) (`test_count`); {whose} counts {total}.",
            )
        )
    return evidence


def _results_evidence(results: Mapping[str, Any], suite: Mapping[str, Any]) -> list[Evidence]:
    """/results for a suite: its status says `passed`, its counts agree with the suite's,
    and every row it lists (it may list fewer than all) ended well."""
    evidence = [_status_evidence("/results `status`", results)]
    evidence += _suite_counts(results, "/results")
    if tuple(int_field(results, key) for key in COUNTS) != tuple(
        int_field(suite, key) for key in COUNTS
    ):
        evidence.append(Evidence(None, "Qualigate: /results counts the suite's tests differently."))
    ids = [text_field(row, "test_run_id") for row in _rows(results)]
    if len(set(ids)) < len(ids):
        evidence.append(Evidence(None, "Qualigate: /results lists a test run twice."))
    for row in _rows(results):
        if _row_finished(row):
            evidence += _row_evidence(row)
        else:
            word = quoted(_word(row))
            evidence.append(
                Evidence(None, f"Qualigate: {_row_name(row)} is {word} in an ended suite.")
            )
    return evidence


def _status_evidence(name: str, data: Mapping[str, Any]) -> Evidence:
    word = _word(data)
    if not word:
        return Evidence(None, f"Qualigate: {name} is missing.")
    return _word_evidence(name, word)[0]


# --- reading -------------------------------------------------------------------------------


def _word(data: Mapping[str, Any]) -> str:
    return text_field(data, "status") or ""


def _rows(results: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    rows = results.get("results")
    if not isinstance(rows, list):
        return ()
    return [row if isinstance(row, Mapping) else {} for row in rows]


def _row_finished(row: Mapping[str, Any], *, unknown_ends: bool = True) -> bool:
    """A row whose word says it ended; `unknown_ends`: a word qarun does not know counts as
    ended too (in a suite that has ended, where the row cannot still be going)."""
    status = STATUSES.get(_word(row).lower())
    return status.finished if status is not None else unknown_ends


def _row_name(row: Mapping[str, Any]) -> str:
    name = text_field(row, "test_case_name") or text_field(row, "test_run_id") or "a test"
    return f"the /results row of {quoted(name)}'s `status`"

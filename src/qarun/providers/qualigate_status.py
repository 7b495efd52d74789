"""Qualigate's status words and counts, and the verdict they give (Status Values in
https://qualigate.app/docs/api-reference; what it leaves open: tests/fakes/README.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qarun.errors import MalformedAnswerError
from qarun.model import Status
from qarun.providers.base import int_field, text_field

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
# A suite's terminal word; whether it passed depends on its counts.
SUITE_COMPLETED = "completed"


def status_of(word: str, answer: Mapping[str, Any]) -> Status:
    """A status word; an unknown one means the run ended (in error) only if it shows an end."""
    known = STATUSES.get(word.lower())
    if known is not None:
        return known
    return Status.ERROR if answer.get("completed_at") else Status.RUNNING


def suite_status(word: str, answer: Mapping[str, Any], what: str) -> tuple[Status, str | None]:
    """A suite run's status, and why it did not pass where its counts say so.

    `completed` (the documents' own example) ends the suite with the outcome in its counts;
    any finished word is also held to them: a suite passes only when every test passed.
    """
    status = Status.PASSED if word.lower() == SUITE_COMPLETED else status_of(word, answer)
    if not status.finished:
        return status, None
    total = int_field(answer, "total_tests")
    passed = int_field(answer, "passed_tests")
    failed = int_field(answer, "failed_tests")
    if word.lower() == SUITE_COMPLETED and (total is None or passed is None) and failed is None:
        raise MalformedAnswerError(
            f"The platform says {what} is `completed` but gives no test counts, so qarun "
            "cannot tell whether it passed."
        )
    short = (total - passed) if total is not None and passed is not None else 0
    if status is Status.PASSED and (short > 0 or (failed or 0) > 0):
        missing = max(short, failed or 0)
        return Status.FAILED, (
            f"{missing} of {total if total is not None else '?'} test(s) did not pass "
            f"(Qualigate: {passed if passed is not None else '?'} passed, "
            f"{failed if failed is not None else '?'} failed)."
        )
    return status, None


def aggregate_verdict(answer: Mapping[str, Any]) -> Status | None:
    """The `/results` answer's own status, where it is a finished word qarun knows."""
    word = text_field(answer, "status")
    known = STATUSES.get(word.lower()) if word else None
    return known if known is not None and known.finished else None


def ended_unknown(word: str, answer: Mapping[str, Any]) -> str | None:
    """Why a run shown as ended with a word qarun does not know counts as an error."""
    if word.lower() in STATUSES or word.lower() == SUITE_COMPLETED:
        return None
    if not answer.get("completed_at"):
        return None
    return f"Qualigate ended the run with status `{word}`, which qarun does not know."

"""Panto AI's verdict on a test run and on the trigger that started it: every signal its
answers carry, and the one rule (a pass needs every signal to say pass).

Pure: it reads a run object and the by-trigger answer it came in (GET
/api/v1/qa/external/test-runs-by-trigger/{trigger_id}: the runs and their aggregate
`status`) and returns the status and the sentence naming the signal that decided it.
Panto documents one per-run word, `in_process`; the aggregate's rules name `passed` and
`failed` runs and four aggregate words, `in_process`, `partially_passed`, `failed`,
`passed` (https://docs.getpanto.ai/qa-platform/integrations/get-test-run-by-id-api).
The one exception to the rule is written there: the aggregate `passed` says every
finished run passed, so it passes a run whose own word qarun does not know.
docs/verdicts.md has these rules as a table, and
tests/test_verdict_table.py holds this module to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from qarun.model import Status
from qarun.providers.base import text_field
from qarun.verdict import Evidence, Judgment, decide, quoted

# A run's own words that say its outcome: the aggregate rules' `passed` and `failed`, and
# their plain synonyms. Any other word is shown as it came and judged by the other signals.
RUN_WORDS = {
    "passed": Status.PASSED,
    "pass": Status.PASSED,
    "success": Status.PASSED,
    "failed": Status.FAILED,
    "fail": Status.FAILED,
    "failure": Status.FAILED,
    "error": Status.ERROR,
}
PENDING = "in_process"
# Parts of a word Panto does not document that say the run did not pass: such a run is no
# pass even under the aggregate `passed` ("never a run whose word says it failed").
UNSUCCESSFUL = ("fail", "error", "cancel", "abort", "timeout", "timed")
# The aggregate's terminal words, and what each says of the trigger's runs.
AGGREGATE = {"passed": Status.PASSED, "failed": Status.FAILED, "partially_passed": Status.FAILED}


def trigger_over(listing: Mapping[str, Any]) -> bool:
    """The trigger ended: its aggregate says so, or (a word qarun does not know, or none)
    every run shows an end time."""
    word = aggregate_word(listing)
    if word in AGGREGATE:
        return True
    if word == PENDING:
        return False
    runs = _runs(listing)
    return bool(runs) and all(run.get("runner_end_timestamp") is not None for run in runs)


def judge_run(run: Mapping[str, Any], listing: Mapping[str, Any]) -> Judgment:
    """One run of the trigger, from its own object and the listing it came in. A run ends
    with its trigger: until the aggregate is read, its own word is not all there is."""
    word = run_word(run)
    own = RUN_WORDS.get(word.lower())
    said = f"its `runner_status` is {quoted(word)}"
    if own is not None and own is not Status.PASSED:
        # A failure is known at once: it needs no other signal to agree (a pass does).
        return Judgment(own, f"Panto: {said}.", plain=True)
    if not trigger_over(listing):
        started = run.get("runner_start_timestamp") is not None
        status = Status.RUNNING if started else Status.QUEUED
        return Judgment(status, f"Panto: {said} and the trigger has not ended.")
    aggregate = aggregate_word(listing)
    if _listed(listing, run) > 1:
        return Judgment(
            Status.ERROR, f"Panto: the trigger lists run {quoted(run.get('id'))} twice."
        )
    if own is not None:
        evidence = [Evidence(own, f"Panto: {said}.")]
        remark = text_field(run, "remark")
        if remark is not None:
            # Read as a note on a failed run wherever it shows (P10, P17): no pass beside it.
            evidence.append(Evidence(None, f"Panto: the run has a `remark`: {remark}"))
    elif word.lower() == PENDING:
        evidence = [Evidence(None, f"Panto: {said}, though the trigger has ended.")]
    else:
        # A word Panto does not document: the trigger's aggregate and the run's remark say,
        # so the sentence is worth showing.
        return replace(decide(_unknown_word_evidence(aggregate, run, said)), plain=False)
    if aggregate == "failed":
        # "If all finished runs failed": a run whose own word says it passed disagrees.
        evidence.append(Evidence(Status.FAILED, _every_run(aggregate, "failed")))
    return decide(evidence)


def trigger_verdict(listing: Mapping[str, Any]) -> Judgment | None:
    """The trigger's own verdict, once it has ended: its aggregate `status`, which must be
    a word Panto documents; None while it goes on."""
    if not trigger_over(listing):
        return None
    word = aggregate_word(listing)
    own = [RUN_WORDS.get(run_word(run).lower()) for run in _runs(listing)]
    if word in AGGREGATE and (AGGREGATE[word] is not Status.PASSED or not _any_bad(own)):
        return Judgment(AGGREGATE[word], f"Panto: the trigger's `status` is `{word}`.")
    failed = Status.FAILED in own
    return Judgment(
        Status.FAILED if failed else Status.ERROR,
        f"Panto: the trigger's runs ended, and its `status` is {quoted(word)}, which does not "
        "say that they passed.",
    )


def _unknown_word_evidence(aggregate: str, run: Mapping[str, Any], said: str) -> list[Evidence]:
    """What says the outcome of an ended run whose own word Panto does not document."""
    remark = text_field(run, "remark")
    if aggregate == "passed":
        if remark is not None or any(part in run_word(run).lower() for part in UNSUCCESSFUL):
            return [Evidence(None, f"Panto: {said} under the trigger's `passed`.")]
        # "If all finished runs passed, status is passed": the one documented exception.
        return [Evidence(Status.PASSED, _every_run(aggregate, "passed"))]
    if aggregate == "failed":
        return [Evidence(Status.FAILED, _every_run(aggregate, "failed"))]
    trigger = f"the trigger's `status` is {quoted(aggregate)}"
    if remark is not None:
        return [
            Evidence(Status.FAILED, f"Panto: {said}, {trigger}, and its `remark` says: {remark}")
        ]
    if aggregate == "partially_passed":
        return [
            Evidence(
                Status.FAILED,
                f"Panto: {said}, and {trigger}: some of its runs failed, and neither this "
                "run's word nor a `remark` says it was not one of them.",
            )
        ]
    return [Evidence(None, f"Panto: {said}, and {trigger}, which does not say either.")]


def _every_run(aggregate: str, outcome: str) -> str:
    return f"Panto: the trigger's `status` is `{aggregate}`: every finished run {outcome}."


def _any_bad(own: Sequence[Status | None]) -> bool:
    return any(status is not None and status is not Status.PASSED for status in own)


def _listed(listing: Mapping[str, Any], run: Mapping[str, Any]) -> int:
    """How many times the listing holds the run's id."""
    return sum(1 for other in _runs(listing) if other.get("id") == run.get("id"))


def run_word(run: Mapping[str, Any]) -> str:
    return text_field(run, "runner_status") or ""


def aggregate_word(listing: Mapping[str, Any]) -> str:
    return (text_field(listing, "status") or "").lower()


def _runs(listing: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    runs = listing.get("test_runs")
    if not isinstance(runs, list):
        return ()
    return [run if isinstance(run, Mapping) else {} for run in runs]

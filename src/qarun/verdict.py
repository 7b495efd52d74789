"""The verdict: the overall status and the exit code, pure functions of the runs and fail-on.

Three rules hold whatever a platform answers (README, Statuses and exit codes):
- a pass needs positive evidence: each platform's verdict module (providers/*_verdict.py)
  turns every signal qarun read about a run into `Evidence`, and `decide` passes the run
  only when every piece says pass;
- a run seen finished stays finished and never gets better (`settled`);
- the overall status is never better than the platform's own aggregate verdict
  (`Run.platform_verdict`: Panto's trigger status, Qualigate's `/results` status).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qarun.model import COUNTED, SEVERITY, Run, Status, total_counts
from qarun.text import clip

EXIT_PASSED = 0
EXIT_FAILED = 1

# What a piece of evidence may say of a finished run, besides doubt (None).
_PASSING = frozenset({Status.PASSED, Status.SKIPPED})


@dataclass(frozen=True)
class Evidence:
    """What one signal says of a finished run: a status, or None when it says nothing that
    counts as a pass (a word qarun does not know, a missing count, a disagreement).
    `signal` names the signal and what it said, as a reader can check it."""

    says: Status | None
    signal: str


@dataclass(frozen=True)
class Judgment:
    """A run's status and the sentence naming the signal that decided it. `plain`: the
    run's own word decided, so the status says all (the sentence is not worth showing)."""

    status: Status
    why: str
    plain: bool = False


# The longest platform word a verdict's sentence quotes.
WORD_CHARS = 40


def quoted(value: Any) -> str:
    """A platform's word as a verdict's sentence quotes it: in backticks and short;
    `null` for JSON's null, `none` for no word at all."""
    if value is None:
        return "null"
    text = str(value)
    return f"`{clip(text, WORD_CHARS + 1)}`" if text else "none"


def decide(evidence: Sequence[Evidence]) -> Judgment:
    """A finished run's verdict from everything its platform said of it, the run's own
    status word first.

    Passed (or skipped) only when every piece of evidence says so. Otherwise the worst
    status a piece gives (`failed` where a test failed, the documented order), and where
    none gives one, `error` with the first doubt.
    """
    bad = [piece for piece in evidence if _finished(piece) and piece.says not in _PASSING]
    if bad:
        worst_piece = min(bad, key=lambda piece: rank(piece.says or Status.ERROR))
        plain = worst_piece is evidence[0]
        return Judgment(worst_piece.says or Status.ERROR, worst_piece.signal, plain=plain)
    doubts = [piece for piece in evidence if not _finished(piece)]
    if doubts:
        return Judgment(Status.ERROR, doubts[0].signal)
    if not evidence:
        return Judgment(Status.ERROR, "no signal said how the run ended.")
    if all(piece.says is Status.SKIPPED for piece in evidence):
        return Judgment(Status.SKIPPED, evidence[0].signal, plain=True)
    return Judgment(Status.PASSED, "; ".join(piece.signal for piece in evidence), plain=True)


def final_statuses(runs: Sequence[Run], *, timed_out: bool = False) -> list[Status]:
    """Every outcome that happened: each run's (unfinished ones as timeout at the deadline),
    and each aggregate verdict the platform gave."""
    statuses = [_final(run.status, timed_out=timed_out) for run in runs]
    statuses += [run.platform_verdict for run in runs if run.platform_verdict is not None]
    return statuses


def outcomes_of_tests(runs: Sequence[Run]) -> list[Status]:
    """The outcomes of the tests inside the runs, as counted: a test that failed inside a
    run that ended in error happened too (fail-on reads every outcome)."""
    counts = total_counts(runs)
    return [status for status in COUNTED if getattr(counts, status.value) > 0]


def no_better_than_its_tests(run: Run) -> Run:
    """A finished run whose tests (an earlier attempt's kept beside a rerun's) include one
    that did not pass is no better than that test."""
    bad = [test for test in run.tests if test.status.finished and test.status not in _PASSING]
    if not run.finished or not bad:
        return run
    test = min(bad, key=lambda test: rank(test.status))
    if rank(test.status) >= rank(run.status):
        return run
    why = f"its test {test.name!r} ended {test.status.value} and was not rerun."
    return run.updated(status=test.status, message=run.message or why)


def overall_status(runs: Sequence[Run], *, timed_out: bool = False) -> Status:
    """The worst outcome (the documented order); always a finished word."""
    if not runs:
        return Status.TIMEOUT if timed_out else Status.ERROR
    statuses = final_statuses(runs, timed_out=timed_out)
    # Runs still going when nothing stopped the wait: qarun lost track of them.
    if not all(status.finished for status in statuses):
        return Status.ERROR
    return worst(statuses)


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    for status in SEVERITY:
        if status in present:
            return status
    # Only unfinished statuses: the caller asked before the runs ended.
    return Status.RUNNING


def settled(seen: Run, fresh: Run) -> Run:
    """`fresh`, the platform's newer answer about `seen`, as far as it may change it.

    A run seen finished stays finished: an answer showing it unfinished again is
    ignored whole (its tests would be as stale as its status), and a finished
    answer may make it worse but never better. The platform's aggregate verdict
    likewise only ever gets worse.
    """
    if not seen.finished:
        return fresh
    if not fresh.finished:
        return seen
    aggregate = fresh
    if _worse(seen.platform_verdict, fresh.platform_verdict) is not fresh.platform_verdict:
        aggregate = seen
    kept = {"platform_verdict": aggregate.platform_verdict, "platform_why": aggregate.platform_why}
    if rank(fresh.status) <= rank(seen.status):
        return fresh.updated(**kept)
    return fresh.updated(
        status=seen.status,
        provider_status=seen.provider_status,
        message=seen.message or fresh.message,
        **kept,
    )


def capped(run: Run, group: Judgment | None) -> Run:
    """The run under the platform's aggregate verdict over its group (Panto's trigger,
    Qualigate's /results), kept where the run already had a worse one: a failure the
    platform said once is not taken back."""
    if group is None or _worse(run.platform_verdict, group.status) is not group.status:
        return run
    return run.updated(platform_verdict=group.status, platform_why=group.why)


def _finished(piece: Evidence) -> bool:
    """Whether the piece says a finished status; an unfinished one is no evidence of an end."""
    return piece.says is not None and piece.says.finished


def rank(status: Status) -> int:
    """0 for the worst status; unfinished ones rank below every finished one."""
    return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)


def _worse(first: Status | None, second: Status | None) -> Status | None:
    if first is None or second is None:
        return first or second
    return first if rank(first) <= rank(second) else second


def _final(status: Status, *, timed_out: bool) -> Status:
    if status.finished:
        return status
    return Status.TIMEOUT if timed_out else status


def exit_code(happened: Iterable[Status], fail_on: frozenset[Status]) -> int:
    """1 when any outcome that happened (a run's, the overall, an aggregate) is in fail-on."""
    return EXIT_FAILED if any(status in fail_on for status in happened) else EXIT_PASSED

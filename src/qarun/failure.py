"""Why the step failed, in the one sentence its `::error::` line gives: what happened that
`fail-on` holds, and the runs qarun's own `timeout` left unfinished."""

from __future__ import annotations

from qarun.model import Outcome, Run, Status, total_counts
from qarun.text import clip
from qarun.verdict import rank
from qarun.words import tally_words

# How the sentence names the outcomes `fail-on` may hold, in the order it names them.
FAILING = (Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED, Status.SKIPPED)
# A run's or the platform's own words, quoted in the sentence, at most this long.
QUOTED_CHARS = 200


def failure_sentences(
    outcome: Outcome, fail_on: frozenset[Status], timeout: str, where: str
) -> tuple[str, str]:
    """The sentence for the log, pointing `where` the details are, and for the summary, which
    points nowhere: from an outcome already redacted (a message cut short could otherwise
    keep part of a key). The tests by how they ended, each run whose end its tests do not
    explain (with its words), the platform's verdict where it was worse than the runs', an
    earlier attempt whose rerun had not finished, and the runs still unfinished at qarun's
    own timeout (`timeout` names the input to raise)."""
    title = outcome.provider_title
    said = [part for part in (_tests(outcome, fail_on), *_decided(outcome, fail_on)) if part]
    # qarun's own `timeout`; a run the platform timed out is a result, said with the others.
    waiting = len(outcome.unfinished) if outcome.timed_out else 0
    advice = f"raise {timeout} or check the runs on the platform"
    if waiting and not said:
        alone = f"{title}: {waiting} run(s) had not finished when the timeout ran out; {advice}."
        return alone, alone
    if waiting:
        said.append(f"{waiting} run(s) had not finished when the timeout ran out ({advice})")
    core = f"{title}: {'; '.join(said or [f'the tests ended {outcome.status.value}'])}"
    return f"{core}; {where}.", f"{core}."


def _tests(outcome: Outcome, fail_on: frozenset[Status]) -> str | None:
    """The tests whose outcome is in `fail-on`, of all counted: "1 failed and 1 skipped of 5
    tests" (the total left out where the platform counted more of them than tests in all)."""
    # A run with no test of its own but words of its own is said by itself (`_decided`), not
    # counted as one test of its status besides.
    counts = total_counts(run for run in outcome.runs if not _said_alone(run, fail_on))
    found = [(getattr(counts, status.value), status) for status in FAILING if status in fail_on]
    parts = [tally_words(count, status) for count, status in found if count]
    if not parts:
        return None
    listed = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    if sum(count for count, _ in found) > counts.total:
        return listed
    return f"{listed} of {counts.total:,} test{'s' if counts.total != 1 else ''}"


def _decided(outcome: Outcome, fail_on: frozenset[Status]) -> list[str]:
    """What the tests do not say: the runs that ended in `fail-on` with no test of theirs in
    it (the first, with its words, and how many more), the platform's verdict where it was
    worse than its run's, and earlier attempts whose rerun had not finished."""
    said = []
    unexplained = [
        run
        for run in outcome.runs
        if run.finished and run.status in fail_on and not _tests_explain(run)
    ]
    if unexplained:
        first, more = unexplained[0], len(unexplained) - 1
        also = f", and {more} more run(s)" if more else ""
        said.append(f"{_named(first)} ended {first.status.value}{_quoted(first.message)}{also}")
    verdicts = [
        (verdict, run.platform_why)
        for run in outcome.runs
        if (verdict := run.platform_verdict) is not None
        and verdict in fail_on
        and rank(verdict) < rank(run.status)
    ]
    if verdicts:
        # The worst of them first: the one that decided the overall status.
        verdict, why = min(verdicts, key=lambda found: rank(found[0]))
        more = len({found for found, _ in verdicts}) - 1
        also = f", and {more} other verdict(s)" if more else ""
        said.append(f"the platform's verdict was {verdict.value}{_quoted(why)}{also}")
    waiting = {(run.name, run.device) for run in outcome.runs if not run.finished}
    for run in outcome.attempts:
        if run.status in fail_on and (run.name, run.device) in waiting:
            said.append(f"an earlier attempt of {_named(run)} ended {run.status.value}")
            break
    return said


def _tests_explain(run: Run) -> bool:
    """Whether the tally already says what the run does: its own tests (listed, or counted by
    the platform) ended as it did, or it has neither (it counts as one test of its status)
    and no words of its own to add."""
    if not run.tests and run.reported is None:
        return not run.message
    return bool(getattr(run.counts(), run.status.value, 0))


def _said_alone(run: Run, fail_on: frozenset[Status]) -> bool:
    """A run in `fail-on` with no test of its own but words of its own: said by itself."""
    untested = not run.tests and run.reported is None
    return run.finished and run.status in fail_on and untested and bool(run.message)


def _named(run: Run) -> str:
    device = f" on {_one_line(run.device, 40)}" if run.device else ""
    return _one_line(run.name, 80) + device


def _one_line(text: str, limit: int) -> str:
    return clip(" ".join(text.split()), limit)


def _quoted(words: str | None) -> str:
    return f" ({_one_line(words, QUOTED_CHARS)})" if words else ""

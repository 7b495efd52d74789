"""The summary as readable text, for a terminal or a CI log outside GitHub: the verdict, a
line per run, and each failure with the platform's message and link."""

from __future__ import annotations

from qarun.model import PROBLEMS, Outcome, Run, Status
from qarun.text import clip
from qarun.words import DID_NOT_WAIT, counts_words, says_more

_NAME = 80
_MESSAGE = 400


def render_text(outcome: Outcome) -> list[str]:
    """The lines, as the Markdown summary says it: a dry run and a run not waited for have no
    tests to count."""
    status = "dry run" if outcome.dry_run else outcome.status.value
    lines = [f"{outcome.provider_title}: {status}"]
    if outcome.error and outcome.exit_code == 0:
        # An error that failed the step was the log's line just above (`Ending.outcome`).
        lines.append(f"  {clip(outcome.error, _MESSAGE)}")
    took = f" · took {outcome.duration:.0f} s" if outcome.duration is not None else ""
    if outcome.dry_run:
        lines.append("  Nothing was sent: the requests above are those qarun would send.")
    elif outcome.status is Status.TRIGGERED:
        lines.append(f"  {DID_NOT_WAIT}{took}")
    else:
        head, tally = counts_words(outcome.counts)
        lines.append("  " + (f"{head}: {tally}" if head else tally) + took)
    for run in outcome.runs:
        lines.append("  " + _run_line(run))
    for run in outcome.runs:
        lines += _failures(run)
    lines += [f"  note: {clip(note, _MESSAGE)}" for note in outcome.notes]
    return lines


def _run_line(run: Run) -> str:
    word = run.status.value
    if says_more(run.status, run.provider_status):
        word += f" (the platform said {clip(run.provider_status, _NAME)})"
    seconds = f", {run.seconds:.0f} s" if run.seconds is not None else ""
    link = f"  {run.url}" if run.url else ""
    # The device or viewport tells apart the runs of one target (Qualigate's `devices`).
    device = f" on {clip(run.device, _NAME)}" if run.device else ""
    return f"- {clip(run.name, _NAME)}{device} [{run.id}]: {word}{seconds}{link}"


def _failures(run: Run) -> list[str]:
    lines = []
    if run.status in PROBLEMS and run.message:
        lines.append(f"  ! {clip(run.name, _NAME)}: {clip(run.message, _MESSAGE)}")
    for test in run.tests:
        if test.status in PROBLEMS:
            said = f": {clip(test.message, _MESSAGE)}" if test.message else ""
            link = f"  {test.url}" if test.url else ""
            lines.append(f"  ! {clip(test.name, _NAME)} ({test.status.value}){said}{link}")
    return lines

"""The summary as readable text, for a terminal or a CI log outside GitHub: the verdict, a
line per run, and each failure with the platform's message and link."""

from __future__ import annotations

from qarun.model import PROBLEMS, Outcome, Run
from qarun.text import clip

_NAME = 80
_MESSAGE = 400


def render_text(outcome: Outcome) -> list[str]:
    counts = outcome.counts
    lines = [f"{outcome.provider_title}: {outcome.status.value}"]
    if outcome.error:
        lines.append(f"  {clip(outcome.error, _MESSAGE)}")
    if not outcome.runs and counts.total == 0:
        # Nothing ran (bad input, a trigger refused): the reason above is the whole story.
        return lines + [f"  note: {clip(note, _MESSAGE)}" for note in outcome.notes]
    lines.append(
        f"  {counts.total} tests: {counts.passed} passed, {counts.failed} failed, "
        f"{counts.error} error, {counts.skipped} skipped"
        + (f" · took {outcome.duration:.0f} s" if outcome.duration is not None else "")
    )
    for run in outcome.runs:
        lines.append("  " + _run_line(run))
    for run in outcome.runs:
        lines += _failures(run)
    lines += [f"  note: {clip(note, _MESSAGE)}" for note in outcome.notes]
    return lines


def _run_line(run: Run) -> str:
    word = run.status.value
    if run.provider_status and run.provider_status.lower() != word:
        word += f" ({clip(run.provider_status, _NAME)})"
    seconds = f", {run.seconds:.0f} s" if run.seconds is not None else ""
    link = f"  {run.url}" if run.url else ""
    return f"- {clip(run.name, _NAME)} [{run.id}]: {word}{seconds}{link}"


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

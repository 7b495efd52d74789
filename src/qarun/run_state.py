"""What one action run has learned so far: the value its steps pass on and add to, so that
whatever stops the run, the outcome is written with what is known at that point."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from qarun.git_context import GitContext
from qarun.model import Run, Status
from qarun.verdict import settled


@dataclass
class RunState:
    """The runs as last seen, earlier attempts, notes for the summary, and when it began."""

    context: GitContext = field(default_factory=GitContext)
    runs: list[Run] = field(default_factory=list)
    # Earlier attempts of rerun runs, oldest first (QA.tech `rerun-failed`).
    attempts: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Dry runs: each request that would have been sent.
    planned: list[str] = field(default_factory=list)
    triggered_at: datetime | None = None
    triggered_mono: float | None = None
    # What was being triggered when the run stopped: a run may exist that qarun never saw.
    sending: str | None = None
    # Outcomes known that no run shows any more (a failed attempt whose rerun never ended):
    # they still count for `fail-on`.
    happened: list[Status] = field(default_factory=list)

    def note(self, text: str) -> str:
        """Adds a note for the summary; returns it, for the log."""
        self.notes.append(text)
        return text

    def learn(self, fresh: Iterable[Run]) -> None:
        """The platform's newer answers about some runs, as far as they may change them
        (`settled`: a finished run stays finished and never gets better)."""
        seen = {run.id: run for run in fresh}
        self.runs = [settled(run, seen[run.id]) if run.id in seen else run for run in self.runs]

"""The parts one action run works with once its settings are read: the platform, its HTTP
client, the log, the cancellation, the deadline and, where asked for, GitHub."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qarun.cancel import Cancellation
from qarun.console import Console
from qarun.http import HttpClient
from qarun.model import Run
from qarun.providers.base import Provider
from qarun.settings import Settings

if TYPE_CHECKING:
    from qarun.github.reporter import GitHubReporter


@dataclass(frozen=True)
class Job:
    settings: Settings
    provider: Provider
    client: HttpClient
    console: Console
    cancel: Cancellation
    # The step's own `timeout` deadline, monotonic seconds on the run's clock: later than the
    # wait's (`deadline`) by what GitHub's final writes keep.
    step_deadline: float
    # `commit-status` / `pr-comment`; None when both are off.
    github: GitHubReporter | None = None

    @property
    def deadline(self) -> float:
        """Monotonic seconds on the run's clock after which nothing of the wait may end: the
        one its HTTP client answers to."""
        at = self.client.deadline.at
        assert at is not None  # main.py gives every job's client the `timeout` deadline
        return at

    def now(self) -> float:
        """Monotonic seconds on the run's clock (the cancellation's: one clock for a run)."""
        return self.cancel.clock.now()

    def announce(self, runs: Sequence[Run], reruns_of: Mapping[str, str] | None = None) -> None:
        """Pending commit statuses for runs just started, within the time left."""
        if self.github is not None:
            left = max(0.0, self.deadline - self.now())
            self.github.pending_in_time(runs, self.cancel, left, reruns_of=reruns_of)

"""The moments qarun writes to GitHub, as phases that a deadline or a signal may abandon, and
the one turn they share to call GitHub (github/reporter.py says when each runs)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from qarun.github.api import GitHubApi

# The longest a single call to GitHub may take.
REQUEST_TIMEOUT = 10.0


class Abandoned(Exception):
    """Ends an abandoned phase's work at its next step: it sends and records nothing more."""


@dataclass
class Phase:
    """The pending statuses, or the final statuses and the comment: one moment's writes.

    The deadline and the client are its own, used by its own thread only, so a phase that
    is left behind cannot shorten another's time nor close the client it is using.
    """

    deadline: float
    # Set under the turns' lock (`Turns.abandon`); never cleared.
    abandoned: bool = False
    api: GitHubApi | None = None
    api_timeout: int = 0

    def connect(self, make: Callable[[int], GitHubApi], now: float) -> GitHubApi | None:
        """The phase's client (made by `make(timeout)`), its timeout cut to what is left of
        the phase's budget at `now`; None once nothing is left."""
        left = self.deadline - now
        if left <= 0:
            return None
        timeout = max(1, math.floor(min(REQUEST_TIMEOUT, left)))
        if self.api is None or timeout < self.api_timeout:
            self.close()
            self.api = make(timeout)
            self.api_timeout = timeout
        return self.api

    def close(self) -> None:
        if self.api is not None:
            self.api.close()
            self.api = None


class Turns:
    """One call to GitHub at a time, whatever the phase: a call in flight keeps the turn until
    its answer comes, so a later phase's writes reach GitHub after it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy = False

    def take(self, phase: Phase) -> None:
        """Waits for the turn, however long: the caller's budget ends the wait by abandoning
        the phase, which then raises Abandoned at once."""
        with self._changed:
            self._changed.wait_for(lambda: phase.abandoned or not self._busy)
            # Checked right before the call, with no other call in flight.
            if phase.abandoned:
                raise Abandoned
            self._busy = True

    @contextmanager
    def held(self, phase: Phase) -> Iterator[None]:
        """The phase's turn at GitHub and at the state the phases share; raises Abandoned
        instead once the phase is abandoned."""
        self.take(phase)
        try:
            yield
        finally:
            self.give_back()

    def give_back(self) -> None:
        with self._changed:
            self._busy = False
            self._changed.notify_all()

    def abandon(self, phase: Phase) -> None:
        with self._changed:
            phase.abandoned = True
            self._changed.notify_all()

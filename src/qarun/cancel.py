"""Stopping on the runner's signals while still reporting.

The runner sends SIGINT, then SIGTERM 7.5 s later, then kills the container
2.5 s after that. qarun runs as PID 1 there, where unhandled signals are
ignored, so both are handled: the first one ends the wait at once (even in the
middle of an HTTP call), and reporting then runs to the end undisturbed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from qarun.errors import CanceledError

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Cancellation:
    """Set by the first signal; raises CanceledError inside `interruptible()` sections."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None
        self._interruptible = 0

    def install(self, early: Sequence[int] = ()) -> None:
        """Takes over the handlers; `early` holds signals that came before this (entrypoint.py)."""
        for signum in HANDLED:
            signal.signal(signum, self._handle)
        for early_signum in early[:1]:
            self._handle(early_signum, None)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # Only the first signal counts. This handler is Python code, so a second signal can
        # interrupt it: the first claims the name before anything else, in one step.
        if self.signal_name is not None:
            return
        self.signal_name = signal.Signals(signum).name
        self.event.set()
        if self._interruptible:
            raise CanceledError(f"the runner sent {self.signal_name}")

    def settle(self) -> None:
        """Once everything is written, a late signal changes nothing, not even the exit code."""
        for signum in HANDLED:
            signal.signal(signum, signal.SIG_IGN)

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def check(self) -> None:
        if self.event.is_set():
            raise CanceledError(f"the runner sent {self.signal_name or 'a stop signal'}")

    def sleep(self, seconds: float) -> None:
        """Sleeps, waking at once on a signal."""
        if seconds > 0:
            self.event.wait(seconds)
        self.check()

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Within this block a signal aborts whatever is running (a poll, a backoff)."""
        self.check()
        self._interruptible += 1
        try:
            yield
        finally:
            self._interruptible -= 1

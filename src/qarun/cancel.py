"""Stopping on the runner's signals while still reporting, and work that ends on time.

The runner sends SIGINT, then SIGTERM 7.5 s later, then kills the container
2.5 s after that. qarun runs as PID 1 there, where unhandled signals are
ignored, so both are handled. The handler only records the first signal: it
takes no lock and raises nothing, so it can never deadlock the code it
interrupts nor escape from a finalizer. `signal.set_wakeup_fd` wakes whatever
waits here at once: a pause (`sleep`) or blocking work such as an HTTP request
(`call`), which runs on a helper thread and is abandoned at a signal or when
its time is up, so a server that answers one byte at a time cannot hold qarun.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TypeVar

from qarun.clock import SYSTEM, Clock
from qarun.errors import CanceledError

HANDLED = (signal.SIGINT, signal.SIGTERM)
# Seconds from a cancel signal to the exit: the runner kills the step 10 s after it, and qarun
# promises 5 (docs/failure-handling.md, Cancellation); less a margin to exit.
EXIT_BUDGET = 4.0
T = TypeVar("T")


class WorkTimedOut(Exception):
    """The work given to `call` was still going when its time was up; it was abandoned."""


class Cancellation:
    """Records the first signal; `sleep` and `call` raise CanceledError once there is one."""

    def __init__(self, clock: Clock = SYSTEM) -> None:
        self.clock = clock
        self.signal_name: str | None = None
        self.signaled_at: float | None = None
        self._wake_read, self._wake_write = os.pipe()
        for fd in (self._wake_read, self._wake_write):
            os.set_blocking(fd, False)

    def install(self, early: Sequence[int] = ()) -> None:
        """Takes over the handlers; `early` holds signals that came before (__main__.py)."""
        signal.set_wakeup_fd(self._wake_write, warn_on_full_buffer=False)
        for signum in HANDLED:
            signal.signal(signum, self._handle)
        for early_signum in early[:1]:
            self._handle(early_signum, None)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # Records, nothing more: the wakeup fd has already woken any wait.
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name
            self.signaled_at = time.monotonic()

    def settle(self) -> None:
        """Once everything is written, a late signal changes nothing, not even the exit code."""
        for signum in HANDLED:
            signal.signal(signum, signal.SIG_IGN)
        signal.set_wakeup_fd(-1)
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    @property
    def requested(self) -> bool:
        return self.signal_name is not None

    def check(self) -> None:
        if self.requested:
            raise CanceledError(f"the runner sent {self.signal_name}")

    def left_after_signal(self, budget: float) -> float:
        """What is left of `budget` seconds counted from the signal (all of it without one)."""
        if self.signaled_at is None:
            return budget
        return budget - (time.monotonic() - self.signaled_at)

    def sleep(self, seconds: float) -> None:
        """Sleeps, waking at once on a signal."""
        self.check()
        if self.clock.skip is not None:
            self.clock.skip(seconds)
            self.check()
            return
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self._wait((), left)
            self.check()

    def call(self, work: Callable[[], T], budget: float | None, *, stoppable: bool = True) -> T:
        """`work()`, run on a helper thread: its result or its exception.

        Raises CanceledError at a signal (when `stoppable`) and WorkTimedOut after `budget`
        seconds of real time (the work blocks for real, whatever clock the run reads); the
        helper thread is then left to end by itself (a daemon, it never holds up the exit).
        """
        if stoppable:
            self.check()
        outcome: dict[str, object] = {}
        done_read, done_write = os.pipe()

        def run() -> None:
            try:
                outcome["value"] = work()
            except BaseException as error:  # handed to the caller, whatever it is
                outcome["error"] = error
            finally:
                with contextlib.suppress(OSError):
                    os.write(done_write, b"x")
                os.close(done_write)

        threading.Thread(target=run, name="qarun-call", daemon=True).start()
        end = None if budget is None else time.monotonic() + budget
        try:
            while True:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    if self.clock.skip is not None and budget is not None:
                        self.clock.skip(budget)  # a test's clock: the budget was spent
                    raise WorkTimedOut
                if done_read in self._wait((done_read,), left):
                    break
                if stoppable:
                    self.check()
        finally:
            os.close(done_read)
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["value"]  # type: ignore[return-value]

    def _wait(self, others: Sequence[int], timeout: float | None) -> list[int]:
        """Waits for one of `others`, a signal, or `timeout`; returns the ready fds."""
        fds = [self._wake_read, *others]
        try:
            ready, _, _ = select.select(fds, [], [], timeout)
        except OSError:  # the wake pipe closed by settle(): nothing more to wake
            time.sleep(timeout or 0)
            return []
        if self._wake_read in ready:
            with contextlib.suppress(OSError):
                while os.read(self._wake_read, 512):
                    pass
        return [fd for fd in ready if fd != self._wake_read]

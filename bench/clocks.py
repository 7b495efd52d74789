"""The clocks benchmarks put the fakes on (tests never read the wall clock).

- `on_wall_clock`: real seconds, for benchmarks that measure real lag.
- `VirtualTime`: time shared by many threads that moves on only when every one of them
  is asleep. A benchmark runs several jobs on threads against a fake whose clock is this
  one: a job's pause passes at once when nothing else is left to happen first, so minutes
  of polling take a moment, and the jobs' requests interleave as their pauses say.
"""

from __future__ import annotations

import threading
import time
from typing import TypeVar

from tests.fakes.base import FakePlatform

F = TypeVar("F", bound=FakePlatform)


def on_wall_clock(fake: F) -> F:
    """The fake on the real clock: its runs end, and its requests are stamped, in real time."""
    fake.clock = time.monotonic
    return fake


class VirtualTime:
    """`parties` threads share the time; each calls `leave` when it is done."""

    def __init__(self, parties: int) -> None:
        self._now = 0.0
        self._awake = parties
        self._wakes: list[float] = []
        self._changed = threading.Condition()

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._changed:
            wake = self._now + max(0.0, seconds)
            if wake <= self._now:
                return
            self._wakes.append(wake)
            self._awake -= 1
            self._advance_if_all_asleep()
            while self._now < wake:
                self._changed.wait()

    def leave(self) -> None:
        with self._changed:
            self._awake -= 1
            self._advance_if_all_asleep()

    def _advance_if_all_asleep(self) -> None:
        if self._awake > 0 or not self._wakes:
            return
        self._now = min(self._wakes)
        due = [wake for wake in self._wakes if wake <= self._now]
        self._wakes = [wake for wake in self._wakes if wake > self._now]
        # Counted awake here, under the lock: no other sleeper can move time past them.
        self._awake += len(due)
        self._changed.notify_all()

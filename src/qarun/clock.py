"""Where qarun reads the time and how it waits: the process's own clock, or one a test drives.

Every deadline, pause and elapsed time in a run is read from one `Clock`, so a
test can run the whole action against fakes that share it, without real waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """The time a run reads (`now`) and how its pauses pass (`skip`, or for real)."""

    # Monotonic seconds.
    now: Callable[[], float] = time.monotonic
    # Passes `seconds` at once (a test's clock); None waits for real, woken by a signal.
    skip: Callable[[float], None] | None = None

    def sleep(self, seconds: float) -> None:
        """Waits, deaf to signals: for work on a helper thread, which a signal abandons
        (`Cancellation.call`); the run's own pauses are `Cancellation.sleep`."""
        if self.skip is not None:
            self.skip(seconds)
        else:
            time.sleep(seconds)


SYSTEM = Clock()

"""The `timeout` deadline, in one place: every request, retry wait and 429 hold answers to it.

Nothing runs past it: a wait that would end after it is not begun, a request gets what is
left as its whole budget (connect, headers and body), and no request is sent with too
little time left to be answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Near the deadline a request still gets this long to connect and read: the last look at the
# runs must be able to land.
MIN_REQUEST_TIMEOUT = 2.0
# No request starts with less than this left (at most this share of the whole `timeout`):
# it could not be answered in time. The wait loop's last look leaves twice as much
# (wait.Waiter._last_look).
MIN_ANSWER = 0.5
MIN_ANSWER_SHARE = 0.05


@dataclass
class Deadline:
    """Monotonic `at` on `clock`, after which nothing may end; None: no deadline (tests,
    benchmarks of one request)."""

    clock: Callable[[], float] = time.monotonic
    at: float | None = None
    # The least time left with which a request is still sent.
    min_answer: float = 0.0

    @classmethod
    def after(cls, clock: Callable[[], float], timeout: float) -> Deadline:
        """`timeout` seconds from now on `clock`."""
        return cls(clock, clock() + timeout, min(MIN_ANSWER, MIN_ANSWER_SHARE * timeout))

    def left(self) -> float | None:
        """Seconds until the deadline (0 once past it); None without one."""
        return None if self.at is None else max(0.0, self.at - self.clock())

    def allows(self, delay: float) -> bool:
        """A wait of `delay` seconds from now ends by the deadline."""
        return self.at is None or self.clock() + delay <= self.at

    def answerable(self, after: float = 0.0) -> bool:
        """Enough time is left to send a request (`after` seconds from now) and have it
        answered."""
        return self.at is None or self.at - self.clock() - after >= self.min_answer

    def timeouts(self, usual: tuple[float, float]) -> tuple[float, float]:
        """(connect, read) timeouts cut to the time left: no hang past the deadline."""
        left = self.left()
        if left is None:
            return usual
        left = max(MIN_REQUEST_TIMEOUT, left)
        connect, read = usual
        return min(connect, left), min(read, left)

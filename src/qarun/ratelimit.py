"""What a platform's rate limits ask of qarun: its documented limits, the holds its 429s set,
and how much each 429 slows the schedule down.

The HTTP client asks `KeyLimits` how long to wait before calling an endpoint and tells it
what was sent and what was refused; the wait loop reads only `slowdown()`.

A 429 holds its endpoint for the wait it asks (spread a little): no check of the run calls
it before the hold ends. Each 429 also slows the schedule (`Throttle`), less as time passes
without one.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# A 429's wait is lengthened by up to half (at most 10 s more): jobs sharing a key that were
# refused together would otherwise all come back the moment one slot frees, and all but one
# be refused again (bench/shared_key.py: 429s fell from 39 % to 16 % of the requests).
RATE_LIMIT_SPREAD = 0.5
RATE_LIMIT_SPREAD_CAP = 20.0
# How much 429s slow the schedule at most, and how soon that slowdown halves (seconds):
# within the minute of the limits platforms document (bench/README: 30, 45 and 60 s tried).
MAX_THROTTLE = 8.0
THROTTLE_HALF_LIFE = 45.0
# A 429 slows the schedule to this share of the pace that filled the key's window: the jobs
# sharing the key, each slowed alike, then leave half its room free.
SHARE_AFTER_429 = 0.5
# A 429's hold that ends within this many seconds is waited for, not asked around: the jobs
# it held back were sent to the other endpoint meanwhile and have likely filled it
# (bench/shared_key.py, 10 jobs: 429s fell from 9.9 % to 9.2 % of the requests).
SHORT_HOLD = 2.0


@dataclass
class Throttle:
    """Each 429 slows the schedule down (`hit`), and the slowdown halves with every
    THROTTLE_HALF_LIFE seconds without one: the jobs that share a key end, and their share
    of its limit comes back."""

    clock: Callable[[], float] = time.monotonic
    level: float = 1.0
    hit_at: float = 0.0

    @property
    def factor(self) -> float:
        if self.level <= 1.0:
            return 1.0
        fading: float = 0.5 ** ((self.clock() - self.hit_at) / THROTTLE_HALF_LIFE)
        return 1.0 + (self.level - 1.0) * fading

    def hit(self, slower: float = 2.0) -> None:
        """A 429: pauses `slower` times longer than now (at most MAX_THROTTLE in all)."""
        self.level = min(MAX_THROTTLE, self.factor * max(1.0, slower))
        self.hit_at = self.clock()


@dataclass
class RateLimit:
    """At most `limit` requests per `window` seconds to one endpoint (Qualigate: 30 a minute)."""

    limit: int
    window: float = 60.0
    sent: deque[float] = field(default_factory=deque)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next request may go out."""
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()
        if len(self.sent) < self.limit:
            return 0.0
        return self.window - (now - self.sent[0])


@dataclass
class KeyLimits:
    """Everything qarun knows about its key's limits, by endpoint ("METHOD /path")."""

    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    # Limits the platform documents, for platforms that document one.
    windows: dict[str, RateLimit] = field(default_factory=dict)
    # Until when (clock) a 429 asked qarun not to call the endpoint again.
    holds: dict[str, float] = field(default_factory=dict)
    throttle: Throttle = field(init=False)

    def __post_init__(self) -> None:
        self.throttle = Throttle(clock=self.clock)

    def document(self, route: str, per_minute: int) -> None:
        """The platform's documented limit on `route`."""
        self.windows.setdefault(route, RateLimit(per_minute))

    def slowdown(self) -> float:
        """How many times longer the schedule's pauses are for the 429s seen: what the
        wait loop reads."""
        return self.throttle.factor

    def held(self, route: str) -> float:
        """Seconds until the last 429 from `route` lets qarun call it again."""
        return max(0.0, self.holds.get(route, 0.0) - self.clock())

    def wait_before(self, route: str) -> float:
        """Seconds to wait before calling `route`: its hold, and its documented pace."""
        window = self.windows.get(route)
        paced = window.delay(self.clock()) if window is not None else 0.0
        return max(self.held(route), paced)

    def sent(self, route: str) -> None:
        window = self.windows.get(route)
        if window is not None:
            window.sent.append(self.clock())

    def refused(self, route: str, wait: float | None) -> None:
        """A 429 on `route`, asking to wait `wait` seconds (None: it did not say)."""
        self.throttle.hit(self._slower_after(route, wait))
        if wait is not None:
            # Spread as a retry's wait is: the jobs refused together come back apart.
            self.holds[route] = self.clock() + self.spread(wait)

    def lift(self, route: str) -> None:
        """The hold on `route` was waited out."""
        self.holds.pop(route, None)

    def spread(self, wait: float) -> float:
        return wait + self.rng.uniform(0, min(wait, RATE_LIMIT_SPREAD_CAP) * RATE_LIMIT_SPREAD)

    def _slower_after(self, route: str, wait: float | None) -> float:
        """How much slower to go after a 429: twice, or where the platform documents its
        window, by how much the key is over its limit. The requests that filled the window
        came in its first `window - wait` seconds: the key was asked `window / (window -
        wait)` times what it allows."""
        window = self.windows.get(route)
        if window is None or wait is None:
            return 2.0
        over = window.window / max(window.window - wait, window.window / MAX_THROTTLE)
        return over / SHARE_AFTER_429

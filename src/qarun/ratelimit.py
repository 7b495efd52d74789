"""What a platform's rate limits ask of qarun: its documented limits, the holds its 429s set,
and the share of the key this job keeps once a 429 has shown that others use it too.

Jobs that share a key cannot talk to each other; every 429 tells each of them the key is
full. They share it the way TCP's congestion control shares a link (additive increase,
multiplicative decrease: Chiu and Jain, "Analysis of the Increase and Decrease Algorithms
for Congestion Avoidance in Computer Networks", 1989; RFC 5681 for TCP), per endpoint:

- **Decrease, sized by the 429.** The key answers `limit` requests per `window` seconds and
  says (`retry_after`) when its window has room again: the requests that filled it came in
  the last `window - wait` seconds. Had every job sent at that pace times `(window - wait) /
  window`, the key would have been exactly full; for this job that is the requests it sent in
  those seconds, spread over the whole window. Every job cutting alike leaves the fleet at
  the key's capacity, whatever its size, in one step (the cut DCTCP sizes by the share of
  marked packets; RFC 8257). The route a check could take instead (Qualigate's /results
  for GET /trigger) is cut alike, never below this job's own part of it; a cut never
  speeds a job up; a 429 with no wait is a window that just filled. Only where the
  platform documents its limit (Qualigate): elsewhere qarun knows neither window nor
  limit, and keeps to each 429's hold.
- **Additive increase.** The pace then grows by one request per window every window, TCP's
  one segment per round trip, the key's window being the time its 429s take to tell: jobs
  that end free their share, and the others take it up.
- **A bucket.** The pace is a token bucket two windows of the job's part deep
  (BUCKET_WINDOWS): checks not made while a run's end is far keep for the end.
- **The hold.** A 429 holds its endpoint for the wait it asks, spread a little so that the
  jobs refused together come back apart; the refused request counts against the documented
  limit, so a platform that refuses with no wait is not asked in a loop.

The job's part gives way to the `timeout`'s last check (`HttpClient`); the holds and the
documented limit never do.

A job alone never sees a 429 and is never paced below the platform's documented limit; the
schedule of checks (`wait.Schedule`) knows nothing of this: the HTTP client asks `KeyLimits`
how long to wait before calling an endpoint, and which of two endpoints is free soonest.
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
# How many windows of its part a job may save for later: checks it does not make while its
# runs' ends are far keep for those it aims at a forecast end (bench/README.md, "After":
# 10 jobs on one key, 0 windows 6.58 s and 12.0 % 429s, 1: 6.34 s and 11.3 %, 2: 5.73 s and
# 10.4 %, 4: 5.90 s and 10.7 %).
BUCKET_WINDOWS = 2.0


@dataclass
class RateLimit:
    """At most `limit` requests per `window` seconds to one endpoint (Qualigate: 30 a minute;
    None: no documented limit), and the moments this job sent them."""

    limit: int | None = None
    window: float = 60.0
    sent: deque[float] = field(default_factory=deque)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next request may go out."""
        self._forget(now)
        if self.limit is None or len(self.sent) < self.limit:
            return 0.0
        return self.window - (now - self.sent[0])

    def sent_since(self, moment: float) -> int:
        return sum(1 for at in self.sent if at >= moment)

    def _forget(self, now: float) -> None:
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()


@dataclass
class Share:
    """This job's part of one endpoint of a shared key: none until a 429, then a token
    bucket whose rate grows (AIMD). Tokens a job does not spend while its checks are far
    apart keep (up to its part of a window) for the checks it aims at a forecast end."""

    window: float
    # Requests a second allowed when last cut (None: never refused), and when.
    rate: float | None = None
    cut_at: float = 0.0
    # The bucket: at most `depth` requests ahead, `tokens` of them there at `counted_at`.
    depth: float = 1.0
    tokens: float = 1.0
    counted_at: float = 0.0

    def allowed(self, now: float) -> float | None:
        """The pace now: the cut's, plus one request per window for every window since."""
        if self.rate is None:
            return None
        return self.rate + (now - self.cut_at) / self.window**2

    def delay(self, now: float) -> float:
        """Seconds until the bucket holds a request."""
        pace = self.allowed(now)
        if pace is None:
            return 0.0
        return max(0.0, (1.0 - self._tokens(now, pace)) / pace)

    def spend(self, now: float) -> None:
        pace = self.allowed(now)
        if pace is not None:
            self.tokens = self._tokens(now, pace) - 1.0
            self.counted_at = now

    def cut(self, now: float, rate: float, depth: float, unheld: bool) -> None:
        """A 429: from now on at most `rate` requests a second (never more than the pace
        now: a cut never speeds a job up), growing again, and at most `depth` ahead. The
        first request goes at once (on an endpoint held back, when its hold ends), but on
        an endpoint refused without a hold (`unheld`), only at the new pace."""
        current = self.allowed(now)
        left = 0.0 if unheld else 1.0
        if current is not None:
            rate = min(rate, current)
            left = min(left, self._tokens(now, current))
        self.rate, self.cut_at = rate, now
        self.depth = max(1.0, depth)
        self.tokens, self.counted_at = left, now

    def _tokens(self, now: float, pace: float) -> float:
        return min(self.depth, self.tokens + (now - self.counted_at) * pace)


@dataclass
class KeyLimits:
    """Everything qarun knows about its key's limits, by endpoint ("METHOD /path")."""

    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    # Limits the platform documents (or none), and what this job sent, by endpoint.
    windows: dict[str, RateLimit] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)
    # Until when (clock) a 429 asked qarun not to call the endpoint again.
    holds: dict[str, float] = field(default_factory=dict)
    # Endpoints that answer the same check (Qualigate's GET /trigger and /results): a 429 on
    # one cuts this job's pace on each.
    alike: list[set[str]] = field(default_factory=list)

    def document(self, route: str, per_minute: int) -> None:
        """The platform's documented limit on `route`."""
        self._window(route).limit = per_minute

    def held(self, route: str) -> float:
        """Seconds until the last 429 from `route` lets qarun call it again."""
        return max(0.0, self.holds.get(route, 0.0) - self.clock())

    def wait_before(self, route: str, shared: bool = True) -> float:
        """Seconds to wait before calling `route`: its hold, its documented limit and (if
        `shared`) this job's share of the key."""
        now = self.clock()
        window = self._window(route)
        share = self.shares.get(route) if shared else None
        paced = share.delay(now) if share is not None else 0.0
        return max(self.held(route), window.delay(now), paced)

    def pace(self, route: str) -> float | None:
        """Seconds between requests to `route` this job keeps to now (None: not paced)."""
        share = self.shares.get(route)
        allowed = share.allowed(self.clock()) if share is not None else None
        return None if allowed is None else 1 / allowed

    def alternatives(self, routes: set[str]) -> None:
        """`routes` answer the same check: they share one cut."""
        self.alike.append(routes)

    def sent(self, route: str, shared: bool = True) -> None:
        now = self.clock()
        self._window(route).sent.append(now)
        share = self.shares.get(route) if shared else None
        if share is not None:
            share.spend(now)

    def refused(self, route: str, wait: float | None) -> None:
        """A 429 on `route`, asking to wait `wait` seconds (None: it did not say). The refused
        request stays counted against the documented limit: a platform that keeps refusing
        with no wait is still asked at most that often."""
        now = self.clock()
        window = self._window(route)
        if window.limit is not None:
            self._cut(route, window, wait or 0.0)
        if wait is not None:
            # Spread as a retry's wait is: the jobs refused together come back apart.
            self.holds[route] = now + self.spread(wait)

    def lift(self, route: str) -> None:
        """The hold on `route` was waited out."""
        self.holds.pop(route, None)

    def spread(self, wait: float) -> float:
        return wait + self.rng.uniform(0, min(wait, RATE_LIMIT_SPREAD_CAP) * RATE_LIMIT_SPREAD)

    def _cut(self, route: str, window: RateLimit, wait: float) -> None:
        """This job's part of the key, on `route` and on each route that answers the same
        check, from a 429 on `route` (`window`)."""
        now = self.clock()
        # The requests that filled the key's window came in its last `window - wait` seconds
        # (the refused one aside): this job's part of them, spread over the whole window,
        # fills it exactly once every job does the same.
        since = now - max(window.window - min(wait, window.window), 1.0)
        refused = max(1, window.sent_since(since) - 1) / (window.limit or 1)
        for other in next((group for group in self.alike if route in group), {route}):
            limit = self._window(other)
            if limit.limit is None:
                continue
            # The same jobs share the check's other route alike, unless this job's own part
            # of it is larger (it was its main way): never below what it took there.
            own = limit.sent_since(since) / limit.limit
            part = refused if other == route else max(refused, own)
            share = self.shares.setdefault(other, Share(limit.window))
            share.cut(
                now,
                part * limit.limit / limit.window,
                BUCKET_WINDOWS * part * limit.limit,
                unheld=other == route and wait <= 0.0,
            )

    def _window(self, route: str) -> RateLimit:
        return self.windows.setdefault(route, RateLimit())

"""What a platform's rate limits ask of qarun: its documented limits, the holds its 429s set,
and the share of the key this job keeps once a 429 has shown that others use it too.

Jobs that share a key cannot talk to each other; every 429 tells each of them the key is
full. Where the platform documents its limit (Qualigate: 30 requests a minute per key on
each endpoint, a sliding window as far as its documents tell), they share it the way TCP's
congestion control shares a link (additive increase, multiplicative decrease: Chiu and Jain,
"Analysis of the Increase and Decrease Algorithms for Congestion Avoidance in Computer
Networks", 1989; RFC 5681 for TCP), per endpoint, with what the window itself tells:

- **The hold: this job's own slot.** A 429 with `retry_after` w on a window of W seconds says
  the key's `limit` requests came in its last W - w seconds, and that they leave it one by
  one, each a window after it was sent. The job comes back when the first of its own
  requests among them leaves (never before w, never after 2 w: a platform whose window is
  shorter than documented says so with short waits). Jobs refused together come back as
  their own slots free, apart, with no spread to tune; a job with none of its answered
  requests in the window comes back at a random moment of as long again as the wait (w plus
  up to w, or up to W - w if shorter). Past w, the hold is a courtesy to the other jobs: it
  gives way to the `timeout`'s last check.
- **Decrease, sized by the 429.** Had every job sent at its pace times (W - w) / W, the key
  would have been exactly full: for this job, the requests it sent in those W - w seconds,
  spread over the whole window. Every job cutting alike leaves the fleet at the key's
  capacity, whatever its size, in one step (as DCTCP sizes its cut by the share of marked
  packets; RFC 8257). The route a check could take instead (Qualigate's /results for
  GET /trigger) is cut alike, never below this job's own part of it, and carries the check
  while the refused one is held; the jobs refused together turn to it spread over the W - w
  seconds in which they filled the other (jitter sized by the window, not by a constant).
  A cut never speeds a job up.
- **Additive increase, once the window frees.** Until the w seconds are over, the other
  route carries every refused job at once, exactly full: no part grows. From then on each
  grows by INCREASE requests a window, every window (measured; TCP grows one segment a
  round trip): jobs that end free their share, and the others take it up.
- **Both routes, while shared.** A check asks the first route (GET /trigger shows the
  steps), or, while this job is paced below the documented limit, the route it used least
  in the window: the jobs stop refusing each other on one route while the other idles.
- **A bucket.** The pace is a token bucket BUCKET_WINDOWS windows of the job's part deep:
  checks not made while a run's end is far keep for the end (nothing is saved during a
  hold: the job's own slots free one by one).
- A refused request counts against the documented limit, so a platform that refuses with no
  wait is not asked in a loop, but holds no slot in the key and makes no part.

Where no limit is documented (Panto, QA.tech), qarun knows neither window nor limit: a 429
holds its endpoint for the wait it asks and, as a job with no slot of its own does above, up
to as long again, at most SPREAD_CAP seconds more.

The job's part gives way to the `timeout`'s last check (`HttpClient`); the holds and the
documented limit never do. A job alone never sees a 429 and is never paced below the
platform's documented limit; the schedule of checks (`wait.Schedule`) knows nothing of
this: the HTTP client asks `KeyLimits` how long to wait before calling an endpoint, and
which of two endpoints to call.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Where no limit is documented, a 429's hold is lengthened at random by up to as long again
# as its wait, at most this many seconds, so that jobs refused together come back apart
# (bench/README.md, "Third after", `bench.untold`, ten jobs, tuning set: at most 0.1 s: 7.63 s
# and 31.5 % 429s, 2 s: 7.99 s and 27.9 %, 5 s: 8.08 s and 23.6 %, 10 s: 8.55 s and 19.0 %,
# 30 s: 11.32 s and 17.3 %; the two constants it replaces, half the wait up to 10 s more:
# 8.57 s and 19.1 %).
SPREAD_CAP = 10.0
# How fast a job's part grows back once the key's window begins to free: this many requests
# a window, every window (TCP grows one segment a round trip). Measured while the rule was
# chosen (tuning set, 10 jobs, stalled-after-jump; bench/README.md, "Second after"): 1: 6.67 s
# and 9.6 % 429s, 2: 6.07 s and 9.5 %, 4: 5.84 s, 8: 5.81 s, 16: 5.90 s, 64: 5.78 s (all 9.4 %),
# no part at all once the window frees: 5.74 s and 9.7 %, but 10.3 % under even progress.
# 8 is the smallest on the plateau (the random draws alone move a figure by about 0.15 s).
# At 20 jobs ("Third after"): 1: 12.42 s and 18.0 %, 2: 12.12 s and 18.4 %, 8: 10.88 s and 20.1 %.
INCREASE = 8.0
# How many windows of its part a job may save for later: checks it does not make while its
# runs' ends are far keep for those it aims at a forecast end, or for when the key frees
# (bench/README.md, "Second after", tuning set, stalled-after-jump, lag at 10 and 20 jobs:
# 0 windows 6.08 s and 15.30 s, 1: 6.11 s and 15.29 s, 2: 6.06 s and 11.98 s; 429s 9.7-9.8 %
# and 20.3-20.6 % alike).
BUCKET_WINDOWS = 2.0


@dataclass
class RateLimit:
    """At most `limit` requests per `window` seconds to one endpoint (Qualigate: 30 a minute;
    None: no documented limit), and the moments this job sent them."""

    limit: int | None = None
    window: float = 60.0
    # When each request went, and whether it was refused: a refused one counts against the
    # limit here (a platform refusing with no wait is not asked in a loop), but holds no
    # slot in the key.
    sent: deque[tuple[float, bool]] = field(default_factory=deque)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next request may go out."""
        self._forget(now)
        if self.limit is None or len(self.sent) < self.limit:
            return 0.0
        return self.window - (now - self.sent[0][0])

    def refuse_last(self) -> None:
        """The last request sent was refused."""
        if self.sent:
            self.sent[-1] = (self.sent[-1][0], True)

    def answered_since(self, moment: float) -> list[float]:
        """When the requests sent since `moment` that were not refused were sent."""
        return [at for at, refused in self.sent if at >= moment and not refused]

    def sent_since(self, moment: float) -> int:
        return sum(1 for at, _ in self.sent if at >= moment)

    def _forget(self, now: float) -> None:
        while self.sent and now - self.sent[0][0] >= self.window:
            self.sent.popleft()


@dataclass
class Share:
    """This job's part of one endpoint of a shared key: none until a 429, then a token
    bucket whose rate grows (AIMD). Tokens a job does not spend while its checks are far
    apart keep (up to BUCKET_WINDOWS windows of its part) for the checks it aims at a
    forecast end."""

    window: float
    # Requests a second allowed when last cut (None: never refused), and from when it grows.
    rate: float | None = None
    grows_from: float = 0.0
    # The bucket: at most `depth` requests ahead, `tokens` of them there at `counted_at`.
    depth: float = 1.0
    tokens: float = 1.0
    counted_at: float = 0.0

    def allowed(self, now: float) -> float | None:
        """The pace now: the cut's, plus INCREASE requests a window for every window since
        it began to grow."""
        if self.rate is None:
            return None
        return self.rate + INCREASE * max(0.0, now - self.grows_from) / self.window**2

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

    def cut(
        self, now: float, rate: float, depth: float, *, grows_from: float, tokens: float, at: float
    ) -> None:
        """A 429: from now on at most `rate` requests a second, growing again from
        `grows_from`, at most `depth` ahead, with `tokens` in the bucket at `at` (now, or when
        the endpoint's hold ends: nothing is saved during it). A cut never speeds a job up:
        not its pace, not its growth, not its bucket."""
        current = self.allowed(now)
        if current is not None:
            rate = min(rate, current)
            tokens = min(tokens, self._tokens(now, current))
            grows_from = max(grows_from, self.grows_from)
            depth = min(depth, self.depth)
        self.rate, self.grows_from = rate, grows_from
        self.depth = max(1.0, depth)
        self.tokens, self.counted_at = tokens, at

    def _tokens(self, now: float, pace: float) -> float:
        return min(self.depth, self.tokens + max(0.0, now - self.counted_at) * pace)


@dataclass
class KeyLimits:
    """Everything qarun knows about its key's limits, by endpoint ("METHOD /path")."""

    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    # Limits the platform documents (or none), and what this job sent, by endpoint.
    windows: dict[str, RateLimit] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)
    # Until when (clock) qarun keeps off an endpoint after a 429, and until when the 429
    # itself asked (`floors`): the rest is this job's courtesy to the others on the key, which
    # gives way to the deadline's last check as its part does.
    holds: dict[str, float] = field(default_factory=dict)
    floors: dict[str, float] = field(default_factory=dict)
    # Endpoints that answer the same check (Qualigate's GET /trigger and /results): a 429 on
    # one cuts this job's pace on each.
    alike: list[set[str]] = field(default_factory=list)
    # Where no limit is documented, the most a 429's hold is lengthened (SPREAD_CAP; the
    # benches try others).
    spread_cap: float = SPREAD_CAP

    def document(self, route: str, per_minute: int) -> None:
        """The platform's documented limit on `route`."""
        self._window(route).limit = per_minute

    def held(self, route: str, courtesy: bool = True) -> float:
        """Seconds until the last 429 from `route` lets qarun call it again (`courtesy`
        False: until the wait the 429 asked is over)."""
        until = (self.holds if courtesy else self.floors).get(route, 0.0)
        return max(0.0, until - self.clock())

    def wait_before(self, route: str, shared: bool = True) -> float:
        """Seconds to wait before calling `route`: its hold, its documented limit and (if
        `shared`) this job's share of the key and its courtesy after a 429."""
        now = self.clock()
        window = self._window(route)
        share = self.shares.get(route) if shared else None
        paced = share.delay(now) if share is not None else 0.0
        return max(self.held(route, courtesy=shared), window.delay(now), paced)

    def pace(self, route: str) -> float | None:
        """Seconds between requests to `route` this job keeps to now (None: not paced)."""
        allowed = self._allowed(route)
        return None if allowed is None else 1 / allowed

    def alternatives(self, routes: set[str]) -> None:
        """`routes` answer the same check: they share one cut."""
        self.alike.append(routes)

    def sent(self, route: str, shared: bool = True) -> None:
        now = self.clock()
        self._window(route).sent.append((now, False))
        share = self.shares.get(route) if shared else None
        if share is not None:
            share.spend(now)

    def refused(self, route: str, wait: float | None) -> None:
        """A 429 on `route`, asking to wait `wait` seconds (None: it did not say). The refused
        request stays counted against the documented limit: a platform that keeps refusing
        with no wait is still asked at most that often."""
        now = self.clock()
        window = self._window(route)
        window.refuse_last()
        if window.limit is not None:
            asked = max(0.0, wait or 0.0)
            self.floors[route] = now + asked
            self.holds[route] = self._own_slot(window, now, asked)
            self._cut(route, window, asked)
        elif wait is not None:
            # Spread as a retry's wait is: the jobs refused together come back apart.
            self.floors[route] = now + wait
            self.holds[route] = now + self.spread(wait)

    def lift(self, route: str) -> None:
        """The hold on `route` was waited out."""
        self.holds.pop(route, None)
        self.floors.pop(route, None)

    def spread(self, wait: float) -> float:
        """`wait` and up to as long again, at most `spread_cap` longer."""
        return wait + self.rng.uniform(0.0, min(wait, self.spread_cap))

    def choose(self, routes: Sequence[str], shared: bool = True) -> int:
        """The index of the route that can be called soonest. On a tie between routes free
        now, the first (it may say more), unless this job is paced below the documented limit
        on one of them (the key is shared): then the one it has used least in the last
        window, so that the jobs on the key spread their checks over both routes instead of
        refusing each other on one while the other idles. `shared` False: by the platform's
        own waits only, as when the deadline comes first."""
        waits = [self.wait_before(route, shared) for route in routes]
        free = [index for index, wait in enumerate(waits) if wait <= 0.0]
        if len(free) < 2 or not any(self._paced_below_limit(route) for route in routes):
            return waits.index(min(waits))
        now = self.clock()
        windows = [self._window(route) for route in routes]
        return min(free, key=lambda i: windows[i].sent_since(now - windows[i].window))

    def _allowed(self, route: str) -> float | None:
        """Requests a second this job's share of `route` allows now (None: not paced)."""
        share = self.shares.get(route)
        return share.allowed(self.clock()) if share is not None else None

    def _paced_below_limit(self, route: str) -> bool:
        allowed, window = self._allowed(route), self._window(route)
        return (
            allowed is not None
            and window.limit is not None
            and allowed * window.window < window.limit
        )

    @staticmethod
    def _filled(window: RateLimit, wait: float) -> float:
        """The seconds in which the key's window filled, by a 429's `wait`: the window less the
        wait, or the whole window where the wait says nothing of it (none, or all of it)."""
        if 0.0 < wait < window.window:
            return max(window.window - wait, 1.0)
        return window.window

    def _own_slot(self, window: RateLimit, now: float, wait: float) -> float:
        """When this job may call a documented route again after a 429. The key's window
        filled in its last `filled` seconds; it slides, so the requests this job had answered
        in them leave it one by one, the first at its own moment: the job comes back then,
        and the jobs refused together come back as their own slots free, without a spread.
        A job with none of them comes back at a random moment of as long again as the wait
        (or the window's filling, if shorter). Never before the platform's `wait`, never after
        twice it: a platform whose window is shorter than documented says so with short
        waits."""
        filled = self._filled(window, wait)
        own = window.answered_since(now - filled)
        if own:
            back = own[0] + window.window
        else:
            back = now + wait + self.rng.uniform(0.0, min(filled, wait))
        return max(now + wait, min(back, now + 2 * wait))

    def _cut(self, route: str, window: RateLimit, wait: float) -> None:
        """This job's part of the key, on `route` and on each route that answers the same
        check, from a 429 on `route` (`window`)."""
        now = self.clock()
        # The requests that filled the key's window came in its last `filled` seconds: this
        # job's part of them (its answered ones), spread over the whole window, fills it
        # exactly once every job does the same.
        filled = self._filled(window, wait)
        since = now - filled
        part_here = max(1, len(window.answered_since(since))) / (window.limit or 1)
        # The key's window begins to free after `wait` (at the latest, a window on): from then
        # on the parts grow back.
        frees_at = now + min(wait, window.window)
        for other in next((group for group in self.alike if route in group), {route}):
            limits = self._window(other)
            if limits.limit is None:
                continue
            # The same jobs share the check's other route alike, unless this job's own part
            # of it is larger (it was its main way): never below what it took there.
            own = len(limits.answered_since(since)) / limits.limit
            part = part_here if other == route else max(part_here, own)
            rate = part * limits.limit / limits.window
            if self.held(other) > 0.0:
                # Held (the refused route, or the other one by an earlier 429): one request
                # when its hold ends, then its pace; nothing saved during the hold, as its
                # own slots free one by one.
                tokens, at = 1.0, self.holds[other]
            elif other == route:
                # Refused with no wait, so not held: nothing before its new pace.
                tokens, at = 0.0, now
            else:
                # The jobs refused together turn to the other route spread over the seconds
                # they took to fill this one (at most one interval of their part there):
                # they come to it as fast as they came here, not all at once.
                tokens, at = 1.0 - self.rng.uniform(0.0, min(1.0, filled * rate)), now
            share = self.shares.setdefault(other, Share(limits.window))
            # Until the window begins to free, the other route carries the check for every
            # job at once, exactly full: no part grows before.
            share.cut(
                now,
                rate,
                BUCKET_WINDOWS * part * limits.limit,
                grows_from=frees_at,
                tokens=tokens,
                at=at,
            )

    def _window(self, route: str) -> RateLimit:
        return self.windows.setdefault(route, RateLimit())

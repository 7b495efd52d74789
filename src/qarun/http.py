"""The one way qarun talks to a platform: timeouts, retries, errors with the platform's words.

Reads (status polls, results) are retried on network errors, timeouts, 5xx,
429 and garbled bodies, under a budget of consecutive failures that resets
after every good answer. A trigger is sent again only when the platform cannot
have acted on it: the connection was never made, or it answered 429 or 503.

A 429 holds its endpoint for the wait it asks (spread a little): no request of the
run calls it before the hold ends. A caller with another endpoint to ask (Qualigate's
/results) asks that one meanwhile, unless the hold is about to end (`read_or_limited`,
`first_unrefused`). Each 429 also slows the wait loop's schedule (`Throttle`).

Nothing runs past the `timeout` deadline: the whole request (connect, headers,
body) gets the time left and is abandoned after it, and a retry that would
start after it is not made. The wait then
ends as a timeout after a 429 or a single failure, and with the platform's last
error (exit 3) once it has failed several times in a row.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests import Response

from qarun import __version__
from qarun.cancel import WorkTimedOut
from qarun.errors import (
    AuthError,
    MalformedAnswerError,
    NotFoundError,
    OutOfTimeError,
    PlatformError,
    RateLimitedError,
)
from qarun.http_failures import (
    Retryable,
    network_problem,
    out_of_time,
    platform_message,
    retry_after,
    snippet,
    too_slow,
    tried_error,
    uncertain,
)
from qarun.request import Request

USER_AGENT = f"qarun/{__version__} (+https://github.com/features/actions)"
# (connect, read) seconds. A status poll that takes longer than this is a failed poll.
DEFAULT_TIMEOUT = (10.0, 30.0)
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
# Near the deadline a request still gets this long: the last look at the runs must be able to land.
MIN_REQUEST_TIMEOUT = 2.0
# No request starts with less than this left before the deadline (at most this share of the
# whole `timeout`): it could not be answered in time. The wait loop's last look leaves twice
# as much (wait.LAST_LOOK, LAST_LOOK_SHARE).
MIN_ANSWER = 0.5
MIN_ANSWER_SHARE = 0.05


def min_answer(timeout: float) -> float:
    """The least time left before the deadline with which a request is still sent."""
    return min(MIN_ANSWER, MIN_ANSWER_SHARE * timeout)


def new_session() -> requests.Session:
    """The platforms' session: proxies (`HTTPS_PROXY`, `NO_PROXY`, …) and gzip as requests
    does them, connections kept alive between polls."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def ca_bundle() -> str | bool:
    """The CA certificates to trust: requests' own variables, then OpenSSL's `SSL_CERT_FILE`
    (which requests alone would not read), else certifi's bundle."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        if os.environ.get(name):
            return os.environ[name]
    return True


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. `attempts` counts consecutive failures."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.25
    # The longest 429 wait qarun honours before treating the platform as unusable.
    max_rate_limit_wait: float = 300.0

    def backoff(self, failure: int, rng: random.Random) -> float:
        """Exponential backoff for the n-th consecutive failure (1-based), with jitter."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (failure - 1))
        return delay * (1 + self.jitter * (2 * rng.random() - 1))


@dataclass
class Throttle:
    """Shared by client and scheduler: each 429 slows the schedule down (`hit`), and the
    slowdown halves with every THROTTLE_HALF_LIFE seconds without one: the jobs that
    share a key end, and their share of its limit comes back."""

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
class HttpClient:
    """A platform's API at `base_url`, with its auth headers."""

    base_url: str
    headers: Mapping[str, str]
    session: requests.Session = field(default_factory=new_session)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    # Runs the blocking request within a budget of seconds (cancel.Cancellation.call): the
    # deadline bounds the whole request, not each read, and a signal abandons it.
    call: Callable[[Callable[[], Response], float | None], Response] = lambda work, budget: work()
    clock: Callable[[], float] = time.monotonic
    notify: Callable[[str], None] = lambda message: None
    # Applied to the platform's text before it is cut short for a message, so that a
    # secret echoed back cannot survive in part.
    redact: Callable[[str], str] = lambda text: text
    rng: random.Random = field(default_factory=random.Random)
    # The 429s' slowdown, on the client's clock; the schedule reads it too.
    throttle: Throttle = field(init=False)
    # Monotonic time after which no request or retry wait may end (main.py sets it), and
    # the least time before it with which a request is still sent (`min_answer`).
    deadline: float | None = None
    min_answer: float = 0.0
    # Client-side limits by "METHOD /path", for platforms that document one.
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    # Until when (clock) a 429 asked qarun not to call "METHOD /path" again.
    refused_until: dict[str, float] = field(default_factory=dict)
    # The platform's own way of saying "wrong key", whatever the HTTP code (Panto's `error`).
    rejects_key: Callable[[Any], bool] = lambda body: False

    def __post_init__(self) -> None:
        self.throttle = Throttle(clock=self.clock)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def read(self, request: Request) -> Any:
        """GET (or any idempotent call) returning JSON, retried while it is safe and useful."""
        return self._retrying(request, give_up=self._spent, error=tried_error)

    def read_or_limited(self, request: Request) -> Any:
        """`read`, except that a 429 with a wait is not waited out: RateLimitedError at once.
        For a caller that can ask an endpoint with a rate limit of its own meanwhile."""

        def give_up(problem: Retryable, failures: int) -> bool:
            if problem.error.status_code == 429 and problem.wait is not None:
                # Said in the log as a retry's wait is: why the checks slow down from here.
                self.notify(
                    f"{request.method} {request.path}: {problem.error} Held back for "
                    f"{problem.wait:.0f} s; asking another way meanwhile, and checking "
                    f"{self.throttle.factor:.1f} times less often for a while."
                )
                raise RateLimitedError(str(problem.error), status_code=429)
            return self._spent(problem, failures)

        return self._retrying(request, give_up=give_up, error=tried_error)

    def first_unrefused(self, requests: Sequence[Request]) -> int:
        """The index of the first request whose endpoint no 429 is holding back. Waits
        (within the deadline) for the first request when its hold ends within SHORT_HOLD,
        and when all are held back, for the first to be free."""
        while True:
            left = [self._held(request) for request in requests]
            short = left[0] <= SHORT_HOLD and self._ends_in_time(left[0])
            # Otherwise the first free (held 0 s), or the first to be free.
            index = 0 if short else left.index(min(left))
            if left[index] == 0.0:
                return index
            # The 429s' waits, spread already: the request waited for goes once it is free.
            # Not a retry: this check has not been asked yet, its endpoint was refused before.
            refused = RateLimitedError("Held back by an earlier 429.", status_code=429)
            problem = Retryable(refused, unreceived=True, wait=left[index])
            self._wait_out(requests[index], problem, 1, left[index], then="Asking")

    def send(self, request: Request) -> Any:
        """A trigger: re-sent only when the platform cannot have acted on it."""

        def give_up(problem: Retryable, failures: int) -> bool:
            return not problem.unreceived or self._spent(problem, failures)

        return self._retrying(request, give_up=give_up, error=uncertain)

    def _retrying(
        self,
        request: Request,
        *,
        give_up: Callable[[Retryable, int], bool],
        error: Callable[[Request, Retryable, int], PlatformError],
    ) -> Any:
        """The one retry loop: `give_up` says when a failure ends it, with `error`."""
        failures = 0
        while True:
            try:
                return self._once(request)
            except Retryable as problem:
                failures += 1
                if give_up(problem, failures):
                    raise error(request, problem, failures) from None
                self._pause(request, problem, failures)

    def _spent(self, problem: Retryable, failures: int) -> bool:
        """The retry budget is used up (a 429's own wait is always honoured)."""
        return failures >= self.policy.attempts and problem.wait is None

    def _pause(self, request: Request, problem: Retryable, failures: int) -> None:
        self._wait_out(request, problem, failures, self._delay(request, problem, failures))
        # Waited out: the endpoint's hold, if a 429 set one, is over.
        self.refused_until.pop(_route(request), None)

    def _wait_out(
        self,
        request: Request,
        problem: Retryable,
        failures: int,
        delay: float,
        then: str = "Retrying",
    ) -> None:
        if not self._ends_in_time(delay):
            raise out_of_time(request, problem, failures)
        self.notify(f"{request.method} {request.path}: {problem.error} {then} in {delay:.1f} s.")
        self.sleep(delay)

    def _delay(self, request: Request, problem: Retryable, failures: int) -> float:
        backoff = self.policy.backoff(failures, self.rng)
        if problem.wait is None:
            return backoff
        if problem.wait > self.policy.max_rate_limit_wait:
            raise PlatformError(
                f"The platform asked qarun to wait {problem.wait:.0f} s before calling "
                f"again ({request.what}); that is too long to keep waiting.",
                status_code=429,
            )
        # A platform that keeps asking for (almost) no wait still gets backed off from.
        wait = problem.wait if failures < self.policy.attempts else max(problem.wait, backoff)
        # The hold the 429 set, spread already (`_answer`), and never less than asked.
        return max(wait, self._held(request))

    def _spread(self, wait: float) -> float:
        return wait + self.rng.uniform(0, min(wait, RATE_LIMIT_SPREAD_CAP) * RATE_LIMIT_SPREAD)

    def _slower_after(self, request: Request, wait: float | None) -> float:
        """How much slower to go after a 429: twice, or where the platform documents its
        window, by how much the key is over its limit. The requests that filled the window
        came in its first `window - wait` seconds: the key was asked `window / (window -
        wait)` times what it allows."""
        limit = self.rate_limits.get(_route(request))
        if limit is None or wait is None:
            return 2.0
        over = limit.window / max(limit.window - wait, limit.window / MAX_THROTTLE)
        return over / SHARE_AFTER_429

    def _held(self, request: Request) -> float:
        """Seconds until the last 429 from this endpoint lets qarun call it again."""
        return max(0.0, self.refused_until.get(_route(request), 0.0) - self.clock())

    def _respect_rate_limit(self, request: Request) -> None:
        """Waits out a 429's hold on the endpoint (asked for by another run's check, say),
        and paces under the platform's documented limit."""
        limit = self.rate_limits.get(_route(request))
        delay = self._held(request)
        if limit is not None:
            delay = max(delay, limit.delay(self.clock()))
        if delay > 0:
            if not self._ends_in_time(delay):
                raise OutOfTimeError(
                    f"The `timeout` ran out while qarun paced its requests for {request.what} "
                    "under the platform's rate limit."
                )
            self.sleep(delay)
        if limit is not None:
            limit.sent.append(self.clock())

    def _once(self, request: Request) -> Any:
        self._respect_rate_limit(request)
        if self.deadline is not None and self.deadline - self.clock() < self.min_answer:
            # Sent now, it could not be answered in time: a trigger or a rerun would be left
            # uncertain. Nothing is sent.
            raise OutOfTimeError(
                f"The `timeout` had too little time left to ask for {request.what}; nothing "
                "was sent."
            )
        headers = {"Accept": "application/json", **self.headers}
        body = None
        if request.method != "GET" and request.body is not None:
            body = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        session, timeouts = self.session, self._timeouts()
        try:
            response = self.call(
                lambda: session.request(
                    request.method,
                    self.url(request.path),
                    params=request.params,
                    data=body,
                    headers=headers,
                    timeout=timeouts,
                    # The key must not travel to another host: a redirect is reported.
                    allow_redirects=False,
                    verify=ca_bundle(),
                ),
                self._budget(),
            )
        except requests.RequestException as failure:
            raise network_problem(self._host(), failure) from None
        except WorkTimedOut:
            # The abandoned request still holds its session: the next one gets a new one.
            self.session = new_session()
            raise too_slow(request) from None
        return self._answer(request, response)

    def _ends_in_time(self, delay: float) -> bool:
        """A wait of `delay` seconds from now ends by the deadline."""
        return self.deadline is None or self.clock() + delay <= self.deadline

    def _budget(self) -> float | None:
        """Seconds the whole request may take: what is left before the deadline."""
        return None if self.deadline is None else max(0.0, self.deadline - self.clock())

    def _timeouts(self) -> tuple[float, float]:
        """The client's timeouts, cut to the time left before the deadline: no hang past it."""
        if self.deadline is None:
            return self.timeout
        left = max(MIN_REQUEST_TIMEOUT, self.deadline - self.clock())
        connect, read = self.timeout
        return min(connect, left), min(read, left)

    def _rejects_key(self, response: Response) -> bool:
        try:
            return self.rejects_key(response.json())
        except ValueError:
            return False

    def _host(self) -> str:
        """Where the platform is, for messages; never the URL's user or password."""
        parts = urlsplit(self.base_url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)

    def _answer(self, request: Request, response: Response) -> Any:
        code = response.status_code
        message = platform_message(response, self.redact)
        if code in (401, 403) or self._rejects_key(response):
            raise AuthError(
                f"The platform rejected the API key (HTTP {code}: {message}).",
                status_code=code,
            )
        if code == 404:
            raise NotFoundError(
                f"The platform found no {request.what} (HTTP 404: {message}).", status_code=code
            )
        if code == 429:
            wait = retry_after(response)
            self.throttle.hit(self._slower_after(request, wait))
            if wait is not None:
                # Spread as a retry's wait is: the jobs refused together come back apart.
                self.refused_until[_route(request)] = self.clock() + self._spread(wait)
            raise Retryable(
                PlatformError(f"Rate limited (HTTP 429: {message}).", status_code=code),
                unreceived=True,
                wait=wait,
            )
        if code >= 500:
            raise Retryable(
                PlatformError(f"The platform failed (HTTP {code}: {message}).", status_code=code),
                unreceived=code == 503,
            )
        if code >= 400:
            raise PlatformError(
                f"The platform refused {request.what} (HTTP {code}: {message}).",
                status_code=code,
            )
        if code >= 300:
            where = response.headers.get("Location") or "another address"
            raise PlatformError(
                f"The platform sent {request.what} on to {where} (HTTP {code}); "
                "set `api-url` to the address the platform documents.",
                status_code=code,
            )
        try:
            return response.json()
        except ValueError:
            raise Retryable(
                MalformedAnswerError(
                    f"The platform's answer to {request.what} is not JSON "
                    f"(HTTP {code}, starts with {snippet(self.redact(response.text))!r})."
                ),
                unreceived=False,
            ) from None


def _route(request: Request) -> str:
    """The key of an endpoint's rate limit: "METHOD /path"."""
    return f"{request.method} {request.path}"

"""The one way qarun talks to a platform: timeouts, retries, errors with the platform's words.

Reads (status polls, results) are retried on network errors, timeouts, 5xx,
429 and garbled bodies, under a budget of consecutive failures that resets
after every good answer. A trigger is sent again only when the platform cannot
have acted on it: the connection was never made, or it answered 429 or 503.

What a 429 asks (its hold on the endpoint, this job's share of the key from then on) and
the platform's documented limits are `ratelimit.KeyLimits`; the `timeout` deadline every
request answers to is `deadline.Deadline`. A caller with another endpoint to ask
(Qualigate's /results) asks the one `KeyLimits.choose` picks (`first_unrefused`), and the
other while a 429 holds the first (`read_or_limited`).

The wait ends as a timeout after a 429 or a single failure that the deadline cut
short, and with the platform's last error (exit 3) once it has failed several times
in a row.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests import Response

from qarun import __version__
from qarun.cancel import WorkTimedOut
from qarun.deadline import Deadline
from qarun.errors import (
    AuthError,
    MalformedAnswerError,
    NotFoundError,
    OutOfTimeError,
    PlatformError,
    RateLimitedError,
    input_named,
)
from qarun.http_failures import (
    UNREADABLE_JSON,
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
from qarun.ratelimit import KeyLimits
from qarun.request import Request

USER_AGENT = f"qarun/{__version__} (+https://github.com/features/actions)"
# (connect, read) seconds. A status poll that takes longer than this is a failed poll.
DEFAULT_TIMEOUT = (10.0, 30.0)


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
    # The `timeout` deadline (main.py sets it); none by default (a Deadline without `at`
    # never reads its clock).
    deadline: Deadline = field(default_factory=Deadline)
    # The platform's documented limits and what its 429s asked, on the client's clock.
    limits: KeyLimits = field(init=False)
    # The platform's own way of saying "wrong key", whatever the HTTP code (Panto's `error`).
    rejects_key: Callable[[Any], bool] = lambda body: False
    # Messages (its own `--api-url`, and its providers') name the `qarun` command's options,
    # not the action's inputs.
    as_options: bool = False

    def __post_init__(self) -> None:
        self.limits = KeyLimits(clock=self.clock, rng=self.rng)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def pause(self, seconds: float) -> bool:
        """A provider's own pause (before reading again), taken only where it ends by the
        deadline; False when it would not, and was not taken."""
        if not self.deadline.allows(seconds):
            return False
        self.sleep(seconds)
        return True

    def read(self, request: Request) -> Any:
        """GET (or any idempotent call) returning JSON, retried while it is safe and useful."""
        return self._retrying(request, give_up=self._spent, error=tried_error)

    def read_or_limited(self, request: Request) -> Any:
        """`read`, except that a 429 is not waited out: RateLimitedError at once (with a wait
        or without one). For a caller that can ask an endpoint with a rate limit of its own
        meanwhile."""

        def give_up(problem: Retryable, failures: int) -> bool:
            if problem.error.status_code == 429:
                # Said in the log as a retry's wait is: why the checks slow down from here.
                route = _route(request)
                self.notify(
                    f"{request.method} {request.path}: {problem.error} Held back for "
                    f"{self.limits.held(route):.0f} s; asking another way meanwhile"
                    f"{_paced(self.limits.pace(route))}."
                )
                raise RateLimitedError(
                    str(problem.error), status_code=429, waited=problem.wait is not None
                )
            return self._spent(problem, failures)

        return self._retrying(request, give_up=give_up, error=tried_error)

    def first_unrefused(self, requests: Sequence[Request]) -> int:
        """The index of the request whose endpoint can be called soonest (`KeyLimits.choose`):
        no 429 holding it back, within the platform's limit and this job's share of the key.
        When every one is held back by a 429, waits (within the deadline) for the first free."""
        routes = [_route(request) for request in requests]
        index = self.limits.choose(routes)
        if not self.deadline.answerable(after=self.limits.wait_before(routes[index])):
            # The deadline comes first: only the platform's own waits count (`_before_deadline`).
            index = self.limits.choose(routes, shared=False)
        held = self._hold(routes[index])
        if held > 0.0:
            # The 429's hold: the request waited for goes once it is over.
            # Not a retry: this check has not been asked yet, its endpoint was refused before.
            refused = RateLimitedError("Held back by an earlier 429.", status_code=429)
            problem = Retryable(refused, unreceived=True, wait=held)
            self._wait_out(requests[index], problem, 1, held, then="Asking")
        return index

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
        # After a 429, the log says how the checks slow down from here, as `read_or_limited` does.
        pace = self.limits.pace(_route(request)) if problem.error.status_code == 429 else None
        delay = self._delay(request, problem, failures)
        self._wait_out(request, problem, failures, delay, then="Retrying", paced=_paced(pace))
        # Waited out: the endpoint's hold, if a 429 set one, is over.
        self.limits.lift(_route(request))

    def _wait_out(
        self,
        request: Request,
        problem: Retryable,
        failures: int,
        delay: float,
        *,
        then: str,
        paced: str = "",
    ) -> None:
        if not self.deadline.allows(delay):
            raise out_of_time(request, problem, failures)
        self.notify(
            f"{request.method} {request.path}: {problem.error} {then} in {delay:.1f} s{paced}."
        )
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
        # The hold the 429 set (`_answer`), and never less than asked.
        return max(wait, self._hold(_route(request)))

    def _hold(self, route: str) -> float:
        """Seconds to keep off `route` after its 429 (`_before_deadline`)."""
        return self._before_deadline(
            self.limits.held(route), lambda: self.limits.held(route, courtesy=False)
        )

    def _before_deadline(self, wait: float, the_platforms: Callable[[], float]) -> float:
        """`wait`, or, where a request after it could not be answered by the deadline, only
        what the platform's own rules ask (`the_platforms`): this job's part of a shared key
        and its courtesy after a 429 spare the other jobs, but the last check, and what the
        poll already read, are worth more."""
        if wait > 0.0 and not self.deadline.answerable(after=wait):
            return the_platforms()
        return wait

    def _respect_rate_limit(self, request: Request) -> None:
        """Waits out a 429's hold on the endpoint (asked for by another run's check, say),
        and paces under the platform's documented limit and this job's part of the key."""
        route = _route(request)
        delay = self._before_deadline(
            self.limits.wait_before(route, request.shared),
            lambda: self.limits.wait_before(route, shared=False),
        )
        if delay > 0:
            if not self.deadline.allows(delay):
                raise OutOfTimeError(
                    f"The timeout ran out while qarun paced its requests for {request.what} "
                    "under the platform's rate limit."
                )
            self.sleep(delay)
        self.limits.sent(route, request.shared)

    def _once(self, request: Request) -> Any:
        self._respect_rate_limit(request)
        if not self.deadline.answerable():
            # Sent now, it could not be answered in time: a trigger or a rerun would be left
            # uncertain. Nothing is sent.
            raise OutOfTimeError(
                f"The timeout had too little time left to ask for {request.what}; nothing was sent."
            )
        headers = {"Accept": "application/json", **self.headers}
        body = None
        if request.method != "GET" and request.body is not None:
            body = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        session, timeouts = self.session, self.deadline.timeouts(self.timeout)
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
                self.deadline.left(),
            )
        except requests.RequestException as failure:
            raise network_problem(self._host(), failure) from None
        except WorkTimedOut:
            # The abandoned request still holds its session: the next one gets a new one.
            self.session = new_session()
            raise too_slow(request) from None
        return self._answer(request, response)

    def _rejects_key(self, response: Response) -> bool:
        try:
            return self.rejects_key(response.json())
        except UNREADABLE_JSON:
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
            self.limits.refused(_route(request), wait)
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
                f"The platform sent {request.what} on to {where} (HTTP {code}); set "
                f"{input_named('api-url', self.as_options)} to the address the platform "
                "documents.",
                status_code=code,
            )
        try:
            return response.json()
        except UNREADABLE_JSON:
            raise Retryable(
                MalformedAnswerError(
                    f"The platform's answer to {request.what} is not JSON "
                    f"(HTTP {code}, starts with {snippet(self.redact(response.text))!r})."
                ),
                unreceived=False,
            ) from None


def _paced(pace: float | None) -> str:
    """What a 429 left of this job's pace on a shared key, for the log."""
    if pace is None:
        return ""
    return f", and calling it at most once every {pace:.0f} s while the key is shared"


def _route(request: Request) -> str:
    """The key of an endpoint's rate limit: "METHOD /path"."""
    return f"{request.method} {request.path}"

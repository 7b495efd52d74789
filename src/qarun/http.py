"""The one way qarun talks to a platform: timeouts, retries, errors with the platform's words.

Reads (status polls, results) are retried on network errors, timeouts, 5xx,
429 and garbled bodies, under a budget of consecutive failures that resets
after every good answer. A trigger is sent again only when the platform cannot
have acted on it: the connection was never made, or it answered 429 or 503.
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from qarun import __version__
from qarun.errors import (
    AuthError,
    MalformedAnswerError,
    NotFoundError,
    OutOfTimeError,
    PlatformError,
    TriggerUncertainError,
)

USER_AGENT = f"qarun/{__version__} (+https://github.com/features/actions)"
# (connect, read) seconds. A status poll that takes longer than this is a failed poll.
DEFAULT_TIMEOUT = (10.0, 30.0)
_MAX_MESSAGE = 300


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


@dataclass(frozen=True)
class Request:
    """A request qarun would send: what dry-run prints and what the client sends."""

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    params: Mapping[str, str] | None = None
    # What the request is about, for messages: "test plan pln_abc", "run 7c1f…".
    what: str = "the request"


@dataclass
class Throttle:
    """Shared by client and scheduler: a 429 slows the whole schedule down."""

    factor: float = 1.0
    rate_limited: int = 0

    def hit(self) -> None:
        self.rate_limited += 1
        self.factor = min(8.0, self.factor * 2)


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
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    notify: Callable[[str], None] = lambda message: None
    rng: random.Random = field(default_factory=random.Random)
    throttle: Throttle = field(default_factory=Throttle)
    # Monotonic time after which no retry wait may end; set by the wait loop.
    deadline: float | None = None
    requests_sent: int = 0
    # Client-side limits by "METHOD /path", for platforms that document one.
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def read(self, request: Request) -> Any:
        """GET (or any idempotent call) returning JSON, retried while it is safe and useful."""
        failures = 0
        while True:
            try:
                return self._once(request)
            except _Retryable as problem:
                failures += 1
                if failures >= self.policy.attempts and problem.wait is None:
                    raise problem.error from None
                self._pause(request, problem, failures)

    def send(self, request: Request) -> Any:
        """A trigger: re-sent only when the platform cannot have acted on it."""
        failures = 0
        while True:
            try:
                return self._once(request)
            except _Retryable as problem:
                failures += 1
                if not problem.unreceived or (
                    failures >= self.policy.attempts and problem.wait is None
                ):
                    raise _uncertain(request, problem) from None
                self._pause(request, problem, failures)

    def _pause(self, request: Request, problem: _Retryable, failures: int) -> None:
        if problem.wait is not None:
            if problem.wait > self.policy.max_rate_limit_wait:
                raise PlatformError(
                    f"The platform asked qarun to wait {problem.wait:.0f} s before calling "
                    f"again ({request.what}); that is too long to keep waiting.",
                    status_code=429,
                )
            delay = problem.wait
        else:
            delay = self.policy.backoff(failures, self.rng)
        if self.deadline is not None and self.clock() + delay > self.deadline:
            raise OutOfTimeError(f"the timeout ran out while retrying {request.what}")
        self.notify(f"{request.method} {request.path}: {problem.error} Retrying in {delay:.1f} s.")
        self.sleep(delay)

    def _respect_rate_limit(self, request: Request) -> None:
        limit = self.rate_limits.get(f"{request.method} {request.path}")
        if limit is None:
            return
        delay = limit.delay(self.clock())
        if delay > 0:
            if self.deadline is not None and self.clock() + delay > self.deadline:
                raise OutOfTimeError(f"the timeout ran out while pacing {request.what}")
            self.sleep(delay)
        limit.sent.append(self.clock())

    def _once(self, request: Request) -> Any:
        self._respect_rate_limit(request)
        self.requests_sent += 1
        try:
            response = self.session.request(
                request.method,
                self.url(request.path),
                params=request.params,
                json=request.body if request.method != "GET" else None,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise _network_problem(request, exc) from None
        return self._answer(request, response)

    def _answer(self, request: Request, response: requests.Response) -> Any:
        code = response.status_code
        message = platform_message(response)
        if code in (401, 403):
            raise AuthError(
                f"The platform rejected the API key (HTTP {code}: {message}).",
                status_code=code,
            )
        if code == 404:
            raise NotFoundError(
                f"The platform found no {request.what} (HTTP 404: {message}).", status_code=code
            )
        if code == 429:
            self.throttle.hit()
            raise _Retryable(
                PlatformError(f"Rate limited (HTTP 429: {message}).", status_code=code),
                unreceived=True,
                wait=_retry_after(response),
            )
        if code >= 500:
            raise _Retryable(
                PlatformError(f"The platform failed (HTTP {code}: {message}).", status_code=code),
                unreceived=code == 503,
            )
        if code >= 400:
            raise PlatformError(
                f"The platform refused {request.what} (HTTP {code}: {message}).",
                status_code=code,
            )
        try:
            return response.json()
        except ValueError:
            raise _Retryable(
                MalformedAnswerError(
                    f"The platform's answer to {request.what} is not JSON "
                    f"(HTTP {code}, starts with {_snippet(response.text)!r})."
                ),
                unreceived=False,
            ) from None


class _Retryable(Exception):
    """A failure worth another try. `unreceived`: the platform cannot have acted on it."""

    def __init__(self, error: PlatformError, *, unreceived: bool, wait: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.unreceived = unreceived
        self.wait = wait


def _network_problem(request: Request, exc: requests.RequestException) -> _Retryable:
    unreceived = isinstance(exc, requests.ConnectTimeout) or _connection_never_made(exc)
    if isinstance(exc, requests.Timeout) and not unreceived:
        reason = "did not answer in time"
    elif unreceived:
        reason = "could not be reached"
    else:
        reason = "dropped the connection"
    return _Retryable(
        PlatformError(f"The platform {reason} ({type(exc).__name__})."),
        unreceived=unreceived,
    )


def _connection_never_made(exc: BaseException) -> bool:
    """True when the TCP connection was refused or the host not found: nothing was sent."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | NameResolutionError | ConnectionRefusedError):
            return True
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
        if current.__cause__ is not None:
            stack.append(current.__cause__)
        if current.__context__ is not None:
            stack.append(current.__context__)
    return False


def _uncertain(request: Request, problem: _Retryable) -> PlatformError:
    if problem.unreceived:
        return problem.error
    return TriggerUncertainError(
        f"{problem.error} The trigger ({request.what}) may or may not have started a run, so "
        "qarun did not send it again: check the platform's dashboard before re-running this job."
    )


def platform_message(response: requests.Response) -> str:
    """The platform's own words from an error body: `message`, `detail` or `error`."""
    try:
        body = response.json()
    except ValueError:
        return _snippet(response.text) or response.reason or "no message"
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return _snippet(value)
            if isinstance(value, list) and value:
                # FastAPI validation errors: [{"loc": [...], "msg": "...", "type": "..."}]
                parts = [
                    f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
                    if isinstance(item, dict)
                    else str(item)
                    for item in value
                ]
                return _snippet("; ".join(parts))
    return _snippet(json.dumps(body))


def _retry_after(response: requests.Response) -> float | None:
    """Seconds to wait: the Retry-After header (seconds or date) or a `retry_after` field."""
    header = response.headers.get("Retry-After", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                when = parsedate_to_datetime(header)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"

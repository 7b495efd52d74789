"""How a platform's failures become qarun's errors: what may be retried, what may have been
received, how long a 429 asks to wait, and the platform's own words for the message."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import requests
from requests import Response
from urllib3.exceptions import MaxRetryError, NewConnectionError

from qarun.errors import (
    OutOfTimeError,
    PlatformError,
    QarunError,
    TriggerUncertainError,
)
from qarun.request import Request
from qarun.text import clip

# Failed tries in a row after which the deadline cutting the retries is the platform's fault
# (exit 3 with its error), rather than a single blip in the last seconds (a timeout).
FAILING_TRIES = 2
# Any wait a platform asks for beyond this (seconds, about 30 years) is taken as this.
LONGEST_WAIT = 10**9
# What `Response.json()` raises on a body that is not JSON, or JSON nested past Python's
# recursion limit (valid JSON all the same).
UNREADABLE_JSON = (ValueError, RecursionError)
# The longest platform text a message quotes.
MAX_MESSAGE = 300


class Retryable(Exception):
    """A failure worth another try. `unreceived`: the platform cannot have acted on it."""

    def __init__(self, error: PlatformError, *, unreceived: bool, wait: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.unreceived = unreceived
        self.wait = wait


def network_problem(host: str, failure: requests.RequestException) -> Retryable:
    sent = _maybe_sent(failure)
    reason = "did not answer in time" if sent else "could not be reached"
    if sent and not isinstance(failure, requests.Timeout):
        reason = "dropped the connection"
    cause = _cause(failure)
    return Retryable(
        PlatformError(f"The platform at {host} {reason} ({type(cause).__name__})."),
        unreceived=not sent,
    )


def _maybe_sent(failure: requests.RequestException) -> bool:
    """Whether the platform may have received the request: not when the connection (or the
    proxy's tunnel, or TLS) was never made."""
    if isinstance(failure, requests.ConnectTimeout | requests.exceptions.ProxyError):
        return False
    if isinstance(failure, requests.exceptions.SSLError):
        return False
    return not isinstance(_cause(failure), NewConnectionError)


def _cause(failure: requests.RequestException) -> BaseException:
    """What urllib3 saw underneath requests' wrapping (a refused connection, a reset)."""
    inner = failure.args[0] if failure.args else failure
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        return inner.reason
    return inner if isinstance(inner, BaseException) else failure


def out_of_time(request: Request, problem: Retryable, failures: int) -> QarunError:
    """The next try would come after the deadline: a timeout, or the platform's own failure."""
    if problem.wait is not None:
        return OutOfTimeError(
            f"The platform rate-limited {request.what} (HTTP 429) and asked qarun to wait "
            f"{problem.wait:.0f} s, which is past the timeout."
        )
    if failures >= FAILING_TRIES:
        return tried(
            problem.error, f"qarun tried {failures} times in a row until the timeout ran out."
        )
    return OutOfTimeError(f"The timeout ran out while retrying {request.what}: {problem.error}")


def too_slow(request: Request) -> QarunError:
    """The whole request outlived the time left before the deadline."""
    if request.method == "GET":
        return OutOfTimeError(f"The timeout ran out while the platform answered {request.what}.")
    return TriggerUncertainError(
        f"The platform did not answer in time ({request.what}) before the timeout ran out. "
        "The trigger may or may not have started a run, so qarun did not send it again: "
        "check the platform's dashboard before re-running this job."
    )


def tried(error: PlatformError, sentence: str) -> PlatformError:
    """The same error, saying how hard qarun tried."""
    return type(error)(f"{error} {sentence}", status_code=error.status_code)


def tried_error(request: Request, problem: Retryable, failures: int) -> PlatformError:
    return tried(problem.error, f"qarun tried {failures} times in a row.")


def uncertain(request: Request, problem: Retryable, failures: int) -> PlatformError:
    if problem.unreceived:
        return problem.error
    return TriggerUncertainError(
        f"{problem.error} The trigger ({request.what}) may or may not have started a run, so "
        "qarun did not send it again: check the platform's dashboard before re-running this job."
    )


def platform_message(response: Response, redact: Callable[[str], str] = str) -> str:
    """The platform's own words from an error body: `message`, `detail` or `error`."""
    try:
        body = response.json()
    except UNREADABLE_JSON:
        return snippet(redact(response.text)) or response.reason or "no message"
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return snippet(redact(value))
            if isinstance(value, list) and value:
                # FastAPI validation errors: [{"loc": [...], "msg": "...", "type": "..."}]
                parts = [
                    f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
                    if isinstance(item, dict)
                    else str(item)
                    for item in value
                ]
                return snippet(redact("; ".join(parts)))
    return snippet(redact(json.dumps(body)))


def retry_after(response: Response) -> float | None:
    """Seconds to wait: the Retry-After header (seconds or date) or a `retry_after` field."""
    header = parse_retry_after(response.headers.get("Retry-After", ""))
    if header is not None:
        return header
    try:
        body = response.json()
    except UNREADABLE_JSON:
        return None
    if isinstance(body, dict):
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            # Capped before the float: a 400-digit integer is valid JSON and has none.
            return float(min(value, LONGEST_WAIT))
    return None


def parse_retry_after(value: str) -> float | None:
    """A `Retry-After` header's seconds (RFC 9110: a number of seconds or an HTTP date);
    None when it is absent or neither."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def snippet(text: str) -> str:
    return clip(" ".join(text.split()), MAX_MESSAGE)

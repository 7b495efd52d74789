"""`wait-for-url`: wait until a preview deployment answers before triggering the tests."""

from __future__ import annotations

import functools
from collections.abc import Callable

import requests

from qarun.cancel import Cancellation, WorkTimedOut

FIRST_PAUSE = 1.0
MAX_PAUSE = 10.0
PROBE_TIMEOUT = (5.0, 10.0)
# The shortest probe worth sending: a deployment that cannot answer in this is not up.
MIN_PROBE_TIMEOUT = 0.5


def wait_for_url(
    url: str,
    deadline: float,
    clock: Callable[[], float],
    cancel: Cancellation,
    report: Callable[[str], None],
) -> bool:
    """True once `url` answers below HTTP 400; False when the deadline passes first.

    Each probe, as a whole, ends by the deadline (`cancel.call` abandons it then); the
    pauses between probes end at once on a signal. requests, not the platforms' client:
    a preview may redirect, and probes follow.
    """
    session = requests.Session()
    started = clock()
    pause = FIRST_PAUSE
    while True:
        left = max(0.0, deadline - clock())
        try:
            state = cancel.call(functools.partial(_probe, session, url, _timeout(left)), left)
        except WorkTimedOut:
            state = "no answer before the timeout"
        if state is None:
            report(f"{url} is up after {clock() - started:.0f} s.")
            return True
        remaining = deadline - clock()
        if remaining <= 0:
            report(f"{url} is still not up ({state}); giving up at the timeout.")
            return False
        wait = min(pause, remaining)
        report(f"Waiting for {url}: {state}; next check in {wait:.0f} s.")
        cancel.sleep(wait)
        pause = min(MAX_PAUSE, pause * 2)


def _timeout(remaining: float) -> tuple[float, float]:
    """The probe's (connect, read) timeout: a URL that hangs must not outlast `timeout`."""
    limit = max(MIN_PROBE_TIMEOUT, remaining)
    return (min(PROBE_TIMEOUT[0], limit), min(PROBE_TIMEOUT[1], limit))


def _probe(session: requests.Session, url: str, timeout: tuple[float, float]) -> str | None:
    """None when the URL is up, else what it answered."""
    try:
        # Streamed: only the status matters, not a page that may be large.
        response = session.get(url, timeout=timeout, allow_redirects=True, stream=True)
    except requests.RequestException as error:
        return f"no answer ({type(error).__name__})"
    response.close()
    if response.status_code < 400:
        return None
    return f"HTTP {response.status_code}"

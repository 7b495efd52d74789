"""What the provider tests share: the commit under test, a client of a fake, and polling.

Each provider test talks to its platform's fake through `client_for`, starts every
planned trigger with `start`, and polls like the wait loop with `settle`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qarun.http import HttpClient, RetryPolicy
from qarun.model import Run
from qarun.providers.base import Provider
from qarun.ratelimit import SPREAD_CAP
from tests.factories import make_context
from tests.fakes.base import FakePlatform, TestClock

# Pull request #42, as the factories make it, run from GitHub Actions: every field some
# platform's trigger body carries.
CONTEXT = make_context(source="github-actions")


def client_for(fake: FakePlatform, headers: Mapping[str, str], **overrides: Any) -> HttpClient:
    """A client of the started `fake` that retries at once: waiting would only slow tests."""
    settings: dict[str, Any] = {
        "sleep": lambda seconds: None,
        "policy": RetryPolicy(attempts=3, base_delay=0.0),
        **overrides,
    }
    return HttpClient(base_url=fake.url, headers=headers, **settings)


def start(provider: Provider) -> list[Run]:
    """Sends every planned trigger; the runs they started, in plan order."""
    return [run for spec in provider.plan() for run in provider.trigger(spec)]


def settle(
    provider: Provider, runs: Sequence[Run], clock: TestClock, within: float = 60.0
) -> list[Run]:
    """Polls the unfinished runs every 0.05 s of the fakes' clock, as the wait loop does,
    until every run has finished."""
    runs = list(runs)
    deadline = clock() + within
    while not all(run.finished for run in runs):
        assert clock() < deadline, f"runs never finished: {runs}"
        clock.advance(0.05)
        fresh = {run.id: run for run in provider.poll([r for r in runs if not r.finished])}
        runs = [fresh.get(run.id, run) for run in runs]
    return runs


def waited_for_the_window(slept: Sequence[float], asked: float, filled: float) -> bool:
    """Pauses adding up to the wait a 429 on a documented limit asked, and at most the seconds
    the key's window took to fill longer: a job with none of its own requests in that window
    comes back at a random moment while it empties."""
    return asked <= sum(slept) <= asked + filled


def one_wait_for(slept: Sequence[float], asked: float) -> bool:
    """One pause, as long as a 429 asked and at most its random spread longer (as long again,
    at most SPREAD_CAP)."""
    return len(slept) == 1 and asked <= slept[0] <= asked + min(asked, SPREAD_CAP)

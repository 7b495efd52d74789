"""What aiming on a shared key would gain if a job could pause longer than `poll-interval`.

A variant schedule, for this bench only, saves the job's part of the key for checks at a
forecast end.

qarun's schedule never pauses longer than `poll-interval` (the contract's longest pause
between two checks), so on a shared key it spends its part as it comes. The variant, once a
429 has shown the key is shared and while every unfinished run has a live forecast, pauses
until `reach` spreads before the nearest forecast end, at most `stretch` × poll-interval: the
tokens it does not spend keep in the HTTP client's bucket for the checks aimed at the end.
The same jobs as bench/fleet.py, side by side with qarun on one virtual time, seed by seed.

    .venv/bin/python -m bench.saving [--jobs 10] [--seeds 16] [--held-aside | --all]
        [--pattern even]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.fleet_run import SAVING, SHARED
from bench.untold import compare
from qarun.model import Run
from qarun.ratelimit import KeyLimits
from qarun.wait import Forecasts, Schedule


@dataclass
class SavingSchedule(Schedule):
    """qarun's schedule, but once the key is shared, pauses up to `stretch` × poll-interval
    while the end every forecast expects is more than `reach` spreads away."""

    limits: KeyLimits | None = None
    reach: float = 2.0
    stretch: float = 3.0

    def pause(self, runs: Sequence[Run], elapsed: float, forecasts: Forecasts) -> float:
        ours = super().pause(runs, elapsed, forecasts)
        if self.limits is None or not self.limits.shares:
            return ours  # never refused: the key is not known to be shared
        live = [forecasts.forecast(run) for run in runs]
        if not live or any(f is None or f.expired(elapsed) for f in live):
            return ours
        aim = min(f.end - self.reach * f.spread for f in live if f is not None) - elapsed
        return min(aim, self.stretch * self.poll_interval) if aim > ours else ours


def main() -> None:
    compare(__doc__, "even", [SHARED, *SAVING], "one key", "schedule")


if __name__ == "__main__":
    main()

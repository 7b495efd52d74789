"""What aiming on a shared key would gain if a job could pause longer than `poll-interval`.

A variant schedule, for the benches only (`bench.schedule.SavingSchedule`), saves the job's
part of the key for checks at a forecast end.

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

from bench.fleet_run import SAVING, SHARED
from bench.untold import compare


def main() -> None:
    compare(__doc__, "even", [SHARED, *SAVING], "one key", "schedule")


if __name__ == "__main__":
    main()

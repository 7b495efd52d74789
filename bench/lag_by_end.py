"""Where a fleet's lag comes from: the same jobs as bench/fleet.py, on one key and with a key
each, their lag grouped by when their runs ended (seconds after the first job started).

    .venv/bin/python -m bench.lag_by_end [--jobs 5] [--pattern even] [--seeds 16]
        [--held-aside | --all]
"""

from __future__ import annotations

from collections import defaultdict

from bench.fleet import plan
from bench.fleet_run import ALONE, SHARED, run_fleets
from bench.progress import chosen_sets, fleet_arguments, shows
from bench.tables import mean, table

BUCKET = 20.0  # seconds of run ends a row


def main() -> None:
    args = fleet_arguments(__doc__, jobs=5, pattern="even")
    for held in chosen_sets(args.held_aside, args.all):
        shared: dict[int, list[float]] = defaultdict(list)
        alone: dict[int, list[float]] = defaultdict(list)
        for seed in held.seeds(args.seeds):
            fleets = run_fleets(plan(args.jobs, seed, held), seed, shows(args.pattern, held))
            pairs = zip(fleets[SHARED].measured, fleets[ALONE].measured, strict=True)
            for one_key, own_key in pairs:
                end = int((one_key.job.starts_at + one_key.job.script.duration) // BUCKET)
                shared[end].append(one_key.lag)
                alone[end].append(own_key.lag)
        total = sum(lag for lags in shared.values() for lag in lags)
        rows = [
            [
                f"{bucket * BUCKET:.0f}-{(bucket + 1) * BUCKET:.0f} s",
                len(shared[bucket]),
                f"{mean(shared[bucket]):.2f}",
                f"{mean(alone[bucket]):.2f}",
                f"{sum(shared[bucket]) / total:.0%}",
            ]
            for bucket in sorted(shared)
        ]
        everything = [lag for lags in shared.values() for lag in lags]
        own = [lag for lags in alone.values() for lag in lags]
        rows.append(["all", len(everything), f"{mean(everything):.2f}", f"{mean(own):.2f}", ""])
        print(f"\n## {args.jobs} jobs, {args.pattern}, {held.name} set, lag by run end\n")
        headers = ["run ended", "runs", "lag s, one key", "lag s, a key each", "of all lag"]
        print(table(headers, rows))


if __name__ == "__main__":
    main()

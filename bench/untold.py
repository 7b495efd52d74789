"""Jobs on one key whose limit qarun is not told (Panto and QA.tech document none): how far to
lengthen a 429's hold, at random, so that the jobs refused together come back apart.

The same jobs as bench/fleet.py (runs of 30 to 120 s starting over the set's spread), against
the Qualigate fake and its 30 requests a minute per endpoint, but with the client told no
limit: a 429 holds its endpoint for the wait it asks and up to as long again, at most the
group's seconds (qarun: one `poll-interval`, 10 s by default). The groups run side by side on
one virtual time, seed by seed.

    .venv/bin/python -m bench.untold [--jobs 10] [--seeds 16] [--held-aside | --all]
        [--pattern stalled-after-jump]
"""

from __future__ import annotations

import time

from bench.fleet import DEFAULT_PATTERN, plan
from bench.fleet_figures import Figures, variant_rows
from bench.fleet_run import UNTOLD, run_fleets
from bench.progress import chosen_sets, fleet_arguments, shows
from bench.tables import table


def main() -> None:
    compare(__doc__, DEFAULT_PATTERN, list(UNTOLD), "a limit untold", "hold lengthened")


def compare(doc: str, pattern: str, groups: list[str], title: str, first: str) -> None:
    """`groups` side by side on one virtual time, seed by seed, in each set the command line
    chose: a row a group (lag, 429s, requests, wrong verdicts, exit 3) headed `first`."""
    args = fleet_arguments(doc, jobs=10, pattern=pattern)
    for held in chosen_sets(args.held_aside, args.all):
        began = time.monotonic()
        seeds = held.seeds(args.seeds)
        figures: dict[str, list[Figures]] = {name: [] for name in groups}
        for seed in seeds:
            planned = plan(args.jobs, seed, held)
            fleets = run_fleets(planned, seed, shows(args.pattern, held), groups)
            for name, fleet in fleets.items():
                figures[name].append(Figures.of(fleet))
        print(f"\n## {args.jobs} jobs, {title}, {args.pattern}, {held.name} set\n")
        print(held.describe(seeds) + "\n")
        headers = [first, "mean lag s", "429s", "requests", "wrong", "exit 3"]
        print(table(headers, variant_rows(figures)))
        print(f"\n({time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()

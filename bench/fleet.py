"""Fleets on one Qualigate key under a progress pattern: 1, 2, 5, 10 and 20 jobs, beside the
same jobs on age alone and with a key each, over many seeds on virtual time.

Each seed draws the jobs: start moments uniform over the set's spread (20 s; the first at
0), runs uniform over 30 to 120 s, queued 0.5 to 3 s, every other job failing (in a step
drawn at random), twelve noisy steps shown as the pattern says (bench/progress.py), and the
clients' random spread of 429 waits. Three groups run the same jobs beside each other
(bench/fleet_run.py: qarun's client, Qualigate provider and wait loop on
threads over one VirtualTime, against the Qualigate fake with its 30 requests a minute per
endpoint):
- qarun, one key: the fleet the issue is about;
- age only, one key: the same, its schedule never shown progress (no forecast);
- qarun, a key each: each job against a fake of its own (the own-key baseline).

Figures: mean lag (pooled over every job of every seed; worst seed's mean beside), p90 lag,
the share of requests answered 429 (pooled; worst seed), status requests sent a minute on
GET /api/v1/trigger and on /api/v1/results (over the fleet's span, first request to last;
the key allows 30 + 30), the busiest 60 s of status requests on both, wrong verdicts, exit 3,
and two floors under the 429s, each job refused only once (`fleet_figures.refused_floors`): the
key answering what the jobs ask, up to all it holds; and the key full to the fleet's end.

Targets (the issue): 0 wrong verdicts, 0 exit 3, 429s at most 10 % of the requests, mean lag
at most 1.5 × the jobs' own-key lag for up to 10 jobs, and for more within 1.5 × the
capacity bound (N × 60 s ÷ 60 status requests a minute ÷ 2: 10 s for 20 jobs).

    .venv/bin/python -m bench.fleet [--seeds 16] [--held-aside | --all]
        [--pattern stalled-after-jump | --patterns all] [--jobs 1,2,5,10,20] [--seeds-20 N]
    .venv/bin/python -m bench.fleet --real [--jobs 10] [--pattern P] [--seed S]

`--real` runs each job as `python -m qarun` in real time (no age-only group), one seed
(default: the set's first).
"""

from __future__ import annotations

import argparse
import random
import time

from tests.fakes.base import RunScript

from bench.fleet_figures import Figures, Group, overview, print_pattern
from bench.fleet_run import AGE_ONLY, ALONE, SHARED, Job, run_fleets
from bench.pattern_fake import drawn_steps
from bench.progress import MAX_SEEDS, PATTERNS, Held, chosen_sets, parsed, set_options, shows
from bench.tables import machine_name

SHORTEST, LONGEST = 30.0, 120.0
JOBS = (1, 2, 5, 10, 20)
JOBS_TEXT = ",".join(map(str, JOBS))
DEFAULT_PATTERN = "stalled-after-jump"


def plan(count: int, seed: int, held: Held) -> list[Job]:
    """`count` jobs drawn from `seed`: when each starts, how long its run takes, its steps."""
    rng = random.Random(seed * 1000 + count)
    # Numbered in the order they start: the shared fake gives its scripts out in that order.
    starts = sorted([0.0] + [rng.uniform(0.0, held.spread) for _ in range(count - 1)])
    made = []
    for n in range(count):
        script = RunScript(
            f"Flow {n + 1}",
            result="failed" if n % 2 else "passed",
            duration=rng.uniform(SHORTEST, LONGEST),
            queued_for=rng.uniform(0.5, 3.0),
        )
        made.append(Job(n + 1, starts[n], drawn_steps(script, rng)))
    return made


def run_pattern(
    pattern: str,
    held: Held,
    seeds: dict[int, list[int]],
    age_only: dict[tuple[int, int], Figures],
    real: bool = False,
) -> dict[int, dict[str, Group]]:
    """Every fleet size of `seeds` under `pattern`: {jobs: {group: its figures by seed}}.
    `age_only` keeps the age-only group's figures by (jobs, seed): they do not depend on
    the pattern, so they are run once."""
    shown = shows(pattern, held)
    names = (SHARED, ALONE) if real else (SHARED, AGE_ONLY, ALONE)
    out: dict[int, dict[str, Group]] = {}
    for count, its_seeds in seeds.items():
        groups = {name: Group(name) for name in names}
        for seed in its_seeds:
            fresh = AGE_ONLY in groups and (count, seed) not in age_only
            wanted = [SHARED, ALONE, *([AGE_ONLY] if fresh else [])]
            fleets = run_fleets(plan(count, seed, held), None if real else seed, shown, wanted)
            if fresh:
                age_only[count, seed] = Figures.of(fleets[AGE_ONLY])
            for name, group in groups.items():
                figures = age_only[count, seed] if name == AGE_ONLY else Figures.of(fleets[name])
                group.by_seed.append(figures)
        out[count] = groups
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_options(parser)
    parser.add_argument("--seeds-20", type=int, help="fewer seeds for fleets over 10 jobs")
    parser.add_argument("--jobs", help=f"fleet sizes (default {JOBS_TEXT}; --real: 10)")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--pattern", choices=PATTERNS, default=DEFAULT_PATTERN)
    chosen.add_argument("--patterns", choices=("all",), help="every pattern in turn")
    parser.add_argument("--real", action="store_true", help="processes in real time")
    parser.add_argument("--seed", type=int, help="with --real: the seed (default: the first)")
    args = parsed(parser)
    if args.seeds_20 is not None and not 1 <= args.seeds_20 <= MAX_SEEDS:
        parser.error(f"--seeds-20: 1 to {MAX_SEEDS}")  # a set's seeds never run into the next's
    if args.seed is not None and (args.all or args.held_aside or not args.real):
        parser.error("--seed goes with --real, for the tuning set")
    counts = [int(n) for n in (args.jobs or ("10" if args.real else JOBS_TEXT)).split(",")]
    patterns = PATTERNS if args.patterns else (args.pattern,)
    print(machine_name())
    for held in chosen_sets(args.held_aside, args.all):
        began = time.monotonic()
        seeds = {n: held.seeds(args.seeds) for n in counts}
        if args.seeds_20:
            seeds.update({n: held.seeds(args.seeds_20) for n in counts if n > 10})
        if args.real:
            seeds = {n: [args.seed or held.first_seed] for n in counts}
        every = sorted({seed for its in seeds.values() for seed in its})
        print(f"\n## Fleets on one key, {held.name} set\n\n{held.describe(every)}")
        age_only: dict[tuple[int, int], Figures] = {}
        verdicts: dict[str, dict[int, str]] = {}
        for pattern in patterns:
            started = time.monotonic()
            sizes = run_pattern(pattern, held, seeds, age_only, args.real)
            verdicts[pattern] = print_pattern(pattern, held, sizes, args.real)
            print(f"\n({time.monotonic() - started:.0f} s)")
        if len(patterns) > 1:
            print(f"\n### Targets by pattern and fleet size, {held.name} set\n")
            print(overview(verdicts, counts))
        print(f"\n({held.name} set: {time.monotonic() - began:.0f} s in all)")


if __name__ == "__main__":
    main()

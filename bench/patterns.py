"""Single runs under every progress pattern, on a simulated clock: qarun's schedule beside the
same runs polled on age alone and every 10 s, over many seeds.

Each seed draws 200 runs as bench/schedule.py does (end times log-uniform over 3 s to
10 min, 5 to 25 noisy steps, one run in five failing partway). For each pattern of
bench/progress.py, qarun's own Waiter and Schedule watch them with the pattern's progress;
beside them, on the same runs, qarun's Schedule with progress hidden from it (age only: no
forecast) and a fixed 10 s poller. No real time passes.

Figures pool every run of every seed: mean and p90 lag (seconds from a run's end to the
check that sees it), requests per run, lag × rate (rate: requests per second of waiting),
and the mean lag of runs ending within 3 to 60 s. Targets (the issue): for every pattern,
lag × rate no worse than age only, and the 3–60 s lag at most 1.1 × age only's.

    .venv/bin/python -m bench.patterns [--seeds 16] [--held-aside | --all] [--runs 200]

The tuning set by default; `--held-aside` reports the held-aside and the fresh set (seeds 101
and 201 on, other pattern parameters), `--all` every set, apart.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from bench.progress import PATTERNS, Held, chosen_sets, parsed, set_options, shows
from bench.schedule import (
    DEFAULT_POLL_INTERVAL,
    Figures,
    FixedSchedule,
    Seen,
    SimRun,
    make_runs,
    qarun_schedule,
    watch,
)
from bench.tables import machine_name, mean, percentile, table

RUNS = 200
FIXED = 10.0
# The targets, against age only: lag × rate at most 1×, the 3–60 s lag at most 1.1×.
PRODUCT_TIMES = 1.0
SHORT_TIMES = 1.1
AGE_ONLY = "age only"
FIXED_NAME = f"fixed {FIXED:g} s"


@dataclass
class Poller:
    """One poller's runs, seed by seed."""

    name: str
    pattern: str
    by_seed: list[list[Seen]]

    @property
    def pooled(self) -> Figures:
        return Figures(self.name, [seen for runs in self.by_seed for seen in runs])

    def seed(self, index: int) -> Figures:
        return Figures(self.name, self.by_seed[index])


def product(figures: Figures) -> float:
    return figures.mean_lag * figures.rate


def measure(held: Held, seeds: int, runs: int) -> list[Poller]:
    """Age only, fixed 10 s and qarun under every pattern, on the same runs of each seed."""
    age = Poller(AGE_ONLY, "(any)", [])
    fixed = Poller(FIXED_NAME, "(any)", [])
    ours = [Poller("qarun", pattern, []) for pattern in PATTERNS]
    for seed in held.seeds(seeds):
        sims: list[SimRun] = make_runs(runs, seed, "log")
        age.by_seed.append([watch(sim, qarun_schedule(), False) for sim in sims])
        fixed.by_seed.append([watch(sim, FixedSchedule(FIXED), False) for sim in sims])
        for poller in ours:
            pattern = shows(poller.pattern, held)
            poller.by_seed.append([watch(sim, qarun_schedule(), True, pattern) for sim in sims])
    return [age, fixed, *ours]


def ratios(poller: Poller, age: Poller) -> tuple[float, float, float, float, int]:
    """lag × rate and the 3–60 s lag against age only's, pooled and at the worst seed, and
    how many seeds meet both targets."""
    pooled, base = poller.pooled, age.pooled
    per_seed = [
        (
            product(poller.seed(i)) / product(age.seed(i)),
            poller.seed(i).short_lag / age.seed(i).short_lag,
        )
        for i in range(len(poller.by_seed))
    ]
    met = sum(1 for p, s in per_seed if p <= PRODUCT_TIMES and s <= SHORT_TIMES)
    return (
        product(pooled) / product(base),
        max(p for p, _ in per_seed),
        pooled.short_lag / base.short_lag,
        max(s for _, s in per_seed),
        met,
    )


HEADERS = [
    "schedule",
    "progress",
    "mean lag s",
    "p90 lag s",
    "requests/run",
    "lag × rate",
    "lag s, runs 3–60 s",
    "lag × rate ÷ age only (worst seed)",
    "3–60 s lag ÷ age only (worst seed)",
    "seeds met",
    "targets (≤ 1, ≤ 1.1)",
]


def rows(pollers: list[Poller]) -> list[list[str]]:
    age = pollers[0]
    out = []
    for poller in pollers:
        pooled = poller.pooled
        row = [
            poller.name,
            poller.pattern,
            f"{pooled.mean_lag:.2f}",
            f"{percentile([s.lag for s in pooled.seen], 90):.2f}",
            f"{mean([s.requests for s in pooled.seen]):.1f}",
            f"{product(pooled):.3f}",
            f"{pooled.short_lag:.2f}",
        ]
        if poller.name != "qarun":
            out.append([*row, "", "", "", ""])
            continue
        prod, worst_prod, short, worst_short, met = ratios(poller, age)
        ok = prod <= PRODUCT_TIMES and short <= SHORT_TIMES
        out.append([
            *row, f"{prod:.2f} ({worst_prod:.2f})", f"{short:.2f} ({worst_short:.2f})",
            f"{met}/{len(poller.by_seed)}", "PASS" if ok else "FAIL",
        ])  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_options(parser)
    parser.add_argument("--runs", type=int, default=RUNS, help="runs drawn per seed")
    args = parsed(parser)
    print(f"{machine_name()}")
    print(
        f"{args.runs} runs a seed, ends log-uniform over 3 s to 10 min; qarun's poll-interval "
        f"{DEFAULT_POLL_INTERVAL:g} s"
    )
    for held in chosen_sets(args.held_aside, args.all):
        began = time.monotonic()
        pollers = measure(held, args.seeds, args.runs)
        print(f"\n### Single runs, {held.name} set\n\n{held.describe(held.seeds(args.seeds))}\n")
        print(table(HEADERS, rows(pollers)))
        print(f"\n({time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()

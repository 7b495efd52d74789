"""Where a shared key's lag comes from, check by check: for the check that saw each run's end,
when the schedule asked for it and how long the HTTP client held it (the job's part of the key,
or a 429's hold), on one key and with a key each. The same jobs as bench/fleet.py; runs that
pass (their end a forecast can see) apart from runs that fail in a step drawn at random.

    .venv/bin/python -m bench.held_checks [--jobs 10] [--pattern even] [--seeds 16]
        [--held-aside | --all]
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence

from bench.fleet import plan
from bench.fleet_run import ALONE, SHARED, Measured, run_fleets
from bench.progress import Held, chosen_sets, fleet_arguments, shows
from bench.tables import mean, table
from qarun import wait
from qarun.model import Run

# Each status check of a run (by id: the Qualigate fake's are UUIDs), as (asked, answered):
# when the wait loop asked for it, and when its answer came back.
Checks = dict[str, list[tuple[float, float]]]


@contextlib.contextmanager
def recorded_checks() -> Iterator[Checks]:
    """Every check the wait loop makes while inside, by run id."""
    checks: Checks = defaultdict(list)
    original = wait.Waiter._poll_once

    def recording(self: wait.Waiter, runs: list[Run], started: float) -> list[Run]:
        asked = self.clock()
        updated = original(self, runs, started)
        for run in runs:
            checks[run.id].append((asked, self.clock()))
        return updated

    wait.Waiter._poll_once = recording  # type: ignore[method-assign]
    try:
        yield checks
    finally:
        wait.Waiter._poll_once = original  # type: ignore[method-assign]


def seeing_check(measured: Measured, ended_at: float, checks: Checks) -> tuple[float, float]:
    """For the check that saw the run's end: seconds it was asked before the end, and seconds
    the client held it (asked to answered)."""
    asked, answered = next((a, b) for a, b in checks[measured.run_id] if b >= ended_at)
    return ended_at - asked, answered - asked


def rows(found: dict[tuple[str, str], list[tuple[float, float, float]]]) -> list[list[str]]:
    out = []
    # Runs that pass first, one key before a key each.
    for (result, group), seen in sorted(
        found.items(), key=lambda item: (item[0][0] != "passed", item[0][1] != SHARED)
    ):
        out.append(
            [
                f"runs that {'pass' if result == 'passed' else 'fail'}",
                "one key" if group == SHARED else "a key each",
                str(len(seen)),
                f"{mean([lag for lag, _, _ in seen]):.2f}",
                f"{mean([before for _, before, _ in seen]):.2f}",
                f"{mean([held for _, _, held in seen]):.2f}",
            ]
        )
    return out


def measure(jobs: int, pattern: str, seeds: Sequence[int], held_set: Held) -> list[list[str]]:
    found: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for seed in seeds:
        with recorded_checks() as checks:
            fleets = run_fleets(plan(jobs, seed, held_set), seed, shows(pattern, held_set))
        for group in (SHARED, ALONE):
            for fake in fleets[group].fakes:
                for measured in fleets[group].measured:
                    if measured.run_id not in fake.test_runs or measured.lag != measured.lag:
                        continue
                    run = fake.test_runs[measured.run_id]
                    ended_at = run.timeline.clock.start + run.script.duration
                    before, held = seeing_check(measured, ended_at, checks)
                    found[measured.expected, group].append((measured.lag, before, held))
    return rows(found)


def main() -> None:
    args = fleet_arguments(__doc__, jobs=10, pattern="even")
    headers = ["runs", "key", "runs seen", "lag s", "asked s before the end (-: after)", "held s"]
    for held in chosen_sets(args.held_aside, args.all):
        every = held.seeds(args.seeds)
        print(f"\n## {args.jobs} jobs, {args.pattern}\n\n{held.describe(every)}\n")
        print(table(headers, measure(args.jobs, args.pattern, every, held)))


if __name__ == "__main__":
    main()

"""Progress patterns, defined once, and the sets of seeds and parameters they are run with.

A pattern is a function of a run's script (when its steps end, how many it has) and the
seconds since its trigger, returning the `done/total` the platform shows while the run
goes, or None where it shows no progress fields at all. The same functions drive the
simulated runs of `bench.patterns` and the Qualigate fake of `bench.fleet` and
`bench.shared_key --pattern` (`bench.pattern_fake`). Once a run has ended, the platform's
own final answer is shown, whatever the pattern.

- even: each step shows as it ends;
- bursty: the steps ended so far show only at a few moments (`bursts` of them);
- stalled-start: 0 of the steps until the end (the progress fields are there);
- stalled-after-jump: a share (`jump`) of the steps from the moment the run starts, then
  nothing more until the end (the issue's case: 3 of 12 on the first check);
- backwards: even until the middle step, then the count goes back by a share (`back`) of
  the steps and counts on from there, that far behind, until the end (a retried stretch);
- absent: no progress fields at all.

Two sets of seeds and parameters: the tuning set, which a change may be tuned on, and the
held-aside set, which no change is ever tuned on and which is reported apart.
"""

from __future__ import annotations

import argparse
import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bench.tables import machine_name
from qarun.model import Progress

PATTERNS = ("even", "bursty", "stalled-start", "stalled-after-jump", "backwards", "absent")
# Each step's log-length varies this much (sigma; bench/schedule.py's runs too).
STEP_NOISE = 0.5


class Stepped(Protocol):
    """What a pattern reads of a run's script."""

    @property
    def queued_for(self) -> float: ...

    @property
    def step_ends(self) -> tuple[float, ...]:
        """When the steps reported done end, in order (seconds since the trigger)."""
        ...

    @property
    def total(self) -> int: ...


Shows = Callable[[Stepped, float], Progress | None]


@dataclass(frozen=True)
class Held:
    """One set of seeds and pattern parameters."""

    name: str
    first_seed: int
    jump: float  # stalled-after-jump: the share of the steps shown from the start
    back: float  # backwards: the share of the steps the count goes back at the middle step
    bursts: int  # bursty: how many times the count moves
    spread: float  # fleets: the seconds over which the jobs start

    def seeds(self, count: int) -> list[int]:
        return list(range(self.first_seed, self.first_seed + count))

    def describe(self, seeds: list[int]) -> str:
        which = f"seeds {seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
        return (
            f"{self.name} set: {which}; stalled-after-jump shows "
            f"{self.jump:.0%} of the steps, backwards goes back {self.back:.0%}, bursty moves "
            f"{self.bursts} times, fleets start over {self.spread:g} s"
        )


# The tuning set holds the case (3 of 12 steps, jobs starting over 20 s). Nothing is
# ever tuned on the held-aside set: it tells whether a change fits the problem or the numbers.
TUNING = Held("tuning", first_seed=1, jump=0.25, back=0.2, bursts=3, spread=20.0)
HELD_ASIDE = Held("held-aside", first_seed=101, jump=0.4, back=0.5, bursts=2, spread=30.0)
# The held-aside set was looked at while the key's sharing was chosen among variants (2026-12-07):
# a fresh set, with parameters of its own, was put aside then and first run on the code kept.
FRESH = Held("fresh", first_seed=201, jump=0.33, back=0.35, bursts=4, spread=25.0)
# Each set's seeds start 100 after the last's: at most that many a set, and they never overlap.
MAX_SEEDS = min(HELD_ASIDE.first_seed - TUNING.first_seed, FRESH.first_seed - HELD_ASIDE.first_seed)


def set_options(parser: argparse.ArgumentParser) -> None:
    """`--seeds N` and which sets to report (`--held-aside`, `--all`), as every bench takes them."""
    parser.add_argument("--seeds", type=int, default=16, help="how many seeds of each set")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--held-aside", action="store_true", help="the held-aside and the fresh set")
    which.add_argument("--all", action="store_true", help="every set, apart")


def parsed(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The arguments, once `--seeds` is known to fit a set (`set_options`)."""
    args = parser.parse_args()
    if not 1 <= args.seeds <= MAX_SEEDS:
        parser.error(f"--seeds: 1 to {MAX_SEEDS}")
    return args


def fleet_arguments(doc: str, jobs: int, pattern: str) -> argparse.Namespace:
    """The command line of a bench on one fleet size and pattern (`--jobs`, `--pattern`, and
    the sets of `set_options`), with the machine's name printed first, as each table's head."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=jobs)
    parser.add_argument("--pattern", choices=PATTERNS, default=pattern)
    set_options(parser)
    args = parsed(parser)
    print(machine_name())
    return args


def chosen_sets(held_aside: bool, every: bool) -> list[Held]:
    """The sets a command reports: the tuning set unless `--held-aside` (the held-aside and
    the fresh set), every set with `--all`."""
    if every:
        return [TUNING, HELD_ASIDE, FRESH]
    return [HELD_ASIDE, FRESH] if held_aside else [TUNING]


def shows(name: str, held: Held) -> Shows:
    """The pattern called `name`, with `held`'s parameters."""
    makers: dict[str, Callable[[], Shows]] = {
        "even": lambda: even,
        "bursty": lambda: _bursty(held.bursts),
        "stalled-start": lambda: stalled_start,
        "stalled-after-jump": lambda: _stalled_after_jump(held.jump),
        "backwards": lambda: _backwards(held.back),
        "absent": lambda: absent,
    }
    if name not in makers:
        raise ValueError(f"unknown progress pattern {name!r}; use one of {', '.join(PATTERNS)}")
    return makers[name]()


def _done(run: Stepped, at: float) -> int:
    return bisect.bisect_right(run.step_ends, at)


def even(run: Stepped, elapsed: float) -> Progress | None:
    return Progress(_done(run, elapsed), run.total)


def stalled_start(run: Stepped, elapsed: float) -> Progress | None:
    return Progress(0, run.total)


def absent(run: Stepped, elapsed: float) -> Progress | None:
    return None


def _bursty(bursts: int) -> Shows:
    def bursty(run: Stepped, elapsed: float) -> Progress | None:
        ends = run.step_ends
        if not ends:
            return Progress(0, run.total)
        marks = [ends[min(len(ends) - 1, len(ends) * k // bursts)] for k in range(1, bursts + 1)]
        passed = [mark for mark in marks if mark <= elapsed]
        return Progress(_done(run, passed[-1]) if passed else 0, run.total)

    return bursty


def _stalled_after_jump(jump: float) -> Shows:
    def stalled_after_jump(run: Stepped, elapsed: float) -> Progress | None:
        jumped = min(run.total, max(1, round(jump * run.total)))
        return Progress(0 if elapsed < run.queued_for else jumped, run.total)

    return stalled_after_jump


def _backwards(back: float) -> Shows:
    def backwards(run: Stepped, elapsed: float) -> Progress | None:
        done, ends = _done(run, elapsed), run.step_ends
        if len(ends) >= 2 and elapsed >= ends[len(ends) // 2]:
            done = max(0, done - max(1, round(back * run.total)))
        return Progress(done, run.total)

    return backwards


def step_ends(
    rng: random.Random, start: float, end: float, steps: int, reported: int
) -> tuple[float, ...]:
    """When `reported` of `steps` steps end, each step's length noisy, between `start` and
    `end` (a failing run reports the steps before the one it stops in)."""
    lengths = [rng.lognormvariate(0.0, STEP_NOISE) for _ in range(steps)]
    scale = (end - start) / sum(lengths)
    moments, now = [], start
    for length in lengths:
        now += length * scale
        moments.append(now)
    return tuple(moments[:reported])

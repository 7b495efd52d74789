"""The polling schedule on a simulated clock: how late each poller sees a run end, at what cost.

qarun's own Waiter and Schedule run against 200 simulated runs whose end times
spread over 3 s to 10 min (log-uniform: as many runs from 3 to 30 s as from 1
to 10 min; fixed seed), once without progress reports and once with them. With
progress, each run reports `done/total` steps the way Qualigate's steps or a
QA.tech plan's test cases do: it is queued for a moment, then its steps end at a
noisy pace (each step's length varies ±50 %), and one run in five fails
partway, ending before its last step. No real time passes.

For each poller: mean and p90 lag (seconds from a run's end to the first check
that sees it), mean requests per run, and lag × rate, where rate is requests
per second of waiting over all runs. A fixed pause P sits on the blind curve:
lag P/2 at 1/P requests a second, lag × rate ≈ 0.5.

    .venv/bin/python -m bench.schedule [--runs 200] [--seed 6] [--spread uniform]
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.progress import Shows, step_ends
from bench.tables import mean, percentile, table
from qarun.deadline import Deadline
from qarun.model import Progress, Run, Status
from qarun.ratelimit import KeyLimits
from qarun.wait import Forecasts, Schedule, Waiter

SHORTEST, LONGEST = 3.0, 600.0
FAILING_SHARE = 0.2
WITHIN_A_MINUTE = 60.0
DEFAULT_POLL_INTERVAL = 10.0
FIXED_PAUSES = (20.0, 10.0, 5.0)
# Issue 6's targets.
BLIND_TARGET = 0.55
PROGRESS_TARGET = 0.25
SHORT_RUN_TARGET = 2.5


@dataclass(frozen=True)
class SimRun:
    """One run as the platform sees it: when it starts, when its steps end, when it ends."""

    end: float
    queued_for: float
    step_ends: tuple[float, ...]
    total: int
    failed: bool

    def status(self, now: float) -> Status:
        if now >= self.end:
            return Status.FAILED if self.failed else Status.PASSED
        return Status.QUEUED if now < self.queued_for else Status.RUNNING

    def progress(self, now: float, pattern: str = "even") -> Progress:
        """Steps done as the platform shows them: evenly as they end, in bursts (the steps
        ended so far show only at three moments), stalled (stuck after a quarter of them
        until the end), or backwards (the count drops by two for a while halfway)."""
        done = sum(1 for moment in self.step_ends if moment <= now)
        ends = self.step_ends
        if pattern == "bursty" and ends:
            marks = [ends[min(len(ends) - 1, len(ends) * k // 3)] for k in (1, 2, 3)]
            shown = [mark for mark in marks if mark <= now]
            done = sum(1 for moment in ends if shown and moment <= shown[-1])
        elif pattern == "stalled":
            done = min(done, max(1, self.total // 4))
        elif pattern == "backwards" and len(ends) >= 4:
            half = ends[len(ends) // 2]
            back = ends[min(len(ends) - 1, len(ends) // 2 + 1)]
            if half <= now < back:
                done = max(0, done - 2)
        return Progress(done, self.total)


def make_runs(count: int, seed: int, spread: str) -> list[SimRun]:
    rng = random.Random(seed)
    return [make_run(rng, end_time(rng, spread)) for _ in range(count)]


def end_time(rng: random.Random, spread: str) -> float:
    if spread == "uniform":
        return rng.uniform(SHORTEST, LONGEST)
    return math.exp(rng.uniform(math.log(SHORTEST), math.log(LONGEST)))


def make_run(rng: random.Random, end: float) -> SimRun:
    total = rng.randint(5, 25)
    failed = rng.random() < FAILING_SHARE
    # A failing run stops during step `steps`: the steps before it are the ones reported done.
    steps = rng.randint(1, total) if failed else total
    queued_for = min(rng.uniform(0.5, 3.0), 0.2 * end)
    finishing = min(rng.uniform(0.0, 1.0), 0.1 * end)
    reported = steps - 1 if failed else steps
    ends = step_ends(rng, queued_for, end - finishing, steps, reported)
    return SimRun(end, queued_for, ends, total, failed)


class SimClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FixedSchedule(Schedule):
    """A poller that pauses the same time whatever it knows (the 20 s, 10 s and 5 s pollers)."""

    def pause(self, runs: Sequence[Run], elapsed: float, forecasts: Forecasts) -> float:
        return self.poll_interval


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


@dataclass(frozen=True)
class Seen:
    lag: float
    requests: int
    waited: float
    end: float


def watch(sim: SimRun, schedule: Schedule, progress: bool, pattern: str | Shows = "even") -> Seen:
    """One run waited for by the real Waiter on a simulated clock. `pattern`: one of
    PATTERNS (SimRun.progress), or a function of bench/progress.py."""
    clock = SimClock()
    requests = 0

    def shown(now: float) -> Progress | None:
        if not progress:
            return None
        return pattern(sim, now) if callable(pattern) else sim.progress(now, pattern)

    def poll(runs: Sequence[Run]) -> list[Run]:
        nonlocal requests
        requests += 1
        return [
            run.updated(status=sim.status(clock.now), progress=shown(clock.now)) for run in runs
        ]

    first = Run(id="run", name="run", status=Status.QUEUED, progress=shown(0.0))
    waiter = Waiter(poll, schedule, clock, clock.sleep, Deadline.after(clock, LONGEST * 10))
    result = waiter.wait([first], started=0.0)
    assert result.runs[0].finished, "the simulated run never ended"
    return Seen(lag=clock.now - sim.end, requests=requests, waited=clock.now, end=sim.end)


@dataclass(frozen=True)
class Figures:
    name: str
    seen: list[Seen]

    @property
    def mean_lag(self) -> float:
        return mean([s.lag for s in self.seen])

    @property
    def rate(self) -> float:
        return sum(s.requests for s in self.seen) / sum(s.waited for s in self.seen)

    @property
    def short_lag(self) -> float:
        return mean([s.lag for s in self.seen if s.end <= WITHIN_A_MINUTE])

    def row(self) -> list[str]:
        return [
            self.name,
            f"{self.mean_lag:.2f}",
            f"{percentile([s.lag for s in self.seen], 90):.2f}",
            f"{self.short_lag:.2f}",
            f"{mean([s.requests for s in self.seen]):.1f}",
            f"{self.rate * 60:.2f}",
            f"{self.mean_lag * self.rate:.3f}",
        ]


def pollers() -> list[tuple[str, Callable[[], Schedule]]]:
    qarun = (f"qarun (poll-interval {DEFAULT_POLL_INTERVAL:g}s)", qarun_schedule)
    fixed = [(f"fixed {p:g} s", _fixed(p)) for p in FIXED_PAUSES]
    return [qarun, *fixed]


def qarun_schedule() -> Schedule:
    return Schedule(DEFAULT_POLL_INTERVAL)


def _fixed(pause: float) -> Callable[[], Schedule]:
    return lambda: FixedSchedule(pause)


HEADERS = [
    "poller",
    "mean lag s",
    "p90 lag s",
    "mean lag s, runs ≤ 1 min",
    "requests/run",
    "requests/min",
    "lag × rate",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--spread", choices=("log", "uniform"), default="log")
    parser.add_argument("--seeds", type=int, default=20, help="seeds for the robustness table")
    args = parser.parse_args()
    sims = make_runs(args.runs, args.seed, args.spread)
    short = sum(1 for sim in sims if sim.end <= WITHIN_A_MINUTE)
    print(
        f"{args.runs} simulated runs ending between {SHORTEST:g} s and {LONGEST / 60:g} min "
        f"({args.spread}-uniform, seed {args.seed}; {short} end within a minute)\n"
    )
    for progress in (False, True):
        figures = [
            Figures(name, [watch(sim, make(), progress) for sim in sims])
            for name, make in pollers()
        ]
        title = "with progress reports" if progress else "without progress reports"
        print(f"### {title}\n")
        print(table(HEADERS, [f.row() for f in figures]))
        print("\n" + verdict(figures[0], progress) + "\n")
    print("### progress that does not move as forecast\n")
    print(patterns(sims))
    if args.seeds:
        print(f"\n### qarun over seeds 1 to {args.seeds} (a fresh draw of {args.runs} runs each)\n")
        print(robustness(args.runs, args.seeds, args.spread))


def verdict(ours: Figures, progress: bool) -> str:
    product = ours.mean_lag * ours.rate
    target = PROGRESS_TARGET if progress else BLIND_TARGET
    lines = [f"qarun: lag × rate {product:.3f} (target ≤ {target}: {_met(product <= target)})"]
    if not progress:
        lines.append(
            f"qarun: mean lag of runs ending within a minute {ours.short_lag:.2f} s "
            f"(target ≤ {SHORT_RUN_TARGET}: {_met(ours.short_lag <= SHORT_RUN_TARGET)})"
        )
    return "\n".join(lines)


PATTERNS = ("even", "bursty", "stalled", "backwards")


def patterns(sims: list[SimRun]) -> str:
    """qarun with each progress pattern, beside the same runs polled on age alone (no
    progress): a wrong forecast must not cost more than no forecast."""
    age = Figures("", [watch(sim, qarun_schedule(), False) for sim in sims])
    baseline = age.mean_lag * age.rate
    rows = []
    for pattern in PATTERNS:
        ours = Figures("", [watch(sim, qarun_schedule(), True, pattern) for sim in sims])
        product = ours.mean_lag * ours.rate
        ok = product <= baseline + 1e-9 and (pattern != "even" or product <= PROGRESS_TARGET)
        rows.append(
            [
                pattern,
                f"{ours.mean_lag:.2f}",
                f"{ours.short_lag:.2f}",
                f"{product:.3f}",
                f"{baseline:.3f}",
                _met(ok),
            ]
        )
    headers = [
        "progress",
        "mean lag s",
        "mean lag s, runs ≤ 1 min",
        "lag × rate",
        "age only: lag × rate",
        "no worse than age only" + f" (even: ≤ {PROGRESS_TARGET})",
    ]
    return table(headers, rows)


def robustness(runs: int, seeds: int, spread: str) -> str:
    """Lag × rate and short runs' lag of qarun's default over many seeds: min, mean, max."""
    blind, short, aimed = [], [], []
    for seed in range(1, seeds + 1):
        sims = make_runs(runs, seed, spread)
        without = Figures("", [watch(sim, qarun_schedule(), False) for sim in sims])
        with_progress = Figures("", [watch(sim, qarun_schedule(), True) for sim in sims])
        blind.append(without.mean_lag * without.rate)
        short.append(without.short_lag)
        aimed.append(with_progress.mean_lag * with_progress.rate)
    rows = [
        ["lag × rate, without progress", *_spread(blind, "{:.3f}"), f"≤ {BLIND_TARGET}"],
        ["mean lag s, runs ≤ 1 min", *_spread(short, "{:.2f}"), f"≤ {SHORT_RUN_TARGET}"],
        ["lag × rate, with progress", *_spread(aimed, "{:.3f}"), f"≤ {PROGRESS_TARGET}"],
    ]
    return table(["", "min", "mean", "max", "target"], rows)


def _spread(values: list[float], form: str) -> list[str]:
    return [form.format(v) for v in (min(values), mean(values), max(values))]


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


if __name__ == "__main__":
    main()


@dataclass
class FillingSchedule(Schedule):
    """qarun's schedule, but once the key is shared, a check also goes whenever the job's
    part of the key would otherwise be lost: its bucket holds `spend_at` of its depth."""

    limits: KeyLimits | None = None
    spend_at: float = 1.0
    routes: tuple[str, ...] = ()

    def pause(self, runs: Sequence[Run], elapsed: float, forecasts: Forecasts) -> float:
        ours = super().pause(runs, elapsed, forecasts)
        if self.limits is None or not self.limits.shares:
            return ours
        return min(ours, *(self._full_in(route) for route in self.routes))

    def _full_in(self, route: str) -> float:
        assert self.limits is not None
        share = self.limits.shares.get(route)
        now = self.limits.clock()
        pace = share.allowed(now) if share is not None else None
        if share is None or pace is None:
            return math.inf
        wanted = max(1.0, self.spend_at * share.depth)
        tokens = share._tokens(now, pace)
        return max(self.limits.held(route), (wanted - tokens) / pace, 0.0)

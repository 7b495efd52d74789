"""bench/fleet.py's figures and tables: what one group of jobs did on one seed, pooled over
seeds, and against the issue's targets."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

from tests.fakes.qualigate import RESULTS, TRIGGER

from bench.fleet_run import AGE_ONLY, ALONE, SHARED, Fleet
from bench.progress import Held
from bench.tables import mean, percentile, table

# The targets.
REFUSED_SHARE = 0.10
LAG_TIMES = 1.5
OWN_KEY_UP_TO = 10  # jobs: up to this many, against their own-key lag; beyond, the bound
STATUS_PER_MINUTE = 60  # the key's documented 30 on GET /trigger and 30 on /results
WINDOW = 60.0
MINUTES = 3  # status requests sent minute by minute: the table shows this many

NAMES = {SHARED: "qarun, one key", AGE_ONLY: "age only, one key", ALONE: "qarun, a key each"}


def capacity_bound(jobs: int) -> float:
    """The mean lag of jobs that share the key's status requests evenly, each checking at a
    fixed pace: jobs × 60 s ÷ 60 requests a minute, halved."""
    return jobs * 60.0 / STATUS_PER_MINUTE / 2


@dataclass(frozen=True)
class Figures:
    """One group of jobs on one seed."""

    lags: list[float]
    wrong: int
    exit3: int
    requests: int
    refused: int
    trigger_per_minute: float
    results_per_minute: float
    busiest: int  # status requests sent in the busiest 60 s
    by_minute: tuple[int, ...]  # status requests sent in each minute of the fleet's span
    jobs_refused: int  # jobs with at least one request answered 429
    span_minutes: int  # minutes begun between the fleet's first request and its last

    @classmethod
    def of(cls, fleet: Fleet) -> Figures:
        sent = [r for fake in fleet.fakes for r in fake.requests]
        moments = sorted(r.at for r in sent)
        minutes = max(moments[-1] - moments[0], 1e-9) / 60 if moments else 1.0
        status = sorted(r.at for r in sent if r.method == "GET")
        first = moments[0] if moments else 0.0
        by_minute = tuple(
            bisect.bisect_left(status, first + WINDOW * (m + 1))
            - bisect.bisect_left(status, first + WINDOW * m)
            for m in range(max(MINUTES, int(minutes) + 1))
        )
        busiest = max(
            (bisect.bisect_left(status, at + WINDOW) - i for i, at in enumerate(status)),
            default=0,
        )
        on = {
            path: sum(1 for r in sent if r.method == "GET" and r.path == path)
            for path in (TRIGGER, RESULTS)
        }
        return cls(
            lags=[m.lag for m in fleet.measured],
            wrong=sum(1 for m in fleet.measured if m.ended.status != m.expected),
            exit3=sum(1 for m in fleet.measured if m.ended.exit_code == 3),
            requests=len(sent),
            refused=sum(len(fake.refused_requests) for fake in fleet.fakes),
            trigger_per_minute=on[TRIGGER] / minutes,
            results_per_minute=on[RESULTS] / minutes,
            busiest=busiest,
            by_minute=by_minute,
            jobs_refused=sum(1 for m in fleet.measured if m.refused),
            span_minutes=int(minutes) + 1 if moments else 0,
        )

    @property
    def lag(self) -> float:
        return mean(self.lags)

    @property
    def share(self) -> float:
        return self.refused / max(1, self.requests)


@dataclass
class Group:
    """One group of jobs (SHARED, AGE_ONLY or ALONE), seed by seed."""

    name: str
    by_seed: list[Figures] = field(default_factory=list)

    @property
    def lag(self) -> float:
        return mean([lag for f in self.by_seed for lag in f.lags])

    @property
    def share(self) -> float:
        return sum(f.refused for f in self.by_seed) / max(1, sum(f.requests for f in self.by_seed))

    def row(self) -> list[str]:
        seeds = self.by_seed
        return [
            NAMES[self.name],
            f"{self.lag:.2f}",
            f"{max(f.lag for f in seeds):.2f}",
            f"{percentile([lag for f in seeds for lag in f.lags], 90):.2f}",
            f"{self.share:.1%}",
            f"{max(f.share for f in seeds):.1%}",
            f"{mean([f.trigger_per_minute for f in seeds]):.1f}",
            f"{mean([f.results_per_minute for f in seeds]):.1f}",
            f"{mean([f.busiest for f in seeds]):.1f}",
            " / ".join(f"{mean([f.by_minute[m] for f in seeds]):.0f}" for m in range(MINUTES)),
            str(sum(f.wrong for f in seeds)),
            str(sum(f.exit3 for f in seeds)),
        ]


def refused_floors(shared: Figures | Group, alone: Figures | Group) -> tuple[float, float]:
    """Two floors under the share of 429s, each job refused only once, at its first check of
    a full key (a job cannot see that one coming: the key's 429s are the only sign that others
    use it, and Qualigate documents no header that warns), the triggers counted as requests:

    - the jobs asking no more than qarun's schedule asks (minute by minute, the more of what
      they asked on the shared key and with a key each), the key answering all of it that it
      holds (60 status requests a minute, a sliding window as the bench's fake reads the
      documented limit);
    - the key answering all it holds in every minute of the fleet's span, whatever the jobs
      would ask: the fleet's last minute then asks far more than its few jobs left would each
      ask with a key of its own.
    """
    refused = asked_answered = key_answered = 0
    for ours, own in zip(_seeds(shared), _seeds(alone), strict=True):
        asked = itertools.zip_longest(ours.by_minute, own.by_minute, fillvalue=0)
        triggers = ours.requests - sum(ours.by_minute)
        refused += ours.jobs_refused
        asked_answered += sum(min(STATUS_PER_MINUTE, max(pair)) for pair in asked) + triggers
        key_answered += STATUS_PER_MINUTE * ours.span_minutes + triggers
    return (
        refused / max(1, refused + asked_answered),
        refused / max(1, refused + key_answered),
    )


def lag_target(jobs: int, own_key_lag: float) -> float:
    if jobs <= OWN_KEY_UP_TO:
        return LAG_TIMES * own_key_lag
    return LAG_TIMES * capacity_bound(jobs)


def misses(jobs: int, shared: Figures | Group, alone: Figures | Group) -> list[str]:
    """The targets `shared` misses, each with its figure; none: every target met."""
    wrong = sum(f.wrong for f in _seeds(shared))
    exit3 = sum(f.exit3 for f in _seeds(shared))
    target = lag_target(jobs, alone.lag)
    out = []
    if not shared.lag <= target:  # a job that never saw its end has a lag of nan
        out.append(f"lag {shared.lag:.2f} > {target:.2f}")
    if shared.share > REFUSED_SHARE:
        floor = refused_floors(shared, alone)[0]
        beyond = f" (floor {floor:.1%} as the jobs ask)" if floor > REFUSED_SHARE else ""
        out.append(f"429s {shared.share:.1%}{beyond}")
    if wrong:
        out.append(f"{wrong} wrong")
    if exit3:
        out.append(f"{exit3} exit 3")
    return out


def _seeds(figures: Figures | Group) -> list[Figures]:
    return figures.by_seed if isinstance(figures, Group) else [figures]


HEADERS = [
    "jobs",
    "schedule",
    "mean lag s",
    "worst seed",
    "p90 lag s",
    "429s",
    "worst seed",
    "GET /trigger a min",
    "/results a min",
    "busiest 60 s",
    "minutes 1 / 2 / 3",
    "wrong",
    "exit 3",
    "lag target s",
    "429 floor: as asked / key full",
    "seeds met",
    "targets",
]


def print_pattern(
    pattern: str, held: Held, sizes: dict[int, dict[str, Group]], real: bool = False
) -> dict[int, str]:
    """The table of one pattern, every fleet size; returns each size's verdict."""
    rows: list[list[str]] = []
    verdicts: dict[int, str] = {}
    for jobs, groups in sizes.items():
        shared, alone = groups[SHARED], groups[ALONE]
        missed = misses(jobs, shared, alone)
        verdicts[jobs] = "PASS" if not missed else "FAIL: " + ", ".join(missed)
        met = sum(
            1 for s, a in zip(shared.by_seed, alone.by_seed, strict=True) if not misses(jobs, s, a)
        )
        bound = f"bound {capacity_bound(jobs):g}"
        basis = f"own key; {bound}" if jobs <= OWN_KEY_UP_TO else bound
        target = f"{lag_target(jobs, alone.lag):.2f} ({LAG_TIMES:g} × {basis})"
        for name, group in groups.items():
            floor = " / ".join(f"{share:.1%}" for share in refused_floors(shared, alone))
            verdict = [target, floor, f"{met}/{len(shared.by_seed)}", verdicts[jobs]]
            blank = [""] * len(verdict)
            rows.append([str(jobs), *group.row(), *(verdict if name == SHARED else blank)])
    how = "real processes" if real else "virtual time"
    counts = {jobs: len(groups[SHARED].by_seed) for jobs, groups in sizes.items()}
    first = next(iter(counts.values()))
    fewer = [f"{n} for {jobs} jobs" for jobs, n in counts.items() if n != first]
    seeds = f"{first} seed{'s' if first > 1 else ''} a size" + "".join(f", {f}" for f in fewer)
    print(f"\n### {pattern}, {held.name} set ({how}, {seeds})\n")
    print(table(HEADERS, rows))
    return verdicts


def overview(verdicts: dict[str, dict[int, str]], sizes: list[int]) -> str:
    """Pattern by fleet size: PASS, or the targets missed."""
    headers = ["progress", *(f"{n} jobs" for n in sizes)]
    return table(headers, [[p, *(v[n] for n in sizes)] for p, v in verdicts.items()])


def variant_rows(figures: dict[str, list[Figures]]) -> list[list[object]]:
    """One row a group (bench.untold, bench.saving): mean lag over every job of every seed,
    the share of requests refused, requests, wrong verdicts, exit 3."""
    rows: list[list[object]] = []
    for name, each in figures.items():
        requests = sum(f.requests for f in each)
        refused = sum(f.refused for f in each)
        lag = mean([lag for f in each for lag in f.lags])
        wrong, exit3 = sum(f.wrong for f in each), sum(f.exit3 for f in each)
        rows.append(
            [
                NAMES.get(name, name),
                f"{lag:.2f}",
                f"{refused / max(1, requests):.1%}",
                requests,
                wrong,
                exit3,
            ]
        )
    return rows

"""Many jobs, one key: ten `python -m qarun` processes against one Qualigate fake that
enforces Qualigate's per-key limit (30 requests a minute per endpoint group, then 429
with `retry_after`), as a monorepo's ten QA jobs on one pull request would share it.

The jobs start staggered over 20 s, each triggering a test case whose run lasts 30 to
120 s (every other one fails). Beside them, the baseline: the same ten jobs at the same
moments, each against a fake of its own (a key of its own, so no shared limit). The fake
stamps every request, so each job's lag is measured on the platform's side: from its
run's end to the first status check of that run after it that was answered (not 429).

    .venv/bin/python -m bench.shared_key [--jobs 10] [--virtual [--seed 1 | --seeds 8]]
        [--pattern stalled-after-jump]

Targets (the issue): 0 wrong verdicts, 0 exit 3, the shared jobs' mean lag at most twice
the single jobs', and 429 answers at most a tenth of the requests sent. About 2.5 minutes.

`--virtual` runs the same jobs in a second: each job is qarun's own client, provider
and wait loop on a thread instead of a process, and the fakes and the jobs share a
`VirtualTime` that passes only while every job is paused. `--seeds N` then prints the
totals for seeds 1 to N of the random spread of 429 waits, and their means.

`--pattern` shows the test runs' steps as a progress pattern of bench/progress.py (tuning
set's parameters) instead of the fake's even count. The jobs are run and measured by
bench/fleet_run.py, which bench/fleet.py also uses for fleets of other sizes, drawn per seed,
under every pattern.
"""

from __future__ import annotations

import argparse
import random

from tests.fakes.base import RunScript

from bench.fleet_run import ALONE, SHARED, Job, Measured, run_fleets
from bench.pattern_fake import drawn_steps
from bench.progress import PATTERNS, TUNING, shows
from bench.tables import machine_name, mean, table

STAGGER = 20.0  # seconds over which the jobs start
SHORTEST, LONGEST = 30.0, 120.0
# The targets: the shared jobs' mean lag at most LAG_TIMES the jobs' with a key
# each, and at most REFUSED_SHARE of the requests answered 429.
LAG_TIMES = 2.0
REFUSED_SHARE = 0.10


def jobs(count: int) -> list[Job]:
    made = []
    for n in range(count):
        share = n / max(1, count - 1)
        # Lengths spread over 30 to 120 s, in an order unlike the starts.
        duration = SHORTEST + (LONGEST - SHORTEST) * ((n * 7) % count) / max(1, count - 1)
        result = "failed" if n % 2 else "passed"
        script = RunScript(f"Flow {n + 1}", result=result, duration=duration)
        made.append(Job(n + 1, STAGGER * share, script))
    return made


def rows(measured: list[Measured]) -> list[list[object]]:
    out: list[list[object]] = []
    for m in measured:
        status = m.ended.status
        right = "yes" if status == m.expected else f"NO (expected {m.expected})"
        out.append([
            m.job.number, f"{m.job.starts_at:.1f}", f"{m.job.script.duration:.0f}", status, right,
            m.ended.exit_code, m.refused, m.requests, f"{m.lag:.2f}",
        ])  # fmt: skip
    return out


def totals(measured: list[Measured]) -> dict[str, float]:
    return {
        "wrong": sum(1 for m in measured if m.ended.status != m.expected),
        "exit3": sum(1 for m in measured if m.ended.exit_code == 3),
        "refused": sum(m.refused for m in measured),
        "requests": sum(m.requests for m in measured),
        "lag": mean([m.lag for m in measured]),
    }


def refused_share(figures: dict[str, float]) -> float:
    """The share of the requests answered 429."""
    return figures["refused"] / max(1, figures["requests"])


def run_both(
    count: int, seed: int | None, pattern: str | None = None
) -> tuple[list[Measured], list[Measured]]:
    """The jobs on one key and, beside them, with a key each: processes in real time, or with
    a `seed`, threads on virtual time. With a `pattern`, their steps show as it says."""
    planned, shown = jobs(count), None
    if pattern is not None:
        planned = [
            Job(job.number, job.starts_at, drawn_steps(job.script, random.Random(job.number)))
            for job in planned
        ]
        shown = shows(pattern, TUNING)
    fleets = run_fleets(planned, seed, shown)
    return fleets[SHARED].measured, fleets[ALONE].measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--virtual", action="store_true", help="threads on virtual time")
    parser.add_argument("--seed", type=int, default=1, help="of the 429 spread, with --virtual")
    parser.add_argument(
        "--seeds", type=int, default=0, help="with --virtual: totals over seeds 1 to N"
    )
    parser.add_argument(
        "--pattern", choices=PATTERNS, help="steps shown as this progress pattern (default: even)"
    )
    args = parser.parse_args()
    print(f"{args.jobs} jobs, one Qualigate key (30 requests a minute per endpoint group)")
    print(f"{machine_name()}\n")
    if args.virtual and args.seeds:
        print_seeds(args.jobs, args.seeds, args.pattern)
        return
    seed = args.seed if args.virtual else None
    shared_figures, alone_figures = run_both(args.jobs, seed, args.pattern)
    headers = [
        "job",
        "starts at s",
        "run s",
        "status",
        "right",
        "exit",
        "429s",
        "requests",
        "lag s",
    ]
    print("One key shared by every job:\n")
    print(table(headers, rows(shared_figures)))
    print("\nBaseline, each job with a key of its own:\n")
    print(table(headers, rows(alone_figures)))
    ours, base = totals(shared_figures), totals(alone_figures)
    share = refused_share(ours)
    print("\nTotals and targets:\n")
    print(
        table(
            ["", "one key", "a key each", "target", "met"],
            [
                ["wrong verdicts", ours["wrong"], base["wrong"], "0", _met(ours["wrong"] == 0)],
                ["exit 3", ours["exit3"], base["exit3"], "0", _met(ours["exit3"] == 0)],
                [
                    "mean lag s",
                    f"{ours['lag']:.2f}",
                    f"{base['lag']:.2f}",
                    f"≤ {LAG_TIMES:g} × a key each",
                    _met(ours["lag"] <= LAG_TIMES * base["lag"]),
                ],
                [
                    "429s / requests",
                    f"{ours['refused']:.0f} / {ours['requests']:.0f} ({share:.1%})",
                    f"{base['refused']:.0f} / {base['requests']:.0f}",
                    f"≤ {REFUSED_SHARE * 100:.0f} %",
                    _met(share <= REFUSED_SHARE),
                ],
            ],
        )
    )


def print_seeds(count: int, seeds: int, pattern: str | None = None) -> None:
    """One line of totals per seed of the 429 spread, and their means against the targets."""
    lines: list[list[object]] = []
    lags, single_lags, shares = [], [], []
    wrong = exit3 = 0
    for seed in range(1, seeds + 1):
        shared, alone = run_both(count, seed, pattern)
        ours, base = totals(shared), totals(alone)
        share = refused_share(ours)
        worst = max(m.lag for m in shared)
        lags.append(ours["lag"])
        single_lags.append(base["lag"])
        shares.append(share)
        wrong += int(ours["wrong"] + base["wrong"])
        exit3 += int(ours["exit3"] + base["exit3"])
        lines.append([
            seed, f"{ours['lag']:.2f}", f"{worst:.1f}", f"{base['lag']:.2f}",
            f"{ours['refused']:.0f} / {ours['requests']:.0f} ({share:.1%})",
            ours["wrong"], ours["exit3"],
        ])  # fmt: skip
    lag, single, share = mean(lags), mean(single_lags), mean(shares)
    lines.append([
        "mean", f"{lag:.2f}", "", f"{single:.2f}", f"{share:.1%}", wrong, exit3,
    ])  # fmt: skip
    headers = [
        "seed",
        "lag s, one key",
        "worst job s",
        "lag s, a key each",
        "429s / requests",
        "wrong",
        "exit 3",
    ]
    print(table(headers, lines))
    print(
        f"\nTargets on the means: lag ≤ {LAG_TIMES:g} × a key each: "
        f"{_met(lag <= LAG_TIMES * single)}; 429s ≤ {REFUSED_SHARE * 100:.0f} %: "
        f"{_met(share <= REFUSED_SHARE)}; no wrong verdict and no exit 3: "
        f"{_met(wrong == 0 and exit3 == 0)}"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()

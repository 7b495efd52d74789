"""Many jobs, one key: ten `python -m qarun` processes against one Qualigate fake that
enforces Qualigate's per-key limit (30 requests a minute per endpoint group, then 429
with `retry_after`), as a monorepo's ten QA jobs on one pull request would share it.

The jobs start staggered over 20 s, each triggering a test case whose run lasts 30 to
120 s (every other one fails). Beside them, the baseline: the same ten jobs at the same
moments, each against a fake of its own (a key of its own, so no shared limit). The fake
stamps every request, so each job's lag is measured on the platform's side: from its
run's end to the first status check of that run after it.

    .venv/bin/python -m bench.shared_key [--jobs 10]

Targets (the issue): 0 wrong verdicts, 0 exit 3, the shared jobs' mean lag at most twice
the single jobs', and 429 answers at most a tenth of the requests sent. About 2.5 minutes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.base import Recorded, Reply, RunScript, on_wall_clock
from tests.fakes.qualigate import TEST_CASE_ID, TRIGGER, QualigateFake
from tests.harness import ActionResult, run_action

from bench.tables import machine_name, mean, table

STAGGER = 20.0  # seconds over which the jobs start
SHORTEST, LONGEST = 30.0, 120.0


class CountingFake(QualigateFake):
    """The Qualigate fake, counting its 429 answers by the run a status check asked about."""

    def __init__(self, scripts: list[RunScript]) -> None:
        super().__init__(triggers=[[script] for script in scripts])
        on_wall_clock(self)  # the limit and the lag in real seconds
        self.refused_by_run: Counter[str] = Counter()

    def route(self, request: Recorded) -> Reply:
        reply = super().route(request)
        if reply.status == 429:
            run_id = (request.query.get("test_run_id") or ["trigger"])[0]
            self.refused_by_run[run_id] += 1
        return reply


@dataclass(frozen=True)
class Job:
    number: int
    starts_at: float
    script: RunScript

    @property
    def expected(self) -> str:
        return self.script.result


@dataclass
class Measured:
    job: Job
    result: ActionResult | None = None
    run_id: str = ""
    lag: float = float("nan")
    requests: int = 0
    refused: int = 0


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


def run_job(job: Job, fake: QualigateFake, folder: Path, began: float) -> ActionResult:
    time.sleep(max(0.0, began + job.starts_at - time.monotonic()))
    inputs = {
        "provider": "qualigate",
        "api-key": fake.api_key,
        "api-url": fake.url,
        "test-case": TEST_CASE_ID,
        "timeout": "5m",
    }
    return run_action(folder, inputs, timeout=LONGEST + STAGGER + 120)


def measure(job: Job, fake: CountingFake, result: ActionResult) -> Measured:
    """The job's figures, read from the fake: its run is the one its `run-ids` output names."""
    measured = Measured(job, result)
    run_ids = json.loads(result.outputs.get("run-ids") or "[]")
    if not run_ids or run_ids[0] not in fake.test_runs:
        return measured
    run = fake.test_runs[run_ids[0]]
    measured.run_id = run.id
    checks = [
        r.at for r in fake.requests_to("GET", TRIGGER) if r.query.get("test_run_id") == [run.id]
    ]
    measured.requests = len(checks) + 1  # and its trigger
    measured.refused = fake.refused_by_run[run.id]
    ended = run.timeline.clock.start + run.script.duration
    seen = next((at for at in checks if at >= ended), None)
    if seen is not None:
        measured.lag = seen - ended
    return measured


def run_group(group: list[tuple[Job, CountingFake]], tmp: Path, began: float) -> list[Measured]:
    results: dict[int, ActionResult] = {}

    def one(job: Job, fake: CountingFake) -> None:
        results[job.number] = run_job(job, fake, tmp / f"{id(fake)}-{job.number}", began)

    threads = [threading.Thread(target=one, args=pair) for pair in group]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [measure(job, fake, results[job.number]) for job, fake in group]


def rows(measured: list[Measured]) -> list[list[object]]:
    out: list[list[object]] = []
    for m in measured:
        assert m.result is not None
        status = m.result.outputs.get("status", "?")
        right = "yes" if status == m.job.expected else f"NO (expected {m.job.expected})"
        out.append([
            m.job.number, f"{m.job.starts_at:.1f}", f"{m.job.script.duration:.0f}", status, right,
            m.result.exit_code, m.refused, m.requests, f"{m.lag:.2f}",
        ])  # fmt: skip
    return out


def totals(measured: list[Measured]) -> dict[str, float]:
    assert all(m.result is not None for m in measured)
    return {
        "wrong": sum(
            1 for m in measured if m.result and m.result.outputs.get("status") != m.job.expected
        ),
        "exit3": sum(1 for m in measured if m.result and m.result.exit_code == 3),
        "refused": sum(m.refused for m in measured),
        "requests": sum(m.requests for m in measured),
        "lag": mean([m.lag for m in measured]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    args = parser.parse_args()
    planned = jobs(args.jobs)
    shared = CountingFake([job.script for job in planned]).start()
    alone = [CountingFake([job.script]).start() for job in planned]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            began = time.monotonic() + 1.0
            figures: dict[str, list[Measured]] = {}

            def group(name: str, pairs: list[tuple[Job, CountingFake]]) -> None:
                figures[name] = run_group(pairs, Path(tmp), began)

            threads = [
                threading.Thread(target=group, args=("shared", [(job, shared) for job in planned])),
                threading.Thread(
                    target=group, args=("alone", list(zip(planned, alone, strict=True)))
                ),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for fake in (shared, *alone):
            fake.stop()
    shared_figures, alone_figures = figures["shared"], figures["alone"]

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
    print(f"{args.jobs} jobs, one Qualigate key (30 requests a minute per endpoint group)")
    print(f"{machine_name()}\n")
    print("One key shared by every job:\n")
    print(table(headers, rows(shared_figures)))
    print("\nBaseline, each job with a key of its own:\n")
    print(table(headers, rows(alone_figures)))
    ours, base = totals(shared_figures), totals(alone_figures)
    share = ours["refused"] / max(1, ours["requests"])
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
                    "≤ 2 × a key each",
                    _met(ours["lag"] <= 2 * base["lag"]),
                ],
                [
                    "429s / requests",
                    f"{ours['refused']:.0f} / {ours['requests']:.0f} ({share:.1%})",
                    f"{base['refused']:.0f} / {base['requests']:.0f}",
                    "≤ 10 %",
                    _met(share <= 0.10),
                ],
            ],
        )
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()

"""Fan-out: one trigger that starts 500 runs (or a suite of 500 tests) on a fake platform.

For each case, twice:
- in this process, through the real provider and Waiter over loopback HTTP:
  requests per status check, and the time to render the job summary of the outcome;
- through `python -m qarun` as the runner starts it: the process's peak memory (RSS)
  and the size of the job summary it wrote, and whether it says what it left out.

One run in five fails with a 1,900-character message; in the last case every
run does, so the summary cannot hold them all and must say what it left out
(GitHub takes at most 1 MiB per step summary).

    .venv/bin/python -m bench.fanout [--runs 500]

Targets (issue 6): 1 request per status check, peak RSS ≤ 60 MB, summary ≤ 1 MiB
with explicit truncation, summary rendered in ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.contract import only
from tests.fakes import qualigate
from tests.fakes.base import FakePlatform, RunScript, TestScript
from tests.harness import ACTION_COMMAND, prepare

from bench.clocks import on_wall_clock
from bench.tables import machine_name, percentile, table
from qarun.context import read_context
from qarun.deadline import Deadline
from qarun.http import HttpClient
from qarun.model import Outcome, Run
from qarun.providers import PROVIDERS
from qarun.report.summary import render_summary
from qarun.settings import load_settings
from qarun.verdict import exit_code, final_statuses, overall_status
from qarun.wait import Schedule, Waiter

MIB = 1024 * 1024
RSS_TARGET_MB = 60.0
RENDER_TARGET_MS = 200.0
NOT_SHOWN = "not shown; the full list is in the JSON report"
LONG_MESSAGE = "Element not found: button[data-test='submit-order'] after 30 s. " * 30


@dataclass(frozen=True)
class Case:
    label: str
    provider: str
    fake: Callable[[int], FakePlatform]
    inputs: dict[str, str]


def _test(n: int, failing_every: int = 5) -> TestScript:
    """Test n: one in `failing_every` fails, with a long message."""
    if n % failing_every:
        return TestScript(f"Flow {n:03d}")
    return TestScript(f"Flow {n:03d}", "failed", LONG_MESSAGE[:1900])


def _scripts(count: int, failing_every: int = 5) -> list[RunScript]:
    """Runs ending between 1 and 3 s."""
    tests = [_test(n, failing_every) for n in range(1, count + 1)]
    return [
        RunScript(test.name, test.result, 1.0 + 2.0 * n / count, message=test.message)
        for n, test in enumerate(tests, start=1)
    ]


def _suite(count: int) -> FakePlatform:
    tests = tuple(_test(n) for n in range(1, count + 1))
    return qualigate.QualigateFake([RunScript("Everything", duration=3.0, tests=tests)])


def _panto(count: int, failing_every: int = 5) -> FakePlatform:
    return only("panto").with_runs(_scripts(count, failing_every))


PANTO_INPUTS = only("panto").inputs
CASES_500 = [
    Case("panto: one trigger, N runs", "panto", _panto, dict(PANTO_INPUTS)),
    Case(
        "qualigate project: N test runs",
        "qualigate",
        lambda count: qualigate.QualigateFake(_scripts(count)),
        {"project": qualigate.PROJECT_ID},
    ),
    Case("qualigate suite: N tests", "qualigate", _suite, {"suite": qualigate.SUITE_ID}),
    Case(
        "panto: N runs, every one failing",
        "panto",
        lambda count: _panto(count, failing_every=1),
        dict(PANTO_INPUTS),
    ),
]


@dataclass
class Figures:
    per_check: list[int]
    render_ms: float
    rss_mb: float
    summary_bytes: int
    truncated: bool
    exit_code: int


def in_process(case: Case, count: int, tmp: Path) -> tuple[list[int], float]:
    """Requests per status check, and the summary's render time (median of 5)."""
    with on_wall_clock(case.fake(count)) as fake:
        env = prepare(tmp, _inputs(case, fake)).env
        settings = load_settings(env)
        cls = PROVIDERS[settings.provider]
        client = HttpClient(base_url=settings.api_url, headers=cls.auth_headers(settings.api_key))
        assert settings.options is not None
        provider = cls.create(settings.options, client, read_context(env), attach_context=True)
        started = time.monotonic()
        runs = [run for spec in provider.plan() for run in provider.trigger(spec)]
        per_check: list[int] = []

        def poll(unfinished: Sequence[Run]) -> list[Run]:
            # Counted where they arrive: the fake records each request before it answers.
            before = len(fake.requests)
            fresh = provider.poll(unfinished)
            per_check.append(len(fake.requests) - before)
            return fresh

        waiter = Waiter(
            poll,
            Schedule(settings.poll_interval),
            time.monotonic,
            time.sleep,
            Deadline.after(time.monotonic, 120.0),
        )
        runs = provider.complete(waiter.wait(runs, started).runs)
    status = overall_status(runs)
    outcome = Outcome(
        provider=cls.name,
        provider_title=cls.title,
        status=status,
        exit_code=exit_code([status, *final_statuses(runs)], settings.fail_on),
        runs=tuple(runs),
        context=read_context(env),
        started_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        duration=time.monotonic() - started,
    )
    times = []
    for _ in range(5):
        begin = time.perf_counter()
        render_summary(outcome)
        times.append((time.perf_counter() - begin) * 1000)
    return per_check, percentile(times, 50)


def through_the_command(case: Case, count: int, tmp: Path) -> tuple[float, str, int]:
    """Peak RSS in MB, the summary written, and the exit code of `python -m qarun`."""
    with on_wall_clock(case.fake(count)) as fake:
        step = prepare(tmp, _inputs(case, fake))
        with open(tmp / "log", "wb") as log:
            process = subprocess.Popen(
                list(ACTION_COMMAND),
                env=step.env,
                cwd=step.workspace,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _, status, usage = os.wait4(process.pid, 0)
    # ru_maxrss is in kilobytes on Linux.
    return usage.ru_maxrss / 1024, step.summary_path.read_text(), os.waitstatus_to_exitcode(status)


def _inputs(case: Case, fake: FakePlatform) -> dict[str, str]:
    return {
        "provider": case.provider,
        "api-key": fake.api_key,
        "api-url": fake.url,
        "timeout": "2m",
        **case.inputs,
    }


def measure(case: Case, count: int, tmp: Path) -> Figures:
    per_check, render_ms = in_process(case, count, tmp / "in-process")
    rss, summary, code = through_the_command(case, count, tmp / "command")
    size = len(summary.encode("utf-8"))
    return Figures(per_check, render_ms, rss, size, NOT_SHOWN in summary, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, case in enumerate(CASES_500):
            f = measure(case, args.runs, Path(tmp) / str(n))
            rows.append(
                [
                    case.label.replace("N", str(args.runs)),
                    f"{max(f.per_check)} ({len(f.per_check)} checks)",
                    f"{f.rss_mb:.1f}",
                    f"{f.summary_bytes / MIB:.3f}",
                    "yes" if f.truncated else "no",
                    f"{f.render_ms:.0f}",
                    str(f.exit_code),
                ]
            )
    print(f"Fan-out: {args.runs} runs from one trigger, against the fakes over loopback")
    print(f"{machine_name()}\n")
    headers = [
        "case",
        "requests per check (max)",
        "peak RSS MB",
        "summary MiB",
        "says what it left out",
        "render ms",
        "exit",
    ]
    print(table(headers, rows))
    print(
        f"\nTargets: 1 request per check, RSS ≤ {RSS_TARGET_MB:g} MB, summary ≤ 1 MiB with "
        f"explicit truncation, render ≤ {RENDER_TARGET_MS:g} ms. Exit 1: runs failed, as scripted."
    )


if __name__ == "__main__":
    main()

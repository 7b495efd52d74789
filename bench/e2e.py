"""The schedule end to end: `python -m qarun` against the fake platforms over real HTTP.

Runs ending at 3, 10, 30 and 60 s on each fake platform, all at once, each through
`python -m qarun` the way the runner starts it, with the default `poll-interval`;
where the platform reports progress, once with progress that advances evenly and
once with progress stuck at a quarter until the end (a forecast made early is
then wrong). The fake stamps every request's arrival, so the lag is measured on
the platform's side: from the moment the run ended there to the first status
check that arrived after it. Beside each, the simulated clock's figures for the
same run (bench/schedule.py's model) and, the baseline, the age-only schedule's
(what qarun does with no progress at all): a forecast must not cost more than none.

    .venv/bin/python -m bench.e2e [--durations 3,10,30,60]

Bounded: the longest run plus a few seconds (about 70 s with the defaults).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.contract import ProviderCase, only
from tests.fakes import qatech, qualigate
from tests.fakes.base import FakePlatform, RunScript, TestScript
from tests.harness import run_action

from bench.clocks import on_wall_clock
from bench.schedule import SimRun, qarun_schedule, watch
from bench.tables import machine_name, table

QUEUED_FOR = 0.1  # RunScript's default


@dataclass(frozen=True)
class Setup:
    """One way of running on a fake platform, and what it reports while running."""

    label: str
    case: ProviderCase
    fake: Callable[[float], FakePlatform]
    inputs: dict[str, str]
    # How many steps the platform reports done as the run goes, or 0 for none.
    steps: int
    # How the progress shows: "even", or "stalled" (stuck at a quarter until the end).
    progress: str = "even"


def _four_flows(duration: float) -> RunScript:
    tests = tuple(TestScript(f"Flow {n}") for n in range(1, 5))
    return RunScript("Critical flows", duration=duration, tests=tests)


# Platforms that report progress, each run with progress even and stuck at a quarter:
# label (up to what counts as done), platform, the fake for a run of `duration` with that
# progress, inputs, steps shown.
_WITH_PROGRESS: list[tuple[str, str, Callable[[float, str], FakePlatform], dict[str, str], int]] = [
    (
        "qualigate test case (steps",
        "qualigate",
        lambda d, p: qualigate.QualigateFake([RunScript(duration=d)], progress=p),
        {"test-case": qualigate.TEST_CASE_ID},
        qualigate.STEPS,
    ),
    (
        "qualigate suite (tests",
        "qualigate",
        lambda d, p: qualigate.QualigateFake([_four_flows(d)], progress=p),
        {"suite": qualigate.SUITE_ID},
        4,
    ),
    (
        "qatech plan, 4 test cases (cases",
        "qatech",
        lambda d, p: qatech.QatechFake({qatech.SCENARIO_PLAN: _four_flows(d)}, progress=p),
        {"suite": qatech.SCENARIO_PLAN},
        4,
    ),
]


def _showing(
    make: Callable[[float, str], FakePlatform], progress: str
) -> Callable[[float], FakePlatform]:
    return lambda duration: make(duration, progress)


SETUPS = [
    *(
        Setup(
            f"{label} done, {progress})",
            only(platform),
            _showing(make, progress),
            inputs,
            steps,
            progress,
        )
        for label, platform, make, inputs, steps in _WITH_PROGRESS
        for progress in ("even", "stalled")
    ),
    Setup(
        "qatech plan (no progress)",
        only("qatech"),
        lambda d: qatech.QatechFake({qatech.SCENARIO_PLAN: RunScript(duration=d)}),
        {"suite": qatech.SCENARIO_PLAN},
        0,
    ),
    Setup(
        "panto, 4 runs ending in turn (runs done)",
        only("panto"),
        lambda d: only("panto").with_runs(
            [RunScript(f"Suite {n}", duration=d * n / 4) for n in range(1, 5)]
        ),
        dict(only("panto").inputs),
        4,
    ),
    Setup(
        "panto, one run (no progress)",
        only("panto"),
        lambda d: only("panto").with_runs([RunScript(duration=d)]),
        dict(only("panto").inputs),
        0,
    ),
]


@dataclass
class Measured:
    setup: Setup
    duration: float
    lag: float = float("nan")
    requests: int = 0
    problem: str = ""


def measure(setup: Setup, duration: float, folder: Path) -> Measured:
    """Runs the action once; lag and status checks as the fake platform saw them."""
    measured = Measured(setup, duration)
    with on_wall_clock(setup.fake(duration)) as fake:
        inputs = {
            "provider": setup.case.name,
            "api-key": fake.api_key,
            "api-url": fake.url,
            "timeout": "2m",
            **setup.inputs,
        }
        result = run_action(folder, inputs, timeout=duration + 60)
        if result.exit_code != 0:
            measured.problem = f"exit {result.exit_code}: {result.errors()}"
            return measured
        ended = setup.case.triggers(fake)[0].at + duration
        polls = [request.at for request in setup.case.polls(fake)]
        seen = next((at for at in polls if at >= ended), None)
        if seen is None:
            measured.problem = "no status check after the end"
            return measured
        measured.lag = seen - ended
        measured.requests = sum(1 for at in polls if at <= seen)
    return measured


def simulated(setup: Setup, duration: float, *, age_only: bool = False) -> tuple[float, int]:
    """The same run on the simulated clock, steps ending as the fakes make them; `age_only`:
    scheduled as if the platform reported no progress (the baseline)."""
    running = duration - QUEUED_FOR
    steps = tuple(QUEUED_FOR + running * n / setup.steps for n in range(1, setup.steps + 1))
    sim = SimRun(duration, QUEUED_FOR, steps, max(setup.steps, 1), failed=False)
    seen = watch(
        sim, qarun_schedule(), progress=setup.steps > 0 and not age_only, pattern=setup.progress
    )
    return seen.lag, seen.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", default="3,10,30,60")
    args = parser.parse_args()
    durations = [float(d) for d in args.durations.split(",")]
    results: list[Measured] = []
    with tempfile.TemporaryDirectory() as tmp:
        threads = []
        for n, (setup, duration) in enumerate((s, d) for s in SETUPS for d in durations):
            folder = Path(tmp) / str(n)

            def job(
                setup: Setup = setup, duration: float = duration, folder: Path = folder
            ) -> None:
                results.append(measure(setup, duration, folder))

            threads.append(threading.Thread(target=job))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    order = {(s.label, d): i for i, (s, d) in enumerate((s, d) for s in SETUPS for d in durations)}
    results.sort(key=lambda m: order[(m.setup.label, m.duration)])
    rows = []
    for m in results:
        sim_lag, sim_requests = simulated(m.setup, m.duration)
        age_lag, age_requests = simulated(m.setup, m.duration, age_only=True)
        measured = [f"{m.lag:.2f}", str(m.requests)] if not m.problem else [m.problem, ""]
        rows.append(
            [
                m.setup.label,
                f"{m.duration:g}",
                *measured,
                f"{sim_lag:.2f}",
                str(sim_requests),
                f"{age_lag:.2f} / {age_requests}",
            ]
        )
    print("Over real HTTP: `python -m qarun` against the fakes, default poll-interval (10 s)")
    print(f"{machine_name()}\n")
    headers = [
        "run",
        "ends at s",
        "lag s",
        "status checks",
        "simulated lag s",
        "simulated checks",
        "age only: lag s / checks",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()

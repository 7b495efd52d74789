"""Cold start: from spawning the process to the platform receiving qarun's first request.

Each sample spawns entrypoint.py the way the runner does (tests/harness.py)
against a fake platform on loopback, which stamps the first request's arrival
on the same monotonic clock. Two figures per sample:
- wall: spawn to arrival, what a job waits; it grows with whatever else the
  machine runs at the time (the load average is printed);
- CPU: the time the process itself had run when its request arrived
  (/proc/<pid>/schedstat), which other load barely changes.
Providers are interleaved so that load falls on all alike. `--importtime` adds
the modules that cost most to import (`python -X importtime`).

    .venv/bin/python bench/coldstart.py [--samples 20] [--importtime]

Target (issue 6): process start to first HTTP request ≤ 150 ms on this machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tests.contract import CASES, ProviderCase, only
from tests.fakes.base import FakePlatform, Recorded, Reply
from tests.harness import ENTRYPOINT, prepare

from bench.tables import machine_name, percentile, table

TARGET_MS = 150.0


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def on_cpu_ms(pid: int) -> float:
    """How long the process has run on a CPU so far (the first field of schedstat, in ns)."""
    with open(f"/proc/{pid}/schedstat", encoding="ascii") as stat:
        return int(stat.read().split()[0]) / 1e6


def stamp_first_request(fake: FakePlatform, pid: Callable[[], int], into: list[float]) -> None:
    """Makes the fake note the client's CPU time when the first request reaches it."""
    route = fake.route

    def stamped(request: Recorded) -> Reply:
        if not into:
            into.append(on_cpu_ms(pid()))
        return route(request)

    fake.route = stamped  # type: ignore[method-assign]


@dataclass(frozen=True)
class Variant:
    """One way of starting: a platform, and the entrypoint.py to run with what environment."""

    label: str
    case: ProviderCase
    entrypoint: Path = ENTRYPOINT
    env: dict[str, str] = field(default_factory=dict)


def sample(variant: Variant, tmp: Path, into: Samples) -> None:
    """One spawn of entrypoint.py with `wait: false`: its first request is the trigger."""
    case = variant.case
    with case.scenario("passed") as fake:
        step = prepare(tmp, case.step_inputs(fake, wait="false"))
        cpu: list[float] = []
        process: list[subprocess.Popen[bytes]] = []
        stamp_first_request(fake, lambda: process[0].pid, cpu)
        started = time.monotonic()
        process.append(
            subprocess.Popen(
                [sys.executable, str(variant.entrypoint)],
                env={**step.env, **variant.env},
                cwd=step.workspace,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        process[0].wait(timeout=30)
        if not fake.requests or not cpu:
            raise SystemExit(f"{variant.label}: the action sent no request")
        into.wall.append((fake.requests[0].at - started) * 1000)
        into.cpu.append(cpu[0])


def uncompiled_copy(folder: Path) -> Path:
    """entrypoint.py and src/ without their __pycache__: what the image holds."""
    shutil.copy(ENTRYPOINT, folder / "entrypoint.py")
    shutil.copytree(
        ENTRYPOINT.parent / "src", folder / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    return folder / "entrypoint.py"


def interpreter(samples: int) -> Samples:
    """The floor: the same interpreter spawned to do nothing."""
    floor = Samples()
    for _ in range(samples):
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        floor.wall.append((time.monotonic() - start) * 1000)
    return floor


def import_costs(top: int) -> list[tuple[str, float]]:
    """The modules whose import (with what they import) costs most: `python -X importtime`."""
    code = f"import sys; sys.path.insert(0, {str(ENTRYPOINT.parent / 'src')!r}); import qarun.main"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 5:  # the first levels: what qarun itself pulls in
            rows.append((match.group(2) + match.group(3), int(match.group(1)) / 1000))
    return sorted(rows, key=lambda row: -row[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument(
        "--uncompiled",
        action="store_true",
        help="add a row without cached bytecode (PYTHONDONTWRITEBYTECODE, as the image runs it)",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    floor = interpreter(args.samples)
    with tempfile.TemporaryDirectory() as tmp:
        variants = [Variant(case.name, case) for case in CASES]
        if args.uncompiled:
            variants.append(
                Variant(
                    "qualigate, sources not compiled (as in the image)",
                    only("qualigate"),
                    uncompiled_copy(Path(tmp)),
                    {"PYTHONDONTWRITEBYTECODE": "1"},
                )
            )
        found = {variant.label: Samples() for variant in variants}
        for n in range(args.samples):
            for index, variant in enumerate(variants):
                sample(variant, Path(tmp) / f"{n}-{index}", found[variant.label])
    load_after = os.getloadavg()[0]

    rows = [["python -c pass (floor)", *_summary(floor.wall), "", "", "", ""]]
    for name, samples in found.items():
        met = "met" if percentile(samples.wall, 50) <= TARGET_MS else "MISSED"
        rows.append([name, *_summary(samples.wall), *_summary(samples.cpu), met])
    print(f"Cold start: process spawn → first HTTP request, ms ({args.samples} samples each)")
    print(f"{platform.python_implementation()} {platform.python_version()}, {machine_name()}")
    print(f"load average {load_before:.2f} before, {load_after:.2f} after\n")
    headers = ["", "wall min", "wall median", "wall p90", "CPU min", "CPU median", "CPU p90"]
    print(table([*headers, f"median ≤ {TARGET_MS:g}"], rows))
    if args.importtime:
        print("\nImport cost of qarun.main (cumulative ms, python -X importtime, one run)\n")
        print(table(["module", "ms"], [[name, f"{ms:.1f}"] for name, ms in import_costs(25)]))


def _summary(times: list[float]) -> list[str]:
    return [f"{min(times):.0f}", f"{percentile(times, 50):.0f}", f"{percentile(times, 90):.0f}"]


if __name__ == "__main__":
    main()

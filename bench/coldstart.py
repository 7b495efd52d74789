"""Cold start: from starting qarun to the platform receiving its first request, side by side
with the floor: the same start doing nothing but `import requests`.

Two ways of starting, each against a fake platform on loopback (`wait: false`,
so the first request is the trigger), each with its floor:
- process: `python -m qarun` spawned the way the runner's container runs it,
  against `python -c "import requests"`; target: within 1.5× of the floor;
- container (where a Docker engine runs): `docker run` of the built image,
  against `docker run` of the base image with the same locked packages
  (requirements.txt, which brings requests) running `python -c "import requests"`;
  target: within 1.3× of the floor.
Samples alternate between qarun and its floor so that load falls on both alike;
the load average is printed. `--importtime` adds the modules that cost most to
import (`python -X importtime`).

    .venv/bin/python -m bench.coldstart [--samples 20] [--importtime] [--no-container]
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
from pathlib import Path

from tests.contract import only
from tests.dockerutil import build_image, engine_available
from tests.harness import ACTION_COMMAND, ROOT, prepare

from bench.clocks import on_wall_clock
from bench.tables import machine_name, percentile, table

PROCESS_TARGET = 1.5
CONTAINER_TARGET = 1.3
BASE_IMAGE = "python:3.12-slim"
FLOOR_CODE = "import requests"


def process_start(tmp: Path) -> float:
    """ms from spawning `python -m qarun` to the fake receiving the trigger."""
    case = only("qatech")
    with on_wall_clock(case.scenario("passed")) as fake:
        step = prepare(tmp, case.step_inputs(fake, wait="false"))
        started = time.monotonic()
        subprocess.run(
            ACTION_COMMAND, check=False, env=step.env, cwd=step.workspace, capture_output=True
        )
        return (fake.requests[0].at - started) * 1000


def process_floor() -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", FLOOR_CODE], check=True)
    return (time.monotonic() - started) * 1000


def container_start(image: str, tmp: Path) -> float:
    """ms from `docker run` of the image to the fake (on the host network) receiving the trigger."""
    case = only("qatech")
    with on_wall_clock(case.scenario("passed")) as fake:
        step = prepare(tmp, case.step_inputs(fake, wait="false"))
        inputs = {name: value for name, value in step.env.items() if name.startswith("INPUT_")}
        argv = ["docker", "run", "--rm", "--network", "host"]
        for name in inputs:
            argv += ["-e", name]
        started = time.monotonic()
        subprocess.run(
            [*argv, image], check=False, env={**os.environ, **inputs}, capture_output=True
        )
        return (fake.requests[0].at - started) * 1000


FLOOR_IMAGE = "qarun-coldstart:floor"
FLOOR_DOCKERFILE = f"""FROM {BASE_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
COPY requirements.txt /app/requirements.txt
RUN pip install --require-hashes --only-binary=:all: -r /app/requirements.txt
"""


def build_floor() -> None:
    """The base image with the locked packages and nothing of qarun's."""
    with tempfile.TemporaryDirectory() as context:
        (Path(context) / "Dockerfile").write_text(FLOOR_DOCKERFILE, encoding="utf-8")
        shutil.copy(ROOT / "requirements.txt", Path(context) / "requirements.txt")
        subprocess.run(
            ["docker", "build", "-q", "-t", FLOOR_IMAGE, context], check=True, capture_output=True
        )


def container_floor() -> float:
    started = time.monotonic()
    argv = ["docker", "run", "--rm", FLOOR_IMAGE, "python", "-c", FLOOR_CODE]
    subprocess.run(argv, check=True, capture_output=True)
    return (time.monotonic() - started) * 1000


def alternate(
    samples: int, qarun: Callable[[Path], float], floor: Callable[[], float]
) -> tuple[list[float], list[float]]:
    found: tuple[list[float], list[float]] = ([], [])
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(samples):
            found[0].append(qarun(Path(tmp) / str(n)))
            found[1].append(floor())
    return found


def import_costs(top: int) -> list[tuple[str, float]]:
    """The modules whose import (with what they import) costs most: `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import qarun.main"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 5:  # the first levels: what qarun itself pulls in
            rows.append((match.group(2) + match.group(3), int(match.group(1)) / 1000))
    return sorted(rows, key=lambda row: -row[1])[:top]


def row(label: str, times: list[float], floor: list[float], target: float) -> list[str]:
    ratio = percentile(times, 50) / percentile(floor, 50)
    return [
        label,
        f"{percentile(floor, 50):.0f}",
        f"{min(times):.0f}",
        f"{percentile(times, 50):.0f}",
        f"{percentile(times, 90):.0f}",
        f"{ratio:.2f}×",
        f"≤ {target}× {'met' if ratio <= target else 'MISSED'}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--no-container", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows = [row("process", *alternate(args.samples, process_start, process_floor), PROCESS_TARGET)]
    if not args.no_container and engine_available():
        image = "qarun-coldstart:bench"
        build_image(ROOT, image)
        build_floor()
        start = lambda tmp: container_start(image, tmp)  # noqa: E731
        rows.append(
            row("container", *alternate(args.samples, start, container_floor), CONTAINER_TARGET)
        )
    load_after = os.getloadavg()[0]

    print(f"Cold start: start → first HTTP request, ms ({args.samples} samples each)")
    print(f"{platform.python_implementation()} {platform.python_version()}, {machine_name()}")
    print(f"load average {load_before:.2f} before, {load_after:.2f} after\n")
    headers = ["", "floor median", "qarun min", "qarun median", "qarun p90", "ratio", "target"]
    print(table(headers, rows))
    print(f"\nfloor: the same start running `{FLOOR_CODE}` (process: this interpreter; container:")
    print(f"`docker run` of {BASE_IMAGE} with requirements.txt installed)")
    if args.importtime:
        print("\nImport cost of qarun.main (cumulative ms, python -X importtime, one run)\n")
        print(table(["module", "ms"], [[name, f"{ms:.1f}"] for name, ms in import_costs(25)]))


if __name__ == "__main__":
    main()

"""Stress: the tests that send signals or wait on processes, many rounds, two at once.

A test that passes alone can still lose a race on a busy machine; this runs the
chosen tests ROUNDS times, two pytest processes at a time, and counts the rounds
that failed and the runs that hung (a step the harness had to kill). Not a
timed test: it prints a table.

    .venv/bin/python -m bench.stress [--rounds 200] [--at-once 2] [tests ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.install import install_in_venv

from bench.tables import machine_name, table

# Every test that sends a signal or waits on a process: the `process` marker, containers aside.
DEFAULT_TESTS = ["-m", "process and not docker", "tests/"]
HUNG = "did not end within"


def round_of(tests: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Each round its own temporary folder: two pytest processes sharing one race to clean it.
    basetemp = log.with_suffix(".tmp")
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        f"--basetemp={basetemp}", *tests,
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--at-once", type=int, default=2)
    parser.add_argument("tests", nargs="*", default=DEFAULT_TESTS)
    args = parser.parse_args()

    failed = hung = 0
    kept: list[Path] = []
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="qarun-stress-"))
    # The command's tests use one installed venv for every round: the install is not stressed.
    qarun = install_in_venv(folder / "install")
    env = {**os.environ, "QARUN_TEST_VENV": str(qarun.parent.parent)}
    done = 0
    while done < args.rounds:
        batch = min(args.at_once, args.rounds - done)
        logs = [folder / f"round-{done + n + 1}.log" for n in range(batch)]
        runs = [round_of(args.tests, log, env) for log in logs]
        for run, log in zip(runs, logs, strict=True):
            if run.wait() != 0:
                failed += 1
                hung += HUNG in log.read_text(encoding="utf-8", errors="replace")
                kept.append(log)
            else:
                log.unlink()
        done += batch
    minutes = (time.monotonic() - started) / 60

    print(f"Stress: {', '.join(args.tests)}")
    print(f"{machine_name()}; {minutes:.1f} min\n")
    print(
        table(
            ["rounds", "at once", "failed rounds", "hung steps"],
            [[args.rounds, args.at_once, failed, hung]],
        )
    )
    if kept:
        print("\nLogs of the failed rounds:", *kept, sep="\n  ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()

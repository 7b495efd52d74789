"""Stress: the tests that send signals or wait on processes, many rounds, two at once.

A test that passes alone can still lose a race on a busy machine; this runs the
chosen tests ROUNDS times, two pytest processes at a time, and counts the rounds
that failed and the runs that hung (a step the harness had to kill). Not a
timed test: it prints a table.

    .venv/bin/python -m bench.stress [--rounds 200] [--at-once 2] [tests ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.tables import machine_name, table

# Every test that sends a signal or waits on a process (the subprocess tier).
DEFAULT_TESTS = [
    "tests/test_cancel.py",
    "tests/test_slow_server.py",
    "tests/test_wait_for_url.py",
]
HUNG = "did not end within"


def round_of(tests: list[str], log: Path) -> subprocess.Popen[bytes]:
    # Each round its own temporary folder: two pytest processes sharing one race to clean it.
    basetemp = log.with_suffix(".tmp")
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        f"--basetemp={basetemp}", *tests,
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


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
    done = 0
    while done < args.rounds:
        batch = min(args.at_once, args.rounds - done)
        logs = [folder / f"round-{done + n + 1}.log" for n in range(batch)]
        runs = [round_of(args.tests, log) for log in logs]
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

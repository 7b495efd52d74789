"""How long the reports take to render for many runs: the job summary (Markdown, kept under
GitHub's 1 MiB) beside the plain-text summary as the baseline, for 50, 500 and 5,000 runs of
two tests each, with long names and messages. Target: 500 runs in under 0.2 s.

    .venv/bin/python -m bench.render [--repeat 5]

This used to be a timed unit test (tests/test_summary.py); timing belongs here.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from tests.factories import many_runs

from bench.tables import machine_name, table
from qarun.report.summary import render_summary
from qarun.report.text import render_text

SIZES = (50, 500, 5_000)
TARGET_500 = 0.2


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.render")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for size in SIZES:
        outcome = many_runs(size)
        summary = best_of(args.repeat, partial(render_summary, outcome))
        text = best_of(args.repeat, partial(render_text, outcome))
        rows.append((f"{size:,}", f"{summary:.3f}", f"{text:.3f}"))
    print(f"Rendering, best of {args.repeat} ({machine_name()}); target: 500 runs < {TARGET_500} s")
    print(table(["runs", "job summary (s)", "text summary, baseline (s)"], rows))


if __name__ == "__main__":
    main()

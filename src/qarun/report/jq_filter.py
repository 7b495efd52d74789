"""`output-filter`: the user's jq program on the JSON report, in a child process that can be
stopped. A jq program can run forever (`last(range(1e13))`) inside a C extension that no
signal interrupts; in a child it is simply killed at its time limit, and its result is cut
to what an output may hold."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from qarun.errors import QarunError

# At most 10 seconds, a result of at most 1 MiB (docs/failure-handling.md).
TIME_LIMIT = 10.0
MAX_RESULT_BYTES = 1024 * 1024
# How often a running filter looks whether the job was canceled.
_CHECK = 0.1

# The child: reads the program and the report, prints the result as `jq -r` would.
_CHILD = """
import json, sys
import jq
given = json.load(sys.stdin)
try:
    results = jq.compile(given["program"]).input_value(given["report"]).all()
except ValueError as error:
    print(error, file=sys.stderr)
    raise SystemExit(3)
def shown(value):
    return value if isinstance(value, str) else json.dumps(
        value, ensure_ascii=False, separators=(",", ":"))
sys.stdout.write("\\n".join(shown(result) for result in results))
"""


class FilterError(QarunError):
    """The jq program failed, ran too long, or gave too much (said without a full stop: the
    caller says what is left empty, named as its interface names it)."""


def _answer(
    child: subprocess.Popen[bytes], given: bytes, time_limit: float, stopped: Callable[[], bool]
) -> tuple[bytes, bytes]:
    """The child's stdout and stderr, once it has read `given` and ended; killed at
    `time_limit` or as soon as `stopped()`."""
    end = time.monotonic() + time_limit
    sent: bytes | None = given
    while True:
        try:
            return child.communicate(sent, timeout=min(_CHECK, max(0.0, end - time.monotonic())))
        except subprocess.TimeoutExpired:
            sent = None  # communicate() keeps sending what it started to
            if time.monotonic() >= end or stopped():
                child.kill()
                child.communicate()
                why = "the job was canceled" if stopped() else f"it ran past {time_limit:g} s"
                raise FilterError(f"the jq program was stopped ({why})") from None


def run_filter(
    program: str,
    report: dict[str, Any],
    *,
    time_limit: float = TIME_LIMIT,
    stopped: Callable[[], bool] = lambda: False,
) -> str:
    """The program's result as `jq -r` prints it: strings raw, others compact, one per line.

    The child is killed at `time_limit`, or as soon as `stopped()` (a cancel signal).
    """
    given = json.dumps({"program": program, "report": report}, allow_nan=False).encode()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Its own session: a Ctrl-C to qarun's terminal is qarun's to handle, not the child's.
        start_new_session=True,
    )
    out, err = _answer(child, given, time_limit, stopped)
    if child.returncode != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise FilterError(
            f"the jq program failed on the report ({said[-1] if said else 'no message'})"
        )
    if len(out) > MAX_RESULT_BYTES:
        raise FilterError(
            f"the jq program's result is {len(out):,} bytes, over the "
            f"{MAX_RESULT_BYTES:,} an output may hold"
        )
    return out.decode("utf-8", "replace")

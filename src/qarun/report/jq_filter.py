"""`output-filter`: the user's jq program on the JSON report, in a child process that can be
stopped. A jq program can run forever (`last(range(1e13))`) inside a C extension that no
signal interrupts; in a child it is simply killed at its time limit, and its result is cut
to what an output may hold."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from qarun.errors import QarunError

# SPEC.md, Deadlines: at most 10 seconds, a result of at most 1 MiB.
TIME_LIMIT = 10.0
MAX_RESULT_BYTES = 1024 * 1024

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
    """The jq program failed, ran too long, or gave too much: output `filtered` stays empty."""


def run_filter(program: str, report: dict[str, Any], *, time_limit: float = TIME_LIMIT) -> str:
    """The program's result as `jq -r` prints it: strings raw, others compact, one per line."""
    given = json.dumps({"program": program, "report": report}, allow_nan=False)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=given.encode(),
            capture_output=True,
            timeout=time_limit,
            check=False,
            # Its own session: a Ctrl-C to qarun's terminal is qarun's to handle, not the child's.
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        raise FilterError(
            f"the jq program ran past {time_limit:g} s and was stopped; output `filtered` is "
            "left empty. Try it with `jq` on the file that `report-file` writes."
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FilterError(
            f"the jq program failed on the report ({said[-1] if said else 'no message'}); output "
            "`filtered` is left empty. Try the program with `jq` on the file that `report-file` "
            "writes."
        )
    if len(done.stdout) > MAX_RESULT_BYTES:
        raise FilterError(
            f"the jq program's result is {len(done.stdout):,} bytes, over the "
            f"{MAX_RESULT_BYTES:,} an output may hold; output `filtered` is left empty."
        )
    return done.stdout.decode("utf-8", "replace")

"""The JSON report (README, Outputs: `report-file`) and the `output-filter` jq program run on it.

The report keeps the platforms' text exactly as received: escaping belongs to
the renderers that put it into markup.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from qarun.model import Outcome, Run, TestResult, as_utc, finite_seconds

# Keeps float noise (181.50000000001) out of the report without losing milliseconds.
_DURATION_DIGITS = 3


def build_report(outcome: Outcome) -> dict[str, Any]:
    """The report as plain JSON data, in the documented shape plus `attempts` and `error`."""
    context = outcome.context.as_report() if outcome.context is not None else {}
    report: dict[str, Any] = {
        "provider": outcome.provider,
        "status": outcome.status.value,
        "started_at": iso_utc(outcome.started_at),
        "finished_at": iso_utc(outcome.finished_at),
        "duration": _seconds(outcome.duration),
        "context": context,
        "runs": [_run(run) for run in outcome.runs],
        "counts": outcome.counts.as_dict(),
    }
    if outcome.attempts:
        report["attempts"] = [_run(run) for run in outcome.attempts]
    if outcome.error:
        report["error"] = outcome.error
    return report


def render_json(report: dict[str, Any]) -> str:
    # allow_nan=False: RFC 8259 JSON or an error, never `NaN` or `Infinity` a reader rejects.
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _run(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "status": run.status.value,
        "provider_status": run.provider_status,
        "url": run.url,
        "device": run.device,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "duration": _seconds(run.seconds),
        "message": run.message,
        "tests": [_test(test) for test in run.tests],
        "attempt": run.attempt,
    }


def _test(test: TestResult) -> dict[str, Any]:
    return {"id": test.id, "name": test.name, "status": test.status.value, "message": test.message}


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with `Z`; milliseconds only when there are any. Naive means UTC."""
    if moment is None:
        return None
    moment = as_utc(moment)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _seconds(value: float | None) -> float | None:
    seconds = finite_seconds(value)
    return None if seconds is None else round(seconds, _DURATION_DIGITS)

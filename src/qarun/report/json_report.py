"""The JSON report (SPEC.md, "The JSON report") and the `output-filter` jq program run on it.

The report keeps the platforms' text exactly as received: escaping belongs to
the renderers that put it into markup.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from qarun.errors import EXIT_BAD_INPUT, QarunError
from qarun.model import Outcome, Run, TestResult

# Keeps float noise (181.50000000001) out of the report without losing milliseconds.
_DURATION_DIGITS = 3


class FilterError(QarunError):
    """The `output-filter` program failed on the report (a jq runtime error).

    The caller warns and leaves output `filtered` empty: the tests' outcome
    matters more than a filter over it.
    """

    exit_code = EXIT_BAD_INPUT


def build_report(outcome: Outcome) -> dict[str, Any]:
    """The report as plain JSON data, in SPEC.md's shape plus `attempts` and `error`."""
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
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def run_filter(program: str, report: dict[str, Any]) -> str:
    """The jq program's result as `jq -r` would print it: strings raw, other values compact.

    Several results come one per line. Raises FilterError on a jq error.
    """
    import jq  # a compiled extension, loaded only when a filter is given

    try:
        results = jq.compile(program).input_value(report).all()
    except ValueError as exc:
        raise FilterError(
            f"the jq program failed on the report ({exc}); output `filtered` is left empty. "
            "Try the program with `jq` on the file that `report-file` writes."
        ) from exc
    return "\n".join(_as_jq_prints(result) for result in results)


def _as_jq_prints(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
        "duration": _seconds(run_seconds(run)),
        "message": run.message,
        "tests": [_test(test) for test in run.tests],
        "attempt": run.attempt,
    }


def _test(test: TestResult) -> dict[str, Any]:
    return {"id": test.id, "name": test.name, "status": test.status.value, "message": test.message}


def run_seconds(run: Run) -> float | None:
    """The run's duration as the platform gave it, else from its timestamps."""
    if run.duration is not None:
        return run.duration
    if run.started_at is None or run.finished_at is None:
        return None
    return max(0.0, (_as_utc(run.finished_at) - _as_utc(run.started_at)).total_seconds())


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with `Z`; milliseconds only when there are any. Naive means UTC."""
    if moment is None:
        return None
    moment = _as_utc(moment)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _as_utc(moment: datetime) -> datetime:
    # A time without a zone is taken as UTC, the only zone the reports show.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), _DURATION_DIGITS)

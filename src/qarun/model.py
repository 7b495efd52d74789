"""The shapes every part of qarun shares: statuses, runs, test results, counts."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from qarun.git_context import GitContext


class Status(enum.StrEnum):
    """A run's or a test's normalized status (README, Statuses and exit codes)."""

    QUEUED = "queued"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    CANCELED = "canceled"
    SKIPPED = "skipped"
    # Only ever an overall status: `wait: false` stops after the trigger.
    TRIGGERED = "triggered"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset(
    {
        Status.PASSED,
        Status.FAILED,
        Status.ERROR,
        Status.TIMEOUT,
        Status.CANCELED,
        Status.SKIPPED,
    }
)

# The finished statuses that say something went wrong: what the reports list as problems.
PROBLEMS = frozenset({Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED})

# Worst first: the overall status is the first of these that any run has.
SEVERITY: tuple[Status, ...] = (
    Status.ERROR,
    Status.FAILED,
    Status.TIMEOUT,
    Status.CANCELED,
    Status.PASSED,
    Status.SKIPPED,
)

COUNTED: tuple[Status, ...] = (
    Status.PASSED,
    Status.FAILED,
    Status.ERROR,
    Status.TIMEOUT,
    Status.CANCELED,
    Status.SKIPPED,
)


@dataclass(frozen=True)
class TestResult:
    """One test inside a run: a QA.tech test case, a Qualigate suite's test run."""

    __test__ = False  # keeps pytest from collecting this class

    id: str
    name: str
    status: Status
    provider_status: str = ""
    message: str | None = None
    duration: float | None = None
    url: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far a run has got, where the platform says so (steps, tests or runs done)."""

    done: int
    total: int


@dataclass(frozen=True)
class Counts:
    """Tests by finished status; unfinished tests count in `total` only."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    error: int = 0
    timeout: int = 0
    canceled: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_FIELDS})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    @classmethod
    def of(cls, statuses: Iterable[Status]) -> Counts:
        tally = dict.fromkeys(COUNT_FIELDS, 0)
        for status in statuses:
            tally["total"] += 1
            if status.finished:
                tally[status.value] += 1
        return cls(**tally)


COUNT_FIELDS = ("total", "passed", "failed", "error", "timeout", "canceled", "skipped")


@dataclass(frozen=True)
class RunHandle:
    """What a provider keeps on a Run to poll it again; each provider subclasses it."""


@dataclass(frozen=True)
class Run:
    """One run on the platform, as last seen.

    `provider_status` keeps the platform's own words (shown when qarun does not
    know them); `status` is the normalized one. `reported` holds the platform's
    own counts when it gives totals without per-test rows (a Qualigate suite).
    """

    id: str
    name: str
    status: Status
    provider_status: str = ""
    url: str | None = None
    device: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration: float | None = None
    message: str | None = None
    tests: tuple[TestResult, ...] = ()
    reported: Counts | None = None
    progress: Progress | None = None
    attempt: int = 1
    # The platform's own aggregate verdict for the group this run belongs to (Panto's
    # trigger status, Qualigate's /results status): the overall status is never better.
    platform_verdict: Status | None = None
    # The sentence naming the aggregate's signal that gave `platform_verdict`.
    platform_why: str | None = None
    # What its provider keeps to poll this run again (a RunHandle of its own type).
    handle: RunHandle | None = field(default=None, compare=False, repr=False)

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def seconds(self) -> float | None:
        """How long the run took: as the platform said, else between its start and end."""
        if self.duration is not None:
            return self.duration
        if self.started_at is None or self.finished_at is None:
            return None
        return finite_seconds((as_utc(self.finished_at) - as_utc(self.started_at)).total_seconds())

    def counts(self) -> Counts:
        """A run counts as its tests, else as the platform's totals, else as one test. Where the
        platform's totals hold more tests than the rows it listed (a suite's /results may list
        fewer), the totals count."""
        listed = len(self.tests)
        if self.tests and (self.reported is None or self.reported.total <= listed):
            return Counts.of(test.status for test in self.tests)
        if self.reported is not None:
            return self.reported
        return Counts.of([self.status])

    def updated(self, **changes: Any) -> Run:
        return replace(self, **changes)

    def with_earlier_tests(self, earlier: Run) -> Run:
        """A rerun holds only the tests it reran; those that passed before still count."""
        if not self.tests or not earlier.tests:
            return self
        again = {test.name: test for test in self.tests}
        kept = [again.pop(test.name, test) for test in earlier.tests]
        return self.updated(tests=(*kept, *again.values()))


# The longest duration a platform may report that qarun takes as one (about 115 days).
MAX_SECONDS = 1e7


def finite_seconds(value: Any, *, per_second: int = 1) -> float | None:
    """A duration in seconds from `value`, counted in 1/`per_second` seconds (1000: a
    platform's milliseconds), or None when it is no number that fits: not finite, negative,
    or past MAX_SECONDS (a report must stay valid JSON)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    # Compared before any conversion: a 400-digit integer (valid JSON) has no float.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not 0 <= value <= MAX_SECONDS * per_second:
        return None
    return value / per_second


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a time without a zone is taken as UTC, as the platforms write them."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def total_counts(runs: Iterable[Run]) -> Counts:
    total = Counts()
    for run in runs:
        total = total + run.counts()
    return total


@dataclass(frozen=True)
class Outcome:
    """Everything the reports show: the runs as last seen and what became of them.

    `attempts` holds earlier attempts of rerun runs (QA.tech `rerun-failed`),
    oldest first; `runs` holds each run's latest attempt, which decides.
    """

    provider: str
    provider_title: str
    status: Status
    exit_code: int
    runs: tuple[Run, ...] = ()
    attempts: tuple[Run, ...] = ()
    context: GitContext | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration: float | None = None
    timed_out: bool = False
    canceled: bool = False
    dry_run: bool = False
    # Why the step failed or stopped early, in one sentence (exit 2 and 3, cancel).
    error: str | None = None
    # Why the step failed on its results (exit 1), as its `::error::` line says (redacted).
    failure: str | None = None
    notes: tuple[str, ...] = ()
    # For dry runs: "METHOD URL" plus the redacted body of each request not sent.
    planned: tuple[str, ...] = ()
    # The reports name inputs as the `qarun` command's options (`--report-file`).
    as_options: bool = False

    @property
    def counts(self) -> Counts:
        return total_counts(self.runs)

    @property
    def unfinished(self) -> tuple[Run, ...]:
        return tuple(run for run in self.runs if not run.finished)

    @property
    def urls(self) -> list[str]:
        return [run.url for run in self.runs if run.url]

"""Factories for the shared model: a plausible default, overridden where a test cares."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from qarun.git_context import GitContext
from qarun.model import Counts, Outcome, Run, Status, TestResult
from qarun.verdict import overall_status

STARTED = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
HEAD_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"


# Each default is a plausible value; a factory replaces only what a test cares about.
_CONTEXT = GitContext(
    repository="o/r",
    sha=HEAD_SHA,
    branch="feature-x",
    pr_number=42,
    pr_url="https://github.com/o/r/pull/42",
    actor="octocat",
    workflow_run_url="https://github.com/o/r/actions/runs/1001",
    commit_message="Add checkout",
    event_name="pull_request",
)
_TEST = TestResult(
    id="tc_1", name="Login flow", status=Status.PASSED, provider_status="PASSED", duration=12.0
)
_RUN = Run(
    id="abc123",
    name="Checkout regression",
    status=Status.PASSED,
    provider_status="COMPLETED/PASSED",
    url="https://app.qa.tech/p/shop/results/abc123",
    started_at=STARTED + timedelta(seconds=5),
    finished_at=STARTED + timedelta(seconds=186.5),
    duration=181.5,
)


def make_context(**overrides: Any) -> GitContext:
    """Pull request #42 on o/r, from branch feature-x."""
    return replace(_CONTEXT, **overrides)


def make_test(**overrides: Any) -> TestResult:
    """A passed test case of 12 s."""
    return replace(_TEST, **overrides)


def make_run(**overrides: Any) -> Run:
    """A finished, passed QA.tech-like run of 3m 1.5s with no tests."""
    return replace(_RUN, **overrides)


def make_outcome(*runs: Run, **overrides: Any) -> Outcome:
    """A QA.tech outcome for PR #42 whose status and exit code follow from the runs."""
    timed_out = bool(overrides.get("timed_out", False))
    canceled = bool(overrides.get("canceled", False))
    status = Status.CANCELED if canceled else overall_status(runs, timed_out=timed_out)
    fields: dict[str, Any] = {
        "provider": "qatech",
        "provider_title": "QA.tech",
        "status": status,
        "exit_code": 0 if status in {Status.PASSED, Status.SKIPPED} else 1,
        "runs": tuple(runs),
        "context": make_context(),
        "started_at": STARTED,
        "finished_at": STARTED + timedelta(seconds=192),
        "duration": 192.0,
    }
    return Outcome(**{**fields, **overrides})


# --- named scenarios, shared by the golden-file tests ---------------------------------


def failed_outcome() -> Outcome:
    """QA.tech, two test plans: one with a failed and an errored test case, one passed."""
    checkout = make_run(
        status=Status.FAILED,
        provider_status="COMPLETED/FAILED",
        message="2 of 3 test cases did not pass",
        tests=(
            make_test(),
            make_test(
                id="tc_2",
                name="Add to cart",
                status=Status.FAILED,
                provider_status="COMPLETED/FAILED",
                message="Expected the cart badge to show 1 item.\nIt showed 0 after 30 s.",
                duration=31.0,
            ),
            make_test(
                id="tc_3",
                name="Pay with card",
                status=Status.ERROR,
                provider_status="ERROR",
                message="The browser crashed while loading /checkout",
                duration=None,
            ),
        ),
    )
    smoke = make_run(
        id="def456",
        name="Smoke",
        url="https://app.qa.tech/p/shop/results/def456",
        duration=42.0,
        tests=(make_test(id="tc_4", name="Home page"), make_test(id="tc_5", name="Search")),
    )
    return make_outcome(checkout, smoke)


def timeout_outcome() -> Outcome:
    """Qualigate, one suite on three viewports: one passed, two still going at the timeout."""
    base = {"name": "Checkout suite", "url": None, "provider_status": "running"}
    runs = (
        make_run(
            id="880e8400-0001",
            device="desktop",
            status=Status.PASSED,
            **{**base, "provider_status": "completed"},
            reported=Counts(total=5, passed=5),
            duration=300.0,
        ),
        make_run(
            id="880e8400-0002",
            device="tablet",
            status=Status.RUNNING,
            **base,
            finished_at=None,
            duration=None,
        ),
        make_run(
            id="880e8400-0003",
            device="mobile",
            status=Status.QUEUED,
            **{**base, "provider_status": "pending"},
            started_at=None,
            finished_at=None,
            duration=None,
        ),
    )
    return make_outcome(
        *runs,
        provider="qualigate",
        provider_title="Qualigate",
        timed_out=True,
        duration=1800.4,
        finished_at=STARTED + timedelta(seconds=1800.4),
    )


def canceled_outcome() -> Outcome:
    """Panto on two devices: one passed, one still in process when the workflow was canceled."""
    runs = (
        make_run(
            id="testrun_01",
            name="Login smoke",
            device="pixel 8 / android 14",
            provider_status="passed",
            url=None,
            duration=95.0,
        ),
        make_run(
            id="testrun_02",
            name="Login smoke",
            device="iPhone 15 / ios 17.2",
            status=Status.RUNNING,
            provider_status="in_process",
            url=None,
            finished_at=None,
            duration=None,
        ),
    )
    return make_outcome(
        *runs,
        provider="panto",
        provider_title="Panto AI",
        canceled=True,
        exit_code=1,
        error="The run was canceled (SIGINT) before it finished.",
        duration=131.0,
    )


def dry_run_outcome() -> Outcome:
    """Qualigate dry run: the one trigger request that would be sent, key redacted."""
    body = (
        "{\n"
        '  "context": {\n'
        '    "branch": "feature-x",\n'
        '    "pr_number": 42,\n'
        '    "source": "github-actions"\n'
        "  },\n"
        '  "test_suite_id": "770e8400-e29b-41d4-a716-446655440000",\n'
        '  "viewportPreset": "mobile"\n'
        "}"
    )
    planned = (
        "POST https://qualigate.app/api/v1/trigger\n"
        "Authorization: Bearer ***\n"
        "Content-Type: application/json\n" + body,
    )
    return make_outcome(
        provider="qualigate",
        provider_title="Qualigate",
        status=Status.SKIPPED,
        exit_code=0,
        dry_run=True,
        planned=planned,
        started_at=None,
        finished_at=None,
        duration=None,
    )


def rerun_outcome() -> Outcome:
    """QA.tech with `rerun-failed: 2`: failed twice, passed on the third attempt."""

    def attempt(number: int, run_id: str, failed: int) -> Run:
        tests = tuple(
            make_test(
                id=f"tc_{i}",
                name=f"Case {i}",
                status=Status.FAILED if i <= failed else Status.PASSED,
                message="Timed out waiting for the dashboard" if i <= failed else None,
            )
            for i in range(1, 4)
        )
        return make_run(
            id=run_id,
            url=f"https://app.qa.tech/p/shop/results/{run_id}",
            attempt=number,
            status=Status.FAILED if failed else Status.PASSED,
            provider_status="COMPLETED/FAILED" if failed else "COMPLETED/PASSED",
            tests=tests,
        )

    return make_outcome(
        attempt(3, "ghi789", 0),
        attempts=(attempt(1, "abc123", 3), attempt(2, "def456", 1)),
        notes=("Reran the failed test cases of Checkout regression 2 times (`rerun-failed: 2`).",),
    )


def many_runs(count: int) -> Outcome:
    """`count` runs with long names and messages, every other one failed: the summary's
    byte budget, and bench/render.py's load."""
    runs = [
        make_run(
            id=f"run{index}",
            name=f"Very long run name é 🚀 {'x' * 200} {index}",
            status=Status.FAILED if index % 2 else Status.PASSED,
            message="Something went wrong <b>|</b> " * 40,
            tests=(
                make_test(id=f"t{index}", status=Status.FAILED, message="Nope. " * 100),
                make_test(id=f"u{index}"),
            ),
        )
        for index in range(count)
    ]
    return make_outcome(*runs, error="The platform answered 503 " * 10, notes=("a note",))

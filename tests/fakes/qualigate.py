"""A fake Qualigate API (docs/platforms.md, Qualigate) on loopback.

It serves POST /api/v1/trigger (exactly one of test_case_id, test_suite_id,
project_id), GET /api/v1/trigger (test_run_id or suite_run_id) and GET
/api/v1/results (test_run_ids or suite_run_id), with `Authorization: Bearer`
or `X-API-Key`, errors shaped `{"error", "message"}`, and the documented limit
of 30 requests a minute per key on each of the three (429 with `retry_after`).

Each trigger takes the next script list from `triggers`, else `runs`:
- a test case starts one test run from the first script;
- a project starts one test run per script;
- a suite starts one suite run: with a single script that has `tests`, that
  script is the suite and its tests; otherwise each script is one test of a
  suite named `suite_name`. A suite that ends passed or failed says
  `completed` (as the documents' example does) unless `completed_word` is False.
Tests of a suite end one after another over its running time. A script result
the fake does not know is sent as the status word as it is.
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.case import NotFound, ProviderCase
from tests.factories import HEAD_SHA
from tests.fakes.base import (
    FakePlatform,
    Recorded,
    Reply,
    RunScript,
    Stopwatch,
    TestScript,
    phase,
    shown_progress,
)

TRIGGER = "/api/v1/trigger"
RESULTS = "/api/v1/results"
SUITE_ID = "770e8400-e29b-41d4-a716-446655440000"
TEST_CASE_ID = "550e8400-e29b-41d4-a716-446655440000"
PROJECT_ID = "990e8400-e29b-41d4-a716-446655440000"
DASHBOARD = "https://qualigate.app/test-runs/"
SUITE_NAME = "Critical User Flows"
# What the contract suite passes as inputs to reach the scenario's runs.
SCENARIO_INPUTS = {"suite": SUITE_ID}
STEPS = 12

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_ID_FIELDS = ("test_case_id", "test_suite_id", "project_id")
_PRESETS = ("desktop", "tablet", "mobile")
_CONTEXT_FIELDS = ("source", "pr_number", "pr_url", "sha", "branch", "repository")
_WORDS = {"queued": "pending", "running": "running"}
_UNFINISHED = ("pending", "running")
# Each point the documents leave open, as keyword arguments of QualigateFake (README.md beside
# this). The documented default counts every test that did not pass in `failed_tests`.
VARIANTS: dict[str, dict[str, Any]] = {
    "documented": {},
    "failed_tests counts failures only": {"failed_counts": "failed-only"},
    "suite words passed/failed": {"completed_word": False},
    "/results leaves out unfinished runs": {"results_unfinished": "absent"},
    "/results 404 while runs go on": {"results_unfinished": "404"},
    "progress stalled": {"progress": "stalled"},
}


def word(script_phase: str) -> str:
    """Qualigate's word for a base.phase() result: script results pass through as they are."""
    return _WORDS.get(script_phase, script_phase)


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass
class Timeline:
    """When a run was triggered, by the fake's clock and the wall clock."""

    clock: Stopwatch
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def at(self, seconds: float) -> datetime:
        return self.created + timedelta(seconds=seconds)


@dataclass
class FakeTestRun:
    id: str
    script: RunScript
    timeline: Timeline
    body: Mapping[str, Any]
    progress: str = "even"

    def status(self) -> str:
        return word(phase(self.script, self.timeline.clock.elapsed()))

    @property
    def ended(self) -> bool:
        return self.status() not in _UNFINISHED

    def _message(self) -> str | None:
        return self.script.message if self.ended and self.script.result != "passed" else None

    def answer(self) -> dict[str, Any]:
        """GET /api/v1/trigger?test_run_id=…"""
        status = self.status()
        elapsed = self.timeline.clock.elapsed()
        started = status != "pending"
        done = int(STEPS * shown_progress(self.script, elapsed, self.progress))
        if self.ended:
            done = STEPS if status == "passed" else STEPS - 1
        return {
            "id": self.id,
            "status": status,
            "started_at": _iso(self.timeline.at(self.script.queued_for)) if started else None,
            "completed_at": _iso(self.timeline.at(self.script.duration)) if self.ended else None,
            "duration_ms": self._duration_ms(),
            "steps_completed": max(0, done) if started else 0,
            "steps_total": STEPS,
            "error_message": self._message(),
            "video_url": f"https://storage.qualigate.test/recordings/{self.id}.webm",
        }

    def _duration_ms(self) -> int | None:
        return round(self.script.duration * 1000) if self.ended else None

    def row(self) -> dict[str, Any]:
        """One row of /api/v1/results."""
        row: dict[str, Any] = {
            "test_run_id": self.id,
            "test_case_name": self.script.name,
            "status": self.status(),
            "duration_ms": self._duration_ms(),
            "dashboard_url": DASHBOARD + self.id,
        }
        if self._message() is not None:
            row["error_message"] = self._message()
        return row


@dataclass
class FakeSuiteRun:
    id: str
    script: RunScript
    tests: tuple[TestScript, ...]
    test_ids: tuple[str, ...]
    timeline: Timeline
    completed_word: bool
    body: Mapping[str, Any]
    failed_counts: str = "all"
    progress: str = "even"

    def status(self) -> str:
        current = phase(self.script, self.timeline.clock.elapsed())
        if current in ("passed", "failed") and self.completed_word:
            return "completed"
        return word(current)

    @property
    def ended(self) -> bool:
        return self.status() not in _UNFINISHED

    def test_status(self, index: int) -> str:
        """Tests start with the suite and end one after another as its progress shows."""
        script = self.script
        elapsed = self.timeline.clock.elapsed()
        if elapsed < script.queued_for:
            return "pending"
        shown = shown_progress(script, elapsed, self.progress)
        ended = phase(script, elapsed) not in ("queued", "running")
        if not ended and shown < (index + 1) / len(self.tests):
            return "running"
        # A test scripted never to end is still running, whatever the suite shows.
        result = self.tests[index].result
        return "running" if result == "never" else result

    def counts(self) -> dict[str, int]:
        statuses = [self.test_status(i) for i in range(len(self.tests))]
        ended = [s for s in statuses if s not in _UNFINISHED]
        passed = sum(1 for s in ended if s == "passed")
        failed = len(ended) - passed
        if self.failed_counts == "failed-only":
            failed = sum(1 for s in ended if s == "failed")
        return {"total_tests": len(self.tests), "passed_tests": passed, "failed_tests": failed}

    def answer(self) -> dict[str, Any]:
        """GET /api/v1/trigger?suite_run_id=…"""
        started = self.status() != "pending"
        return {
            "id": self.id,
            "status": self.status(),
            "started_at": _iso(self.timeline.at(self.script.queued_for)) if started else None,
            "completed_at": _iso(self.timeline.at(self.script.duration)) if self.ended else None,
            "duration_ms": round(self.script.duration * 1000) if self.ended else None,
            **self.counts(),
        }

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for index, (test, test_id) in enumerate(zip(self.tests, self.test_ids, strict=True)):
            status = self.test_status(index)
            row: dict[str, Any] = {
                "test_run_id": test_id,
                "test_case_name": test.name,
                "status": status,
                "duration_ms": 1000 if status not in _UNFINISHED else None,
                "dashboard_url": DASHBOARD + test_id,
            }
            if test.message and status not in (*_UNFINISHED, "passed"):
                row["error_message"] = test.message
            rows.append(row)
        return rows


class QualigateFake(FakePlatform):
    """Qualigate's API with known suites, test cases and projects (any other id: 404).

    runs: the scripts every trigger uses; triggers: per-trigger script lists,
    taken in order before falling back to `runs`. rate_limit/window: the per-key limit on
    each endpoint, on the fake's clock.
    """

    def __init__(
        self,
        runs: Sequence[RunScript] = (RunScript(),),
        *,
        triggers: Iterable[Sequence[RunScript]] = (),
        suites: Iterable[str] = (SUITE_ID,),
        test_cases: Iterable[str] = (TEST_CASE_ID,),
        projects: Iterable[str] = (PROJECT_ID,),
        suite_name: str = SUITE_NAME,
        completed_word: bool = True,
        failed_counts: str = "all",
        results_unfinished: str = "rows",
        progress: str = "even",
        rate_limit: int = 30,
        window: float = 60.0,
        api_key: str = "test-key-0123456789",
    ) -> None:
        super().__init__(api_key)
        self.runs = list(runs)
        self.triggers = deque(triggers)
        self.known = {
            "test_suite_id": set(suites),
            "test_case_id": set(test_cases),
            "project_id": set(projects),
        }
        self.suite_name = suite_name
        self.completed_word = completed_word
        self.failed_counts = failed_counts
        self.results_unfinished = results_unfinished
        self.progress = progress
        self.rate_limit = rate_limit
        self.window = window
        self.test_runs: dict[str, FakeTestRun] = {}
        self.suite_runs: dict[str, FakeSuiteRun] = {}
        self._sent: dict[str, deque[float]] = {}
        self.refused = 0  # requests answered 429
        self._state = threading.Lock()

    def trigger_bodies(self) -> list[Any]:
        return [r.body for r in self.requests_to("POST", TRIGGER)]

    # --- HTTP --------------------------------------------------------------------------
    def runs_started(self) -> int:
        return len(self.test_runs) + len(self.suite_runs)

    def authorized(self, request: Recorded) -> bool:
        bearer = request.headers.get("authorization") == f"Bearer {self.api_key}"
        return bearer or request.headers.get("x-api-key") == self.api_key

    def unauthorized(self) -> Reply:
        return error(401, "Unauthorized", "Missing or invalid API key")

    def route(self, request: Recorded) -> Reply:
        key = f"{request.method} {request.path}"
        handlers: dict[str, Callable[[Recorded], Reply]] = {
            f"POST {TRIGGER}": self._trigger,
            f"GET {TRIGGER}": self._status,
            f"GET {RESULTS}": self._results,
        }
        handler = handlers.get(key)
        if handler is None:
            return error(404, "Not Found", f"Cannot {key}")
        with self._state:
            return self._limited(key) or handler(request)

    def _limited(self, key: str) -> Reply | None:
        sent = self._sent.setdefault(key, deque())
        now = self.clock()
        while sent and now - sent[0] >= self.window:
            sent.popleft()
        if len(sent) >= self.rate_limit:
            self.refused += 1
            reply = error(429, "Too Many Requests", "Rate limit exceeded. Please try again later.")
            reply.body["retry_after"] = math.ceil(self.window - (now - sent[0]))
            return reply
        sent.append(now)
        return None

    # --- POST /api/v1/trigger ------------------------------------------------------------
    def _trigger(self, request: Recorded) -> Reply:
        body = request.body
        if not isinstance(body, dict):
            return error(400, "Bad Request", "Request body must be a JSON object")
        problem = trigger_problem(body)
        if problem:
            return error(400, "Bad Request", problem)
        id_field = next(name for name in _ID_FIELDS if body.get(name) is not None)
        if body[id_field] not in self.known[id_field]:
            noun = {"test_case_id": "Test case", "test_suite_id": "Test suite"}
            return error(404, "Not Found", f"{noun.get(id_field, 'Project')} not found")
        scripts = self.triggers.popleft() if self.triggers else self.runs
        if id_field == "test_suite_id":
            return Reply(201, self._start_suite(scripts, body))
        runs = [self._start_test_run(script, body) for script in scripts]
        if id_field == "test_case_id":
            return Reply(201, self._queued(test_run_id=runs[0].id))
        return Reply(201, self._queued(test_run_ids=[run.id for run in runs], count=len(runs)))

    def _start_test_run(self, script: RunScript, body: Mapping[str, Any]) -> FakeTestRun:
        timeline = Timeline(Stopwatch(self.clock))
        run = FakeTestRun(str(uuid.uuid4()), script, timeline, body, self.progress)
        self.test_runs[run.id] = run
        return run

    def _start_suite(self, scripts: Sequence[RunScript], body: Mapping[str, Any]) -> dict[str, Any]:
        head, tests = self._suite_shape(scripts)
        ids = tuple(str(uuid.uuid4()) for _ in tests)
        suite = FakeSuiteRun(
            str(uuid.uuid4()),
            head,
            tests,
            ids,
            Timeline(Stopwatch(self.clock)),
            self.completed_word,
            body,
            self.failed_counts,
            self.progress,
        )
        self.suite_runs[suite.id] = suite
        return self._queued(suite_run_id=suite.id, count=len(tests))

    def _suite_shape(
        self, scripts: Sequence[RunScript]
    ) -> tuple[RunScript, tuple[TestScript, ...]]:
        if len(scripts) == 1 and scripts[0].tests:
            return scripts[0], scripts[0].tests
        tests = tuple(TestScript(s.name, s.result, s.message) for s in scripts)
        results = [s.result for s in scripts]
        if len(scripts) == 1:
            result = results[0]
        elif "never" in results:
            result = "never"
        else:
            result = "passed" if all(r == "passed" for r in results) else "failed"
        head = RunScript(
            name=self.suite_name,
            result=result,
            duration=max(s.duration for s in scripts),
            queued_for=min(s.queued_for for s in scripts),
        )
        return head, tests

    @staticmethod
    def _queued(
        *,
        test_run_id: str | None = None,
        suite_run_id: str | None = None,
        test_run_ids: list[str] | None = None,
        count: int = 1,
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {"success": True}
        if test_run_id is not None:
            answer["test_run_id"] = test_run_id
            message = "Test run queued successfully"
        else:
            key = "suite_run_id" if suite_run_id is not None else "test_run_ids"
            answer[key] = suite_run_id if suite_run_id is not None else test_run_ids
            answer["test_count"] = count
            message = f"{count} tests queued successfully"
        return {**answer, "status": "pending", "message": message}

    # --- GET /api/v1/trigger ----------------------------------------------------------------
    def _status(self, request: Recorded) -> Reply:
        test_run_id, suite_run_id = _one_of(request, "test_run_id", "suite_run_id")
        if test_run_id is None and suite_run_id is None:
            return error(400, "Bad Request", "Provide exactly one of test_run_id or suite_run_id")
        if test_run_id is not None:
            run = self.test_runs.get(test_run_id)
            return (
                Reply(200, run.answer()) if run else error(404, "Not Found", "Test run not found")
            )
        suite = self.suite_runs.get(suite_run_id or "")
        return (
            Reply(200, suite.answer()) if suite else error(404, "Not Found", "Suite run not found")
        )

    # --- GET /api/v1/results ----------------------------------------------------------------
    def _results(self, request: Recorded) -> Reply:
        ids, suite_run_id = _one_of(request, "test_run_ids", "suite_run_id")
        if ids is None and suite_run_id is None:
            return error(400, "Bad Request", "Provide exactly one of test_run_ids or suite_run_id")
        if suite_run_id is not None:
            suite = self.suite_runs.get(suite_run_id)
            if suite is None:
                return error(404, "Not Found", "Suite run not found")
            head = {"suite_run_id": suite.id, "suite_name": suite.script.name}
            return Reply(200, {**head, **_aggregate(suite.rows(), self.failed_counts)})
        runs = [self.test_runs.get(run_id.strip()) for run_id in (ids or "").split(",")]
        if not runs or any(run is None for run in runs):
            return error(404, "Not Found", "Test run not found")
        known = [run for run in runs if run is not None]
        going = [run for run in known if not run.ended]
        if going and self.results_unfinished == "404":
            return error(404, "Not Found", "Results not found")
        if self.results_unfinished == "absent":
            known = [run for run in known if run.ended]
        return Reply(200, _aggregate([run.row() for run in known], self.failed_counts))


def trigger_problem(body: Mapping[str, Any]) -> str | None:
    """What the platform would reject in a trigger body (400), or None."""
    given = [name for name in _ID_FIELDS if body.get(name) is not None]
    if len(given) != 1:
        return "You must provide exactly one of test_case_id, test_suite_id, or project_id"
    value = body[given[0]]
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        return f"{given[0]} must be a valid UUID"
    if "browserType" in body and not isinstance(body["browserType"], str):
        return "browserType must be a string"
    if "viewportPreset" in body and body["viewportPreset"] not in _PRESETS:
        return 'viewportPreset must be one of "desktop", "tablet", "mobile"'
    for name in ("viewportWidth", "viewportHeight"):
        number = body.get(name)
        if name in body and (not isinstance(number, int | float) or isinstance(number, bool)):
            return f"{name} must be a number"
    return _context_problem(body.get("context"))


def _context_problem(context: Any) -> str | None:
    if context is None:
        return None
    if not isinstance(context, dict):
        return "context must be an object"
    for name in _CONTEXT_FIELDS:
        if name in context and not isinstance(context[name], str):
            return f"context.{name} must be a string"
    return None


def _one_of(request: Recorded, first: str, second: str) -> tuple[str | None, str | None]:
    """The one query parameter given, or (None, None) when none or both are."""
    values = [next(iter(request.query.get(name, [])), None) for name in (first, second)]
    if sum(value is not None for value in values) != 1:
        return None, None
    return values[0], values[1]


def _aggregate(rows: list[dict[str, Any]], failed_counts: str = "all") -> dict[str, Any]:
    ended = [row for row in rows if row["status"] not in _UNFINISHED]
    passed = sum(1 for row in ended if row["status"] == "passed")
    failed = len(ended) - passed
    if failed_counts == "failed-only":
        failed = sum(1 for row in ended if row["status"] == "failed")
    # The word for unfinished results is undocumented: the docs show finished ones only.
    status = "failed" if len(ended) > passed else "passed" if ended == rows else "running"
    return {
        "total_tests": len(rows),
        "passed_tests": passed,
        "failed_tests": failed,
        "status": status,
        "results": rows,
    }


def error(status: int, kind: str, message: str) -> Reply:
    return Reply(status, {"error": kind, "message": message})


def scenario_runs(kind: str, duration: float = 0.5) -> list[RunScript]:
    """The contract suite's scenarios as the test runs they start (a suite: as its tests)."""

    def run(name: str, result: str = "passed", message: str | None = None) -> RunScript:
        return RunScript(name=name, result=result, duration=duration, message=message)

    failure = "Element not found: button[data-test='submit-order']"
    scenarios = {
        "passed": [run("User Login Flow"), run("Checkout Process")],
        # The failure first: a test case trigger runs only the first script.
        "failed": [run("Checkout Process", "failed", failure), run("User Login Flow")],
        # Qualigate has no skipped status: mixed is passes and a failure.
        "mixed": [
            run("User Login Flow"),
            run("Checkout Process", "failed", failure),
            run("Search"),
        ],
        "never": [run("User Login Flow", "never")],
        # A test that ends in error beside passing ones: never a pass, however it is counted.
        "errored": [
            run("User Login Flow"),
            run("Checkout Process"),
            run("Search", "error", "The browser crashed"),
        ],
    }
    if kind not in scenarios:
        raise ValueError(f"unknown scenario {kind!r}; use one of {sorted(scenarios)}")
    return scenarios[kind]


def scenario(kind: str, duration: float = 0.5, **variant: Any) -> QualigateFake:
    """A fake ready to start for one of the shared scenarios (passed, failed, mixed, never)."""
    return QualigateFake(scenario_runs(kind, duration), **variant)


# --- what the contract suite needs of Qualigate (tests/case.py) ----------------------------

UNKNOWN_ID = "12345678-aaaa-bbbb-cccc-1234567890ab"


def _context_sent(body: Any) -> None:
    context = body["context"]
    assert context["sha"] == HEAD_SHA
    assert context["branch"] == "feature-x"
    assert context["pr_number"] == "42"
    assert context["pr_url"] == "https://github.com/octo/shop/pull/42"
    assert context["repository"] == "octo/shop"
    assert context["source"] == "github-actions"


def _hostile(texts: Sequence[str]) -> tuple[QualigateFake, dict[str, str]]:
    # A project: one test run per test case, each a row of the summary's table.
    runs = [RunScript(text, "failed", 0.3, message=text) for text in texts]
    return QualigateFake(runs), {"suite": "", "project": PROJECT_ID}


CASE = ProviderCase(
    name="qualigate",
    title="Qualigate",
    inputs=dict(SCENARIO_INPUTS),
    scenario=scenario,
    with_runs=lambda runs, **variant: QualigateFake(list(runs), **variant),
    trigger=("POST", TRIGGER),
    poll_prefixes=(TRIGGER, RESULTS),
    context_sent=_context_sent,
    key_help="Settings > API Keys",
    gone_run_named="suite run ",
    missing_field=({"id": "x", "total_tests": 2}, "`status`"),
    unknown_word={"id": "x", "shortId": "r00001", "status": "WARMING_UP", "result": None},
    not_found=NotFound(lambda: scenario("passed"), {"suite": UNKNOWN_ID}, f"suite {UNKNOWN_ID}"),
    wrong_inputs={
        "suite": "123",
        "test-case": "abc",
        "project": "x",
        "devices": "huge",
        "browser": "chrome!",
        "app": "app_01",  # Panto's and QA.tech's
        "rerun-failed": "2",  # QA.tech's
    },
    foreign_input="context",
    hostile=_hostile,
    per_test_rows=True,
    variants=VARIANTS,
    run_links=False,  # a suite run has no dashboard page
)

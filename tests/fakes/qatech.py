"""A fake QA.tech API v1 (docs/platforms.md, QA.tech) on loopback.

It serves under `/v1` like https://api.qa.tech/v1: POST /run, GET /run/{shortId}
(`testCases=failed|all`) and POST /run/{shortId} (rerun). Each start starts one
run, scripted by the RunScript registered for its test plan; each rerun takes
the next script from `reruns` (or replays the rerun cases as they ended).

Status words follow the documents: INITIATED, RUNNING, then COMPLETED with a
result PASSED/FAILED/SKIPPED, or ERROR or CANCELLED with a null result. A script
result the fake does not know is sent as the status word as it is; written
`STATUS/RESULT` (e.g. `COMPLETED/WEIRD`, or `COMPLETED/` for a null result) it
sets both words.
"""

from __future__ import annotations

import itertools
import re
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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

PREFIX = "/v1"
SCENARIO_PLAN = "pln_abc123"
DASHBOARD = "https://app.qa.tech/p/fake-project/results/"
USAGE_LIMIT = "Organization has reached usage limit. Upgrade your account to continue."

# script result → (status, result) as QA.tech words. QA.tech has no timeout word.
_WORDS: dict[str, tuple[str, str | None]] = {
    "queued": ("INITIATED", None),
    "running": ("RUNNING", None),
    "passed": ("COMPLETED", "PASSED"),
    "failed": ("COMPLETED", "FAILED"),
    "skipped": ("COMPLETED", "SKIPPED"),
    "error": ("ERROR", None),
    "timeout": ("ERROR", None),
    "canceled": ("CANCELLED", None),
}
_UNSUCCESSFUL = frozenset({"failed", "skipped", "error", "timeout", "canceled"})
_PATTERNS = {
    prefix: re.compile(rf"^{prefix}(-.+_.+|_.+)$") for prefix in ("pln", "app", "env", "preset")
}
_GITHUB_FIELDS = ("actor", "branch", "commitHash", "commitMessage", "repository")
# Each point the documents leave open, as keyword arguments of QatechFake (README.md beside this).
VARIANTS: dict[str, dict[str, Any]] = {
    "documented": {},
    "no runTestCases without testCases": {"status_cases": "absent"},
    "every test case without testCases": {"status_cases": "all"},
    "COMPLETED before its result": {"late_result": 2},
    "details answer behind the status": {"stale_details": 1},
    "progress in bursts": {"progress": "bursts"},
    "progress stalled": {"progress": "stalled"},
}


def words(outcome: str) -> tuple[str, str | None]:
    """The (status, result) QA.tech shows for a script outcome."""
    if outcome in _WORDS:
        return _WORDS[outcome]
    if "/" in outcome:
        status, result = outcome.split("/", 1)
        return status, result or None
    return outcome, None


@dataclass
class FakeRun:
    short_id: str
    uuid: str
    script: RunScript
    cases: tuple[TestScript, ...]
    clock: Stopwatch
    plan: str | None
    progress: str = "even"
    # Answers still to show COMPLETED with a null result once the run has ended.
    late_result: int = 0

    def phase(self) -> str:
        return phase(self.script, self.clock.elapsed())

    def case_phase(self, index: int) -> str:
        """Cases start with the run and end one after another as its progress shows."""
        run_phase = self.phase()
        if run_phase in ("queued", "running"):
            shown = shown_progress(self.script, self.clock.elapsed(), self.progress)
            if run_phase == "queued" or shown < (index + 1) / len(self.cases):
                return run_phase
        return self.cases[index].result


class QatechFake(FakePlatform):
    """QA.tech's API with known test plans, each scripted as the run it starts.

    plans: test plan short id → how its runs go; `default` is the project's
    default plan (used when a start names none). Any other plan id gets 404.
    status_cases: what `runTestCases` holds when GET omits `testCases`: `empty`
    (the spec marks it required), `absent`, or `all` (the docs disagree).
    late_result: how many answers show a finished run COMPLETED with a null result
    before the result appears. stale_details: how many `testCases=all` answers show
    an ended run as still RUNNING (a replica behind). progress: how test cases end
    (PROGRESS_PATTERNS).
    """

    def __init__(
        self,
        plans: Mapping[str, RunScript] | None = None,
        *,
        default: RunScript | None = None,
        reruns: Sequence[RunScript] = (),
        status_cases: str = "empty",
        late_result: int = 0,
        stale_details: int = 0,
        progress: str = "even",
        usage_limit_reached: bool = False,
        suspended: bool = False,
        slack_configured: bool = False,
        api_key: str = "test-key-0123456789",
    ) -> None:
        super().__init__(api_key)
        self.plans = dict(plans or {})
        self.default = default
        self.reruns = list(reruns)
        self.status_cases = status_cases
        self.late_result = late_result
        self.stale_details = stale_details
        self.progress = progress
        self.usage_limit_reached = usage_limit_reached
        self.suspended = suspended
        self.slack_configured = slack_configured
        self.runs: dict[str, FakeRun] = {}
        self._ids: Iterator[int] = itertools.count(1)
        self._state = threading.Lock()

    @property
    def url(self) -> str:
        return super().url + PREFIX

    # --- HTTP --------------------------------------------------------------------------
    def runs_started(self) -> int:
        return len(self.runs)

    def authorized(self, request: Recorded) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def route(self, request: Recorded) -> Reply:
        if self.suspended:
            return _error(403, "Organization is suspended")
        path = request.path.removeprefix(PREFIX) if request.path.startswith(PREFIX + "/") else ""
        if path == "/run" and request.method == "POST":
            return self._start(request)
        match = re.fullmatch(r"/run/([^/]+)", path)
        if match and request.method == "GET":
            return self._status(match.group(1), request.query)
        if match and request.method == "POST":
            return self._rerun(match.group(1), request)
        return _error(404, f"Cannot {request.method} {request.path}")

    # --- POST /run -----------------------------------------------------------------------
    def _start(self, request: Recorded) -> Reply:
        body = {} if not request.raw_body else request.body
        if not isinstance(body, dict):
            return _error(400, "Malformed request body: expected a JSON object")
        problem = _start_problem(body) or self._notifications_problem(body)
        if problem:
            return _error(400, problem)
        if self.usage_limit_reached:
            return _error(402, USAGE_LIMIT)
        plan = body.get("testPlanShortId")
        script = self.default if plan is None else self.plans.get(plan)
        if script is None:
            return _error(404, f"Test plan not found: {plan or 'no default test plan'}")
        run = self._new_run(script, script.tests or (_single_case(script),), plan)
        answer = _run_answer(run)
        answer["testPlan"] = {"name": script.name, "shortId": plan or "pln_default"}
        return Reply(200, {"success": True, "run": answer})

    def _notifications_problem(self, body: Mapping[str, Any]) -> str | None:
        if "notifications" not in body:
            return None
        notifications = body["notifications"]
        if not isinstance(notifications, list) or not notifications:
            return "notifications: Array must contain at least 1 element(s)"
        if not self.slack_configured:
            return "Slack integration is not configured for this project. Connect Slack first."
        return None

    # --- GET /run/{shortId} --------------------------------------------------------------
    def _status(self, short_id: str, query: Mapping[str, list[str]]) -> Reply:
        wanted = query.get("testCases", [None])[-1]
        if wanted not in (None, "failed", "all"):
            return _error(400, "Invalid query: testCases must be one of failed, all")
        run = self.runs.get(short_id)
        if run is None:
            return _error(404, "Run not found")
        status, result = words(run.phase())
        if status == "COMPLETED" and run.late_result > 0:
            run.late_result -= 1
            result = None
        if wanted == "all" and status not in ("INITIATED", "RUNNING") and self.stale_details:
            with self._state:
                self.stale_details -= 1
            return Reply(200, _stale_answer(run))
        cases = []
        if wanted is not None or self.status_cases == "all":
            cases = [
                case
                for case in _case_answers(run)
                if wanted != "failed" or case["_phase"] in _UNSUCCESSFUL
            ]
        for case in cases:
            del case["_phase"]
        answer: dict[str, Any] = {
            "id": run.uuid,
            "shortId": run.short_id,
            "status": status,
            "result": result,
            "runTestCases": cases,
        }
        if wanted is None and self.status_cases == "absent":
            del answer["runTestCases"]
        return Reply(200, answer)

    # --- POST /run/{shortId} -------------------------------------------------------------
    def _rerun(self, short_id: str, request: Recorded) -> Reply:
        body = request.body
        problem = _rerun_problem(body)
        if problem:
            return _error(400, problem)
        if self.usage_limit_reached:
            return _error(402, USAGE_LIMIT)
        original = self.runs.get(short_id)
        if original is None:
            return _error(404, "Run not found")
        cases = _cases_to_rerun(original, body)
        if not cases:
            return _error(400, "No tests to rerun")
        script, cases = self._rerun_script(original, cases)
        run = self._new_run(script, cases, original.plan)
        return Reply(200, {"success": True, "run": _run_answer(run)})

    def _rerun_script(
        self, original: FakeRun, cases: tuple[TestScript, ...]
    ) -> tuple[RunScript, tuple[TestScript, ...]]:
        with self._state:
            script = self.reruns.pop(0) if self.reruns else None
        if script is None:  # the same cases, ending as they did
            worst = next((case.result for case in cases if case.result != "passed"), "passed")
            return RunScript(
                original.script.name, result=worst, duration=original.script.duration
            ), cases
        if script.tests:
            return script, script.tests
        rerun = tuple(TestScript(case.name, script.result, script.message) for case in cases)
        return script, rerun

    # --- state ---------------------------------------------------------------------------
    def _new_run(
        self, script: RunScript, cases: tuple[TestScript, ...], plan: str | None
    ) -> FakeRun:
        with self._state:
            number = next(self._ids)
            run = FakeRun(
                short_id=f"r{number:05d}",
                uuid=str(uuid.UUID(int=number)),
                script=script,
                cases=cases,
                clock=Stopwatch(self.clock),
                plan=plan,
                progress=self.progress,
                late_result=self.late_result,
            )
            self.runs[run.short_id] = run
        return run


# --- validation (what the platform answers 400 to) ------------------------------------------


def _start_problem(body: Mapping[str, Any]) -> str | None:
    trigger = body.get("trigger", "API")
    if trigger not in ("API", "GITHUB"):
        return "trigger: Invalid enum value. Expected 'API' | 'GITHUB'"
    plan = body.get("testPlanShortId")
    if plan is not None and not _is_short_id(plan, "pln"):
        return f"testPlanShortId: Invalid test plan short id {plan!r}"
    for name in _GITHUB_FIELDS:
        if name in body and not isinstance(body[name], str):
            return f"{name}: Expected string"
    if "applications" in body:
        return _applications_problem(body["applications"])
    return None


def _applications_problem(applications: Any) -> str | None:
    if not isinstance(applications, list):
        return "applications: Expected array"
    for index, app in enumerate(applications):
        where = f"applications[{index}]"
        if not isinstance(app, dict):
            return f"{where}: Expected object"
        if not _is_short_id(app.get("applicationShortId"), "app"):
            return f"{where}.applicationShortId: Required application short id"
        preset = app.get("devicePresetShortId")
        if preset is not None and not _is_short_id(preset, "preset"):
            return f"{where}.devicePresetShortId: Invalid device preset short id"
        if "environment" in app:
            problem = _environment_problem(app["environment"])
            if problem:
                return f"{where}.environment: {problem}"
    return None


def _environment_problem(environment: Any) -> str | None:
    if not isinstance(environment, dict):
        return "Expected object"
    has_url, has_id = "url" in environment, "shortId" in environment
    if has_url == has_id:
        return "Provide either url (with an optional name) or shortId"
    if has_id:
        return (
            None if _is_short_id(environment["shortId"], "env") else "Invalid environment short id"
        )
    url, name = environment["url"], environment.get("name")
    if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
        return "url: Invalid url"
    if name is not None and not isinstance(name, str):
        return "name: Expected string"
    return None


def _rerun_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Malformed request body: expected a JSON object"
    failed_only, chosen = body.get("failedOnly"), body.get("projectTestCaseIds")
    if failed_only is not None and not isinstance(failed_only, bool):
        return "failedOnly: Expected boolean"
    if chosen is not None and (
        not isinstance(chosen, list) or not all(isinstance(i, str) for i in chosen)
    ):
        return "projectTestCaseIds: Expected array of strings"
    if failed_only and chosen is not None:
        return "Specify either failedOnly or projectTestCaseIds, not both"
    return None


def _cases_to_rerun(run: FakeRun, body: Mapping[str, Any]) -> tuple[TestScript, ...]:
    """`{}` reruns every case, `failedOnly` the unsuccessful ones, or the listed case ids."""
    chosen = body.get("projectTestCaseIds")
    cases = []
    for index, case in enumerate(run.cases):
        if run.case_phase(index) != case.result:
            continue  # never ran to an end
        if body.get("failedOnly") and case.result not in _UNSUCCESSFUL:
            continue
        if chosen is not None and _case_uuid(run, index) not in chosen:
            continue
        cases.append(case)
    return tuple(cases)


def _case_uuid(run: FakeRun, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run.short_id}/{index}"))


def _is_short_id(value: Any, prefix: str) -> bool:
    return isinstance(value, str) and bool(_PATTERNS[prefix].match(value))


# --- answers -----------------------------------------------------------------------------


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"message": message})


def _run_answer(run: FakeRun) -> dict[str, Any]:
    return {
        "id": run.uuid,
        "shortId": run.short_id,
        "url": DASHBOARD + run.short_id,
        "testCount": len(run.cases),
    }


def _case_answers(run: FakeRun) -> list[dict[str, Any]]:
    answers = []
    for index, case in enumerate(run.cases):
        case_phase = run.case_phase(index)
        status, result = words(case_phase)
        done = case_phase == case.result
        answers.append(
            {
                "id": _case_uuid(run, index),
                "shortId": f"{run.short_id}-tc{index + 1}",
                "name": case.name,
                "status": status,
                "result": result,
                "resultTitle": case.message if done else None,
                "evaluationThought": None,
                "promptGoal": None,
                "promptExamples": None,
                "_phase": case_phase,
            }
        )
    return answers


def _stale_answer(run: FakeRun) -> dict[str, Any]:
    """An ended run as a replica that has not caught up shows it: still running."""
    cases = [{**case, "status": "RUNNING", "result": None} for case in _case_answers(run)]
    for case in cases:
        del case["_phase"]
    return {
        "id": run.uuid,
        "shortId": run.short_id,
        "status": "RUNNING",
        "result": None,
        "runTestCases": cases,
    }


def _single_case(script: RunScript) -> TestScript:
    """A run scripted without tests still has one test case, ending as the run does."""
    result = script.result if script.result in _WORDS else "error"
    return TestScript(script.name, result, script.message)


def _scenario_script(kind: str, duration: float) -> RunScript:
    login, checkout = "Login flow", "Checkout with saved card"
    tests = {
        "passed": (TestScript(login), TestScript(checkout)),
        "failed": (
            TestScript(login, "failed", "Could not find login button"),
            TestScript(checkout),
        ),
        "mixed": (
            TestScript(login),
            TestScript(checkout, "failed", "Payment form did not load"),
            TestScript("Wishlist sharing", "skipped"),
        ),
        "never": (TestScript(login), TestScript(checkout)),
        "errored": (TestScript(login), TestScript(checkout, "error", "The browser crashed")),
    }
    if kind not in tests:
        raise ValueError(f"unknown scenario {kind!r}; one of {', '.join(tests)}")
    result = {
        "passed": "passed",
        "failed": "failed",
        "mixed": "failed",
        "never": "never",
        "errored": "error",
    }[kind]
    return RunScript(
        name="Checkout regression",
        result=result,
        duration=duration,
        queued_for=min(0.1, duration / 4),
        tests=tests[kind],
    )


def scenario(kind: str, duration: float = 0.5, **variant: Any) -> QatechFake:
    """The contract suite's scenarios, on the default plan and on SCENARIO_PLAN."""
    script = _scenario_script(kind, duration)
    return QatechFake({SCENARIO_PLAN: script}, default=script, **variant)


# --- what the contract suite needs of QA.tech (tests/case.py) ------------------------------


def _context_sent(body: Any) -> None:
    assert body["trigger"] == "GITHUB"
    assert body["commitHash"] == HEAD_SHA
    assert body["branch"] == "feature-x"
    assert body["repository"] == "octo/shop"
    assert body["actor"] == "mona"


def _hostile(texts: Sequence[str]) -> tuple[QatechFake, dict[str, str]]:
    tests = tuple(TestScript(text, "failed", text) for text in texts)
    joined = " ".join(texts)
    script = RunScript(joined, "failed", 0.3, message=joined, tests=tests)
    return QatechFake({SCENARIO_PLAN: script}), {}


CASE = ProviderCase(
    name="qatech",
    title="QA.tech",
    inputs={"suite": SCENARIO_PLAN},
    scenario=scenario,
    with_runs=lambda runs, **variant: QatechFake({SCENARIO_PLAN: runs[0]}, **variant),
    trigger=("POST", PREFIX + "/run"),
    poll_prefixes=(PREFIX + "/run/",),
    context_sent=_context_sent,
    key_help="Settings → Integrations → API",
    gone_run_named="run r00001",
    missing_field=({"id": "x", "shortId": "r00001", "result": None}, "`status`"),
    unknown_word={"id": "x", "shortId": "r00001", "status": "WARMING_UP", "result": None},
    not_found=NotFound(lambda: scenario("passed"), {"suite": "pln_gone42"}, "plan pln_gone42"),
    wrong_inputs={
        "suite": "abc123",
        "app": "gXeBl2",
        "environment": "staging",
        "environment-name": "PR 42",  # with an environment that is no URL: reported once
        "tags": "suite: smoke",  # Panto's
        "rerun-failed": "-1",
    },
    quiet=frozenset({"environment-name"}),
    foreign_input="test-case",
    hostile=_hostile,
    per_test_rows=True,
    variants=VARIANTS,
)

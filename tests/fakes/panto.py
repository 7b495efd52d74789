"""Panto AI's external QA API on loopback, as its documents describe it (docs/platforms.md,
Panto AI).

One suite trigger starts one test run per RunScript, all sharing a trigger id.
Runs report `runner_status` `in_process` until their script ends, then a word
for the script's result. Panto documents no per-run word but `in_process`, so
the word is a variant (`words`, see WORDS and tests/fakes/README.md); a result
outside the standard ones is sent as it is, and leaves the run without an end
time unless `end_unknown` is set. The trigger's aggregate follows the
documented rules from the scripts' results, whatever words the runs show.
Errors are `{"detail": …}` (FastAPI), auth errors `{"error": "Invalid or
expired API key"}`; their HTTP codes are undocumented, so they are variants too
(`auth_status`, `error_status`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.case import NotFound, ProviderCase
from tests.fakes.base import FakePlatform, Recorded, Reply, RunScript, Stopwatch, phase

TRIGGER_PATH = "/api/v1/qa/external/testsuite/trigger"
RUN_PREFIX = "/api/v1/qa/external/test-run/"
BY_TRIGGER_PREFIX = "/api/v1/qa/external/test-runs-by-trigger/"

STANDARD_RESULTS = frozenset({"passed", "failed", "error", "skipped", "canceled", "timeout"})
SELECTOR_FAMILIES = {"include": ("include", "include_tags"), "exclude": ("exclude", "exclude_tags")}

# How a finished run's `runner_status` reads, by variant: the documented aggregate's own words
# (the default), upper case, one word for every finished run (the outcome only in the
# aggregate and `remark`), or success/failure.
WORDS: dict[str, dict[str, str]] = {
    "lower": {},
    "upper": {"passed": "PASSED", "failed": "FAILED"},
    "completed": {"passed": "completed", "failed": "completed"},
    "success": {"passed": "success", "failed": "failure"},
}
# Each point the documents leave open, as keyword arguments of PantoFake (README.md beside this).
VARIANTS: dict[str, dict[str, Any]] = {
    "documented": {},
    "upper-case words": {"words": "upper"},
    "one word for every finished run": {"words": "completed"},
    "success/failure words": {"words": "success"},
    "errors answered 400": {"auth_status": 400, "error_status": 400},
    "auth answered 403": {"auth_status": 403},
    "auth answered 200": {"auth_status": 200},
}

# The `with:` inputs that make the scenarios' trigger valid.
SCENARIO_INPUTS = {"app": "app_01", "tags": "suite: smoke", "devices": "android: Pixel 8 @ 14"}


@dataclass
class FakeRun:
    id: str
    trigger_id: str
    script: RunScript
    clock: Stopwatch
    created: datetime
    body: dict[str, Any]


class PantoFake(FakePlatform):
    """Panto with scripted runs.

    runs: what every trigger starts (none: the trigger finds no test suite).
    builds / environments / contexts: the names that exist (None: any does).
    """

    def __init__(
        self,
        runs: Sequence[RunScript] = (RunScript(),),
        *,
        builds: Collection[str] | None = None,
        environments: Collection[str] | None = None,
        contexts: Collection[str] | None = None,
        end_unknown: bool = False,
        words: str = "lower",
        auth_status: int = 401,
        error_status: int | None = None,
        api_key: str = "test-key-0123456789",
    ) -> None:
        super().__init__(api_key)
        self.words = WORDS[words]
        self.auth_status = auth_status
        # None: 422 for a body that fails validation, 404 for names not found, 400 otherwise.
        self.error_status = error_status
        self.scripts = list(runs)
        self.builds = builds
        self.environments = environments
        self.contexts = contexts
        self.end_unknown = end_unknown
        self.runs: dict[str, FakeRun] = {}
        self._run_ids = itertools.count(1)
        self._trigger_ids = itertools.count(1)

    # --- the API -----------------------------------------------------------------------
    def runs_started(self) -> int:
        return len(self.runs)

    def authorized(self, request: Recorded) -> bool:
        return request.headers.get("x-panto-api-key") == self.api_key

    def unauthorized(self) -> Reply:
        return Reply(self.auth_status, {"error": "Invalid or expired API key"})

    def _error(self, conventional: int, detail: Any) -> Reply:
        return Reply(self.error_status or conventional, {"detail": detail})

    def route(self, request: Recorded) -> Reply:
        path = request.path
        if path == TRIGGER_PATH:
            return self._trigger(request) if request.method == "POST" else _not_allowed()
        for prefix, answer in (
            (RUN_PREFIX, self._run),
            (BY_TRIGGER_PREFIX, self._by_trigger),
        ):
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                return answer(path[len(prefix) :]) if request.method == "GET" else _not_allowed()
        return Reply(404, {"detail": "Not Found"})

    def _trigger(self, request: Recorded) -> Reply:
        problems = _validate(request.body)
        if problems:
            return self._error(422, problems)
        body: dict[str, Any] = request.body
        for field, known, missing in (
            ("app_id", self.builds, "Build file not found"),
            ("env_name", self.environments, "Environment not found"),
            ("context_name", self.contexts, "Context not found"),
        ):
            if body.get(field) is not None and known is not None and body[field] not in known:
                return self._error(404, missing)
        with self._lock:
            if not self.scripts:
                return self._error(400, "No test suites found matching the provided tags")
            trigger_id = f"trigger_{next(self._trigger_ids):02d}"
            started = [self._start(script, trigger_id, body) for script in self.scripts]
        return Reply(
            200,
            {
                "message": f"Triggered {len(started)} test suite(s) matched.",
                "test_runs": [run.id for run in started],
            },
        )

    def _start(self, script: RunScript, trigger_id: str, body: dict[str, Any]) -> FakeRun:
        run = FakeRun(
            id=f"testrun_{next(self._run_ids):02d}",
            trigger_id=trigger_id,
            script=script,
            clock=Stopwatch(self.clock),
            created=datetime.now(UTC),
            body=body,
        )
        self.runs[run.id] = run
        return run

    def _run(self, run_id: str) -> Reply:
        run = self.runs.get(run_id)
        if run is None:
            return self._error(404, "Test run not found")
        return Reply(200, {"test_run": self.run_object(run)})

    def _by_trigger(self, trigger_id: str) -> Reply:
        runs = [run for run in self.runs.values() if run.trigger_id == trigger_id]
        if not runs:
            return self._error(404, "No test runs found for trigger id")
        states = [self._state(run) for run in runs]
        return Reply(
            200,
            {"test_runs": [self.run_object(run) for run in runs], "status": aggregate(states)},
        )

    # --- what runs look like ------------------------------------------------------------
    def _state(self, run: FakeRun) -> str | None:
        """The run's result once it has an end time; None while it has none."""
        state = phase(run.script, run.clock.elapsed())
        ended = state in STANDARD_RESULTS or (
            state not in ("queued", "running") and self.end_unknown
        )
        return state if ended else None

    def run_object(self, run: FakeRun) -> dict[str, Any]:
        state = phase(run.script, run.clock.elapsed())
        started = state != "queued"
        ended = self._state(run) is not None
        script = run.script
        return {
            "id": run.id,
            "created_at": _iso(run.created),
            "test_framework": "appium",
            "context_id": "context_01" if run.body.get("context_name") else None,
            "env_id": "env_01" if run.body.get("env_name") else None,
            "build_file_id": run.body["app_id"],
            "runner_create_timestamp": _iso(run.created),
            "runner_start_timestamp": _iso(run.created, script.queued_for) if started else None,
            "runner_end_timestamp": _iso(run.created, script.duration) if ended else None,
            "runner_status": (
                "in_process" if state in ("queued", "running") else self.words.get(state, state)
            ),
            # A note on a run that did not pass, as the issue reads `remark` (docs/verdicts.md).
            "remark": script.message if ended and script.result != "passed" else None,
            "test_run_name": script.name,
            "test_flow_id": None,
            "test_suite_id": f"suite_{run.id}",
            "target_device_list": [
                {
                    "platform": device.get("platform"),
                    "device_name": device["device_name"],
                    "platform_version": device["platform_version"],
                }
                for device in run.body["devices"]
            ],
            "trigger_id": run.trigger_id,
        }


def aggregate(results: Sequence[str | None]) -> str:
    """The trigger's status by Panto's documented rules, from the runs' results (None: not
    ended); any result but a pass counts as a failure."""
    if any(result is None for result in results):
        return "in_process"
    passed = sum(result == "passed" for result in results)
    if passed == len(results):
        return "passed"
    return "partially_passed" if passed else "failed"


def scenario(kind: str, duration: float = 0.5, **variant: Any) -> PantoFake:
    """The contract suite's scenarios; trigger them with SCENARIO_INPUTS."""
    return PantoFake(_scenario_runs(kind, duration), **variant)


def _scenario_runs(kind: str, duration: float) -> list[RunScript]:
    checkout = RunScript("Checkout regression", duration=duration)
    login = RunScript("Login smoke", duration=duration * 0.6)
    if kind == "passed":
        return [checkout, login]
    if kind == "failed":
        return [
            RunScript(
                "Checkout regression",
                "failed",
                duration=duration,
                message="Could not find login button",
            )
        ]
    if kind == "mixed":  # Panto cannot express a skipped run
        return [login, RunScript("Checkout regression", "failed", duration, message="Cart empty")]
    if kind == "never":
        return [RunScript("Checkout regression", "never", duration)]
    if kind == "errored":  # Panto documents no error word: the fake sends `error` as it is
        return [login, RunScript("Checkout regression", "error", duration, message="Crashed")]
    raise ValueError(f"unknown scenario {kind!r}")


# --- request validation, FastAPI style ---------------------------------------------------


def _validate(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [_problem(["body"], "Input should be a valid dictionary", "dict_type")]
    problems = _required_string(body, "app_id")
    problems += _tags(body.get("tags"))
    problems += _devices(body.get("devices"))
    for optional in ("env_name", "context_name"):
        if body.get(optional) is not None and not isinstance(body[optional], str):
            problems.append(_problem(["body", optional], "Input should be a valid string"))
    return problems


def _required_string(data: dict[str, Any], key: str, *loc: str | int) -> list[dict[str, Any]]:
    where = ["body", *loc, key]
    if key not in data:
        return [_problem(where, "Field required", "missing")]
    if not isinstance(data[key], str):
        return [_problem(where, "Input should be a valid string")]
    return []


def _tags(tags: Any) -> list[dict[str, Any]]:
    if tags is None:
        return [_problem(["body", "tags"], "Field required", "missing")]
    if not isinstance(tags, dict):
        return [_problem(["body", "tags"], "Input should be a valid dictionary", "dict_type")]
    given = [family for family, keys in SELECTOR_FAMILIES.items() if any(k in tags for k in keys)]
    if len(given) != 1:
        return [
            _problem(
                ["body", "tags"],
                "Value error, exactly one tags selector (include or exclude) is required",
                "value_error",
            )
        ]
    problems = []
    for key in SELECTOR_FAMILIES[given[0]]:
        selector = tags.get(key)
        if key in tags and not _tag_map(selector):
            problems.append(
                _problem(
                    ["body", "tags", key], "Input should be a dict[str, list[str]]", "dict_type"
                )
            )
    return problems


def _tag_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in value.values()
    )


def _devices(devices: Any) -> list[dict[str, Any]]:
    if devices is None:
        return [_problem(["body", "devices"], "Field required", "missing")]
    if not isinstance(devices, list):
        return [_problem(["body", "devices"], "Input should be a valid list", "list_type")]
    problems = []
    for index, device in enumerate(devices):
        if not isinstance(device, dict):
            problems.append(_problem(["body", "devices", index], "Input should be an object"))
            continue
        for key in ("device_name", "platform_version"):
            problems += _required_string(device, key, "devices", index)
        if device.get("platform") is not None and not isinstance(device["platform"], str):
            problems.append(
                _problem(["body", "devices", index, "platform"], "Input should be a valid string")
            )
    return problems


def _problem(loc: list[Any], msg: str, kind: str = "string_type") -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _not_allowed() -> Reply:
    return Reply(405, {"detail": "Method Not Allowed"})


def _iso(moment: datetime, seconds: float = 0.0) -> str:
    return (moment + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


# --- what the contract suite needs of Panto (tests/case.py) -------------------------------


def _context_sent(body: Any) -> None:
    # Panto's API takes no PR context: nothing beyond its documented fields is sent.
    assert set(body) <= {"app_id", "tags", "devices", "env_name", "context_name"}


def _hostile(texts: Sequence[str]) -> tuple[PantoFake, dict[str, str]]:
    runs = [RunScript(text, "failed", 0.3, message=text) for text in texts]
    device = [{"device_name": " ".join(texts), "platform_version": "14", "platform": "android"}]
    return PantoFake(runs), {"devices": json.dumps(device)}


CASE = ProviderCase(
    name="panto",
    title="Panto AI",
    inputs=dict(SCENARIO_INPUTS),
    scenario=scenario,
    with_runs=lambda runs, **variant: PantoFake(list(runs), **variant),
    trigger=("POST", TRIGGER_PATH),
    poll_prefixes=(BY_TRIGGER_PREFIX,),
    context_sent=_context_sent,
    key_help="a current key of your Panto account",
    gone_run_named="trigger_01",
    missing_field=({"status": "in_process"}, "`test_runs`"),
    unknown_word={
        "test_runs": [
            {"id": "testrun_01", "runner_status": "WARMING_UP", "trigger_id": "trigger_01"}
        ],
        "status": "in_process",
    },
    not_found=NotFound(lambda: PantoFake(builds={"app_01"}), {"app": "app_99"}, "build `app_99`"),
    wrong_inputs={
        "app": "app 01",
        "exclude-tags": "suite: flaky",  # with `tags`: Panto takes one selector
        "devices": "Pixel 8",
        "context": "first\nsecond",
        "suite": "pln_abc123",  # QA.tech's and Qualigate's
    },
    foreign_input="browser",
    hostile=_hostile,
    tests_are_runs=True,
    takes_commit=False,
    variants=VARIANTS,
    hiding_variants=frozenset({"one word for every finished run"}),
    run_links=False,  # Panto documents no run URL
)

"""A fake ToyQA (tests/toyqa/provider.py has its "documents") on loopback, and what the
contract suite needs of it: the same shape as the real platforms' fakes, written only from
ToyQA's documents."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
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
)

DASHBOARD = "https://toyqa.example/runs/"
SUITE = "smoke"


@dataclass
class ToyRun:
    id: str
    script: RunScript
    clock: Stopwatch

    def answer(self) -> dict[str, Any]:
        state = phase(self.script, self.clock.elapsed())
        ended = state not in ("queued", "running")
        tests = self.script.tests or (TestScript(self.script.name, self.script.result),)
        return {
            "id": self.id,
            "state": state,
            "message": self.script.message if ended else None,
            "tests": [
                {
                    "name": test.name,
                    "state": test.result if ended else state,
                    "message": test.message if ended else None,
                }
                for test in tests
            ],
        }


class ToyFake(FakePlatform):
    """ToyQA with known suites; each trigger starts one run from the next script."""

    def __init__(
        self,
        scripts: Sequence[RunScript] = (RunScript(),),
        *,
        suites: Sequence[str] = (SUITE,),
        api_key: str = "test-key-0123456789",
    ) -> None:
        super().__init__(api_key)
        self.scripts = list(scripts)
        self.suites = set(suites)
        self.runs: dict[str, ToyRun] = {}
        self._ids = itertools.count(1)
        self._state = threading.Lock()

    def runs_started(self) -> int:
        return len(self.runs)

    def authorized(self, request: Recorded) -> bool:
        return request.headers.get("x-toy-key") == self.api_key

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/runs":
            return self._trigger(request.body)
        if request.method == "GET" and request.path.startswith("/runs/"):
            run = self.runs.get(request.path.removeprefix("/runs/"))
            return Reply(200, run.answer()) if run else Reply(404, {"message": "Run not found"})
        return Reply(404, {"message": f"Cannot {request.method} {request.path}"})

    def _trigger(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("suite"), str):
            return Reply(400, {"message": "suite: required"})
        if body["suite"] not in self.suites:
            return Reply(404, {"message": "Suite not found"})
        with self._state:
            run_id = f"toy{next(self._ids):03d}"
            script = self.scripts[min(len(self.runs), len(self.scripts) - 1)]
            self.runs[run_id] = ToyRun(run_id, script, Stopwatch(self.clock))
        return Reply(201, {"id": run_id, "url": DASHBOARD + run_id})


def scenario(kind: str, duration: float = 0.5) -> ToyFake:
    """The contract suite's scenarios."""
    login, cart = "Login flow", "Cart"
    tests = {
        "passed": (TestScript(login), TestScript(cart)),
        "failed": (TestScript(login, "failed", "Could not find login button"), TestScript(cart)),
        "mixed": (TestScript(login), TestScript(cart, "failed", "Cart empty")),
        "never": (TestScript(login),),
        "errored": (TestScript(login), TestScript(cart, "error", "The browser crashed")),
    }
    result = {"mixed": "failed", "errored": "error"}.get(kind, kind)
    return ToyFake([RunScript("Smoke", result, duration, queued_for=0.05, tests=tests[kind])])


def _context_sent(body: Any) -> None:
    assert body["commit"] == HEAD_SHA


def _hostile(texts: Sequence[str]) -> tuple[ToyFake, dict[str, str]]:
    tests = tuple(TestScript(text, "failed", text) for text in texts)
    joined = " ".join(texts)
    return ToyFake([RunScript(joined, "failed", 0.3, message=joined, tests=tests)]), {}


CASE = ProviderCase(
    name="toyqa",
    title="ToyQA",
    inputs={"suite": SUITE},
    scenario=scenario,
    with_runs=lambda runs: ToyFake(list(runs)),
    trigger=("POST", "/runs"),
    poll_prefixes=("/runs/",),
    context_sent=_context_sent,
    key_help="the ToyQA key page",
    gone_run_named="run toy001",
    missing_field=({"id": "toy001"}, "`state`"),
    unknown_word={"id": "toy001", "state": "WARMING_UP", "tests": []},
    not_found=NotFound(lambda: scenario("passed"), {"suite": "gone"}, "suite gone"),
    wrong_inputs={"suite": "two words", "browser": "firefox"},
    foreign_input="browser",
    hostile=_hostile,
    per_test_rows=True,
)

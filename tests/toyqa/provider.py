"""ToyQA's provider: the smallest platform that follows qarun's provider contract.

ToyQA's "documents" (as its fake serves them, tests/toyqa/fake.py):
- Auth: the header `X-Toy-Key: <key>`; a wrong key gets 401 `{"message": …}`.
- POST /runs `{"suite": "<name>", "commit": "<sha>"}` → 201 `{"id", "url"}`;
  an unknown suite gets 404 `{"message": "Suite not found"}`.
- GET /runs/{id} → `{"id", "state", "message", "tests": [{"name", "state", "message"}]}`,
  `state` one of `queued`, `running`, `passed`, `failed`, `error`; a run not there, 404.
A run passes when its `state` and every test's `state` say `passed` (qarun.verdict.decide).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

from qarun.errors import MalformedAnswerError, NotFoundError
from qarun.inputs import Inputs
from qarun.model import Run, Status, TestResult
from qarun.providers.base import (
    Options,
    ProviderBase,
    TriggerSpec,
    expect_object,
    judged,
    text_field,
)
from qarun.request import Request
from qarun.verdict import Evidence, Judgment, decide, quoted

NAME = "toyqa"
INPUTS = frozenset({"suite"})
STATES = {
    "queued": Status.QUEUED,
    "running": Status.RUNNING,
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "error": Status.ERROR,
}


@dataclass(frozen=True)
class ToyOptions(Options):
    suite: str


def judge(answer: Mapping[str, Any]) -> Judgment:
    """ToyQA's verdict: the run's state, then every test's, must say `passed`."""
    state = STATES.get(str(answer.get("state")))
    said = f"ToyQA: `state` {quoted(answer.get('state'))}"
    if state is None:
        return Judgment(Status.RUNNING, f"{said}, which ToyQA does not document.")
    if not state.finished:
        return Judgment(state, f"{said}.")
    evidence = [Evidence(state, f"{said}.")]
    for test in _tests(answer):
        found = STATES.get(str(test.get("state"))) if isinstance(test, Mapping) else None
        evidence.append(Evidence(found, f"ToyQA: a test's `state` is {quoted(found)}."))
    return decide(evidence)


@dataclass
class ToyProvider(ProviderBase[ToyOptions]):
    options_type: ClassVar[type[Options]] = ToyOptions
    name: ClassVar[str] = NAME
    title: ClassVar[str] = "ToyQA"
    default_api_url: ClassVar[str] = "https://toyqa.invalid"
    inputs: ClassVar[frozenset[str]] = INPUTS
    key_help: ClassVar[str] = "Take one from the ToyQA key page."

    @staticmethod
    def parse_options(inputs: Inputs) -> ToyOptions:
        suite = inputs.text("suite")
        if not suite or " " in suite:
            inputs.problem("suite", f"`{suite}` is not a suite name; write one word, e.g. `smoke`.")
        return ToyOptions(suite)

    @staticmethod
    def auth_headers(api_key: str) -> dict[str, str]:
        return {"X-Toy-Key": api_key}

    def plan(self) -> list[TriggerSpec]:
        body = {"suite": self.options.suite}
        if self.attach_context and self.context.sha:
            body["commit"] = self.context.sha
        what = f"suite {self.options.suite}"
        return [TriggerSpec(Request("POST", "/runs", body, what=what), label=what)]

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        answer = expect_object(self.client.send(spec.request), spec.label)
        run_id = text_field(answer, "id")
        if run_id is None:
            raise MalformedAnswerError(f"ToyQA's answer to {spec.label} has no `id`.")
        url = text_field(answer, "url")
        return [Run(id=run_id, name=spec.label, status=Status.QUEUED, url=url)]

    def poll(self, runs: Sequence[Run]) -> list[Run]:
        return [self._polled(run) for run in runs]

    def _polled(self, run: Run) -> Run:
        what = f"run {run.id}"
        try:
            answer = expect_object(
                self.client.read(Request("GET", f"/runs/{quote(run.id, safe='')}", what=what)),
                what,
            )
        except NotFoundError as error:
            self.lost([run], error)
            return run
        self.seen.add(run.id)
        state = text_field(answer, "state")
        if state is None:
            raise MalformedAnswerError(f"ToyQA's answer about {what} has no `state`.")
        results = tuple(_test(test, index) for index, test in enumerate(_tests(answer)))
        judgment = judge(answer)
        return judged(run, judgment, text_field(answer, "message")).updated(
            provider_status=state, tests=results if judgment.status.finished else ()
        )


def _tests(answer: Mapping[str, Any]) -> list[Any]:
    tests = answer.get("tests")
    return tests if isinstance(tests, list) else []


def _test(test: Any, index: int) -> TestResult:
    data = test if isinstance(test, Mapping) else {}
    state = text_field(data, "state") or ""
    return TestResult(
        id=str(index + 1),
        name=text_field(data, "name") or f"test {index + 1}",
        status=STATES.get(state, Status.ERROR),
        provider_status=state,
        message=text_field(data, "message"),
    )

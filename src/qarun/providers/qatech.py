"""QA.tech (API v1): one run per test plan, polled per run, reruns of failed test cases.

Endpoints (https://docs.qa.tech/api-reference): POST /run starts a run, GET /run/{shortId} reports
it (`?testCases=all` adds its test cases), POST /run/{shortId} reruns it. The
dashboard link comes only with the start and rerun answers, so it is kept on
the Run. QA.tech has no aggregate status endpoint: a poll costs one request per
unfinished run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar

from qarun.errors import MalformedAnswerError, PlatformError, RerunRefusedError
from qarun.git_context import GITHUB_ACTIONS
from qarun.inputs import Inputs
from qarun.model import Counts, Progress, Run, RunHandle, Status, TestResult
from qarun.providers import PLATFORM_INPUTS
from qarun.providers.base import (
    DETAIL_PAUSE,
    DETAIL_TRIES,
    Options,
    ProviderBase,
    TriggerSpec,
    bearer,
    expect_object,
    int_field,
    judged,
    text_field,
)
from qarun.providers.qatech_options import QatechOptions, parse
from qarun.providers.qatech_verdict import (
    COMPLETED,
    LATE_RESULT_POLLS,
    failed_case,
    judge_case,
    judge_run,
    still_going_after_its_end,
    word,
)
from qarun.request import Request

DEFAULT_PLAN_NAME = "Default test plan"


@dataclass(frozen=True)
class QatechHandle(RunHandle):
    """A run's test count (its progress), and how often it showed COMPLETED without result."""

    test_count: int | None = None
    late_result: int = 0
    # A test case an earlier answer showed failed: kept, whatever later answers show.
    failed_before: Mapping[str, Any] | None = None


# --- status words --------------------------------------------------------------------


def provider_status(status: Any, result: Any) -> str:
    """The platform's own words, e.g. `COMPLETED/FAILED`, or `RUNNING` while result is null."""
    return "/".join(str(word) for word in (status, result) if word is not None)


def _status_field(data: Mapping[str, Any], what: str) -> str:
    status = data.get("status")
    if not isinstance(status, str) or not status:
        raise MalformedAnswerError(
            f"QA.tech's answer about {what} has no `status` word (got {status!r})."
        )
    return status


# --- answers -------------------------------------------------------------------------


def _started_run(answer: Any, what: str) -> dict[str, Any]:
    """The `run` object of a start or rerun answer."""
    data = expect_object(answer, what)
    if data.get("success") is False:
        message = text_field(data, "message") or "no message"
        raise PlatformError(f"QA.tech did not start {what}: {message}.")
    run = expect_object(data.get("run"), what)
    if text_field(run, "shortId") is None:
        raise MalformedAnswerError(f"QA.tech's answer to {what} has no `run.shortId`.")
    return run


def _cases(data: Mapping[str, Any], what: str) -> list[dict[str, Any]]:
    """`runTestCases`; missing means none (the docs say both "empty" and "absent")."""
    cases = data.get("runTestCases")
    if cases is None:
        return []
    if not isinstance(cases, list):
        raise MalformedAnswerError(
            f"QA.tech's answer about {what} has `runTestCases` that is not a list."
        )
    return [expect_object(case, f"a test case of {what}") for case in cases]


def _test_result(case: Mapping[str, Any], index: int, what: str) -> TestResult:
    # A test case without a status word is still worth showing: its result may say enough.
    status, result = case.get("status"), case.get("result")
    name = text_field(case, "name") or text_field(case, "shortId") or f"Test case {index + 1}"
    return TestResult(
        id=text_field(case, "shortId") or text_field(case, "id") or str(index + 1),
        name=name,
        status=judge_case(case),
        provider_status=provider_status(status, result),
        message=text_field(case, "resultTitle") or text_field(case, "evaluationThought"),
    )


def _progress(cases: Sequence[Mapping[str, Any]], total: int | None) -> Progress | None:
    if not cases:
        return None
    done = sum(1 for case in cases if judge_case(case).finished)
    return Progress(done=done, total=max(total or 0, len(cases)))


def _reported(status: Status, test_count: int | None) -> Counts | None:
    """A finished run's tests as counted when its test cases are not read: the start
    answer's `testCount`, all with the run's outcome where it passed or was skipped; where
    it did not, at least one test had that outcome and the others are not known."""
    if not status.finished or not test_count:
        return None
    if status in (Status.PASSED, Status.SKIPPED):
        return Counts(total=test_count, **{status.value: test_count})
    return Counts(total=test_count, **{status.value: 1})


def _first_problem(tests: Sequence[TestResult]) -> str | None:
    """The run's message: the first unsuccessful test case's own words."""
    for test in tests:
        if test.status not in (Status.PASSED, Status.SKIPPED) and test.message:
            return test.message
    return None


# --- the provider --------------------------------------------------------------------


@dataclass
class QatechProvider(ProviderBase[QatechOptions]):
    options_type: ClassVar[type[Options]] = QatechOptions
    name: ClassVar[str] = "qatech"
    title: ClassVar[str] = "QA.tech"
    default_api_url: ClassVar[str] = "https://api.qa.tech/v1"
    inputs: ClassVar[frozenset[str]] = PLATFORM_INPUTS["qatech"]
    # QA.tech answers 403 both to an invalid token and to a suspended organization.
    key_help: ClassVar[str] = (
        "Use the project's API token from the QA.tech dashboard, Settings → Integrations → "
        "API; an organization-scoped key also needs {project} (`proj_…`). A 403 can also mean "
        "the organization is suspended: check its status and billing in the QA.tech dashboard."
    )

    @staticmethod
    def parse_options(inputs: Inputs) -> QatechOptions:
        return parse(inputs)

    @staticmethod
    def auth_headers(api_key: str) -> dict[str, str]:
        return bearer(api_key)

    # --- triggering ------------------------------------------------------------------

    def plan(self) -> list[TriggerSpec]:
        plans: Sequence[str | None] = self.options.plans or [None]
        return [self._spec(plan) for plan in plans]

    def _spec(self, plan: str | None) -> TriggerSpec:
        body = self._base_body()
        # `what` completes the client's messages: "found no default test plan".
        label, what = "the project's default test plan", "default test plan"
        if plan is not None:
            body["testPlanShortId"] = plan
            label = what = f"test plan {plan}"
        return TriggerSpec(
            request=Request("POST", "/run", body=body, what=what),
            label=label,
            device=self.options.device_preset,
            target=plan,
        )

    def _base_body(self) -> dict[str, Any]:
        # QA.tech's GITHUB trigger (with its commit fields) belongs to GitHub Actions alone.
        on_github = self.attach_context and self.context.source == GITHUB_ACTIONS
        body: dict[str, Any] = {"trigger": "GITHUB" if on_github else "API"}
        if on_github:
            body.update(self._commit_fields())
        body.update(self._project())
        if self.options.apps:
            body["applications"] = [self._application(app) for app in self.options.apps]
        return body

    def _project(self) -> dict[str, str]:
        return {"projectShortId": self.options.project} if self.options.project else {}

    def _commit_fields(self) -> dict[str, str]:
        context = self.context
        fields = {
            "actor": context.actor,
            "branch": context.branch,
            "commitHash": context.sha,
            "commitMessage": context.commit_message,
            "repository": context.repository,
        }
        return {key: value for key, value in fields.items() if value}

    def _application(self, app: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"applicationShortId": app}
        if self.options.environment is not None:
            entry["environment"] = self.options.environment.as_body()
        if self.options.device_preset is not None:
            entry["devicePresetShortId"] = self.options.device_preset
        return entry

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        started = _started_run(self.client.send(spec.request), spec.label)
        plan = started.get("testPlan")
        plan = plan if isinstance(plan, dict) else {}
        name = (
            text_field(plan, "name")
            or text_field(plan, "shortId")
            or spec.target
            or DEFAULT_PLAN_NAME
        )
        return [self._queued(started, name=str(name), device=spec.device, attempt=1)]

    @staticmethod
    def _queued(started: Mapping[str, Any], *, name: str, device: str | None, attempt: int) -> Run:
        test_count = int_field(started, "testCount")
        return Run(
            id=str(text_field(started, "shortId")),
            name=name,
            status=Status.QUEUED,
            url=text_field(started, "url"),
            device=device,
            progress=Progress(0, test_count) if test_count else None,
            attempt=attempt,
            handle=QatechHandle(test_count),
        )

    # --- waiting ---------------------------------------------------------------------

    def poll(self, runs: Sequence[Run]) -> list[Run]:
        return [self.checked(run, partial(self._polled, run)) for run in runs]

    def _polled(self, run: Run) -> Run:
        data = self._fetch(run, all_cases=False)
        self.seen.add(run.id)
        return self._apply(run, data)

    def complete(self, runs: Sequence[Run]) -> list[Run]:
        return [self._with_tests(run) if run.finished else run for run in runs]

    def _with_tests(self, run: Run) -> Run:
        for attempt in range(DETAIL_TRIES):
            try:
                data = self._fetch(run, all_cases=True)
            except MalformedAnswerError:
                raise  # an answer that cannot be read is no pass (steps.complete_runs)
            except PlatformError as error:
                # The outcome is already known; missing details must not hide it.
                return run.updated(
                    message=run.message or f"qarun could not read its test cases: {error}"
                )
            if judge_run(data, late_polls=LATE_RESULT_POLLS).status.finished:
                break
            # The details show the run still going after its status said it ended: a copy
            # behind the one that answered the status. They are looked at again, then left.
            if attempt + 1 == DETAIL_TRIES or not self.client.pause(DETAIL_PAUSE):
                break
        what = f"run {run.id}"
        tests = tuple(_test_result(case, i, what) for i, case in enumerate(_cases(data, what)))
        updated = self._apply(run, data, cases_asked=True, ended=True)
        return updated.updated(tests=tests, message=_first_problem(tests) or updated.message)

    def _fetch(self, run: Run, *, all_cases: bool) -> dict[str, Any]:
        what = f"run {run.id}"
        params = {"testCases": "all"} if all_cases else None
        answer = self.client.read(Request("GET", f"/run/{run.id}", params=params, what=what))
        return expect_object(answer, what)

    @staticmethod
    def _apply(
        run: Run, data: Mapping[str, Any], *, cases_asked: bool = False, ended: bool = False
    ) -> Run:
        what = f"run {run.id}"
        status, result = _status_field(data, what), data.get("result")
        handle = run.handle if isinstance(run.handle, QatechHandle) else QatechHandle()
        handle = replace(handle, failed_before=handle.failed_before or failed_case(data))
        # The details of a run seen ended: a result not written yet is not waited for again.
        judgment = judge_run(
            data,
            test_count=handle.test_count,
            late_polls=LATE_RESULT_POLLS if ended else handle.late_result,
            failed_before=handle.failed_before,
            cases_asked=cases_asked,
        )
        if word(status) == COMPLETED and result is None and not judgment.status.finished:
            # COMPLETED with the result not written yet: looked at again before judging.
            handle = replace(handle, late_result=handle.late_result + 1)
        if ended and not judgment.status.finished:
            # The details still show going a run seen ended, after looking again: the two
            # disagree, so no pass (and a test case failed there fails it).
            judgment = still_going_after_its_end(judgment, handle.failed_before)
        return judged(run, judgment).updated(
            provider_status=provider_status(status, result),
            progress=_progress(_cases(data, what), handle.test_count) or run.progress,
            reported=_reported(judgment.status, handle.test_count),
            handle=handle,
        )

    # --- rerunning -------------------------------------------------------------------

    def rerun_failed(self, run: Run) -> Run | None:
        what = f"run {run.id} to rerun"
        body: dict[str, Any] = {"failedOnly": True, **self._project()}
        request = Request("POST", f"/run/{run.id}", body=body, what=what)
        try:
            answer = self.client.send(request)
        except PlatformError as error:
            # 400 is QA.tech's answer to "no tests to rerun" and to any other refusal.
            if error.status_code == 400:
                raise RerunRefusedError(
                    f"QA.tech did not rerun {run.name} (run {run.id}): {error}",
                    status_code=400,
                ) from None
            raise
        started = _started_run(answer, what)
        return self._queued(started, name=run.name, device=run.device, attempt=run.attempt + 1)

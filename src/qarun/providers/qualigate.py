"""Qualigate: test suites, test cases and projects run in a browser (https://qualigate.app/docs/api-reference).

One trigger names exactly one suite, test case or project, per viewport. A
suite trigger starts one suite run, polled by `suite_run_id`; a test case
trigger starts one test run, polled by `test_run_id`; a project trigger starts
one test run per test case, all polled together through `/results` so that a
poll costs one request. The platform allows 30 requests a minute per key on
each endpoint, and the client paces itself under that.

A suite passes only when every test passed (`passed_tests == total_tests`): the
documents do not say whether `failed_tests` counts tests that ended in error,
timeout or cancel. Where `/results` gives a status, the verdict is no better.
A test run's dashboard link is implied from the trigger on (`/results` shows
`<host>/test-runs/<id>`); a suite run has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from qarun.errors import MalformedAnswerError, NotFoundError, PlatformError, RateLimitedError
from qarun.inputs import Inputs
from qarun.model import (
    Counts,
    Progress,
    Run,
    Status,
)
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
from qarun.providers.qualigate_answers import (
    PROJECT_RUN,
    SUITE_RUN,
    TEST_RUN,
    QualigateHandle,
    handle_of,
    kind,
    queued_project,
    queued_suite,
    required_text,
    result_rows,
    row_behind,
    rows_by_run,
    test_result_of,
    with_row,
    with_status_answer,
    with_times,
)
from qarun.providers.qualigate_options import QualigateOptions, Target, Viewport, parse
from qarun.providers.qualigate_verdict import (
    judge_suite,
    results_verdict,
)
from qarun.request import Request
from qarun.verdict import capped

TRIGGER_PATH = "/api/v1/trigger"
RESULTS_PATH = "/api/v1/results"
RATE_LIMIT_PER_MINUTE = 30
RATE_LIMITED_ROUTES = (f"POST {TRIGGER_PATH}", f"GET {TRIGGER_PATH}", f"GET {RESULTS_PATH}")
# Ids per /results call: keeps the query string well under common URL limits.
RESULTS_BATCH = 50

# Where a test run's dashboard page is, under the platform's host (as /results shows).
DASHBOARD_PATH = "/test-runs/"


@dataclass
class QualigateProvider(ProviderBase[QualigateOptions]):
    options_type: ClassVar[type[Options]] = QualigateOptions
    name: ClassVar[str] = "qualigate"
    title: ClassVar[str] = "Qualigate"
    default_api_url: ClassVar[str] = "https://qualigate.app"
    inputs: ClassVar[frozenset[str]] = PLATFORM_INPUTS["qualigate"]
    key_help: ClassVar[str] = (
        "Generate a key in Qualigate under Settings > API Keys (it starts with `qg_`). A 403 "
        "means the key works but the suite, test case or project belongs to another account."
    )

    # Test runs whose /results row qarun has read (their name and link from the platform).
    _rowed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for route in RATE_LIMITED_ROUTES:
            self.client.limits.document(route, RATE_LIMIT_PER_MINUTE)
        # A test run's check goes to either (`_poll_test_run`).
        self.client.limits.alternatives({f"GET {TRIGGER_PATH}", f"GET {RESULTS_PATH}"})

    @staticmethod
    def parse_options(inputs: Inputs) -> QualigateOptions:
        return parse(inputs)

    @staticmethod
    def auth_headers(api_key: str) -> dict[str, str]:
        return bearer(api_key)

    # --- trigger -----------------------------------------------------------------
    def plan(self) -> list[TriggerSpec]:
        viewports: Sequence[Viewport | None] = self.options.viewports or (None,)
        return [
            self._spec(target, viewport)
            for target in self.options.targets
            for viewport in viewports
        ]

    def _spec(self, target: Target, viewport: Viewport | None) -> TriggerSpec:
        body: dict[str, Any] = {target.kind.field: target.id}
        if self.options.browser:
            body["browserType"] = self.options.browser
        if viewport is not None:
            body.update(viewport.body())
        if self.attach_context:
            body["context"] = self._context()
        device = viewport.label if viewport is not None else None
        label = target.label + (f" ({device})" if device else "")
        return TriggerSpec(
            request=Request("POST", TRIGGER_PATH, body=body, what=label),
            label=label,
            device=device,
            target=target.id,
        )

    def _context(self) -> dict[str, str]:
        """The platform's `context` object: every field a string, only those qarun knows."""
        git = self.context
        fields = {
            "pr_number": str(git.pr_number) if git.pr_number is not None else None,
            "pr_url": git.pr_url,
            "sha": git.sha,
            "branch": git.branch,
            "repository": git.repository,
        }
        return {"source": git.source or "qarun", **{k: v for k, v in fields.items() if v}}

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        answer = expect_object(self.client.send(spec.request), f"the trigger of {spec.label}")
        target = spec.target or ""
        word = text_field(answer, "status")
        common: dict[str, Any] = {
            # `pending` as documented: a trigger answer never ends a run, whatever it says
            # (the checks that follow are what can show an end, with every signal).
            "status": Status.RUNNING if (word or "").lower() == "running" else Status.QUEUED,
            "provider_status": word or "",
            "device": spec.device,
        }
        if "suite_run_id" in answer:
            return [queued_suite(answer, target, spec.label, common)]
        if "test_run_ids" in answer:
            runs = queued_project(answer, target, spec.label, common)
            if not runs:
                advice = "Add test cases to it, or name a {suite} or {test-case} instead."
                raise PlatformError(
                    f"Qualigate queued no tests for {spec.label}: the project has no test cases "
                    f"to run. {self.named(advice, 'suite', 'test-case')}"
                )
            return [run.updated(url=self._dashboard(run.id)) for run in runs]
        if "test_run_id" in answer:
            run_id = required_text(answer, "test_run_id", spec.label)
            name = f"test case {target[:8]}" if target else f"test run {run_id[:8]}"
            url = self._dashboard(run_id)
            return [Run(id=run_id, name=name, url=url, handle=QualigateHandle(TEST_RUN), **common)]
        raise MalformedAnswerError(
            f"The platform's answer to the trigger of {spec.label} names no run "
            "(no `test_run_id`, `suite_run_id` or `test_run_ids`)."
        )

    def _dashboard(self, run_id: str) -> str:
        """The run's page as /results links it: `https://<host>/test-runs/<id>`."""
        parts = urlsplit(self.client.base_url)
        return f"{parts.scheme}://{parts.netloc}{DASHBOARD_PATH}{quote(run_id, safe='')}"

    # --- polling -----------------------------------------------------------------
    def poll(self, runs: Sequence[Run]) -> list[Run]:
        pollers = {SUITE_RUN: self._poll_suite, TEST_RUN: self._poll_test_run}
        fresh = {
            run.id: self.checked(run, partial(pollers[kind(run)], run))
            for run in runs
            if kind(run) in pollers
        }
        project_runs = [run for run in runs if kind(run) == PROJECT_RUN]
        fresh.update(self._from_rows(project_runs, polling=True))
        return [fresh.get(run.id, run) for run in runs]

    def _poll_suite(self, run: Run) -> Run:
        what = f"suite run {run.id}"
        answer = self._get(TRIGGER_PATH, {"suite_run_id": run.id}, what)
        word = required_text(answer, "status", what)
        total = int_field(answer, "total_tests")
        passed = int_field(answer, "passed_tests")
        failed = int_field(answer, "failed_tests")
        reported = run.reported
        progress = run.progress
        if total is not None:
            reported = Counts(total=total, passed=passed or 0, failed=failed or 0)
            progress = Progress(done=(passed or 0) + (failed or 0), total=total)
        self.seen.add(run.id)
        handle = replace(handle_of(run), answer=answer)
        judgment = judge_suite(
            answer, test_count=handle.test_count, failed_before=handle.failed_before
        )
        handle = replace(handle, failed_before=max(handle.failed_before, failed or 0))
        return judged(with_times(run, answer), judgment).updated(
            provider_status=word, reported=reported, progress=progress, handle=handle
        )

    def _poll_test_run(self, run: Run) -> Run:
        what = f"test run {run.id}"
        # Jobs sharing the key share each endpoint's 30 a minute: when GET /trigger is
        # spent, /results (a limit of its own) answers for the run, without its steps.
        by_id = Request("GET", TRIGGER_PATH, params={"test_run_id": run.id}, what=what)
        by_row = Request("GET", RESULTS_PATH, params={"test_run_ids": run.id}, what=what)
        unwaited = 0
        while True:
            try:
                if self.client.first_unrefused([by_id, by_row]) == 0:
                    answer = expect_object(self.client.read_or_limited(by_id), what)
                    self.seen.add(run.id)
                    return with_status_answer(run, answer, what)
                return self._test_run_row(run, by_row, what)
            except RateLimitedError as limited:
                # That endpoint is held back now: the other, or the first free. Refused again
                # and again without a wait, the platform is failing: the retries' budget.
                unwaited = 0 if limited.waited else unwaited + 1
                if unwaited >= self.client.policy.attempts:
                    raise PlatformError(
                        f"{limited} qarun asked {unwaited} times in a row for {what} and was "
                        "refused each time, with no wait.",
                        status_code=429,
                    ) from None

    def _test_run_row(self, run: Run, request: Request, what: str) -> Run:
        """The run as its /results row shows it. The row has no steps: the run's progress
        is unknown at this check."""
        try:
            answer = expect_object(self.client.read_or_limited(request), what)
        except NotFoundError:
            answer = {}  # the platform may list only finished runs: this one is not done yet
        rows = rows_by_run(answer, what) if answer else {}
        group = results_verdict(answer, [run.id])
        if run.id not in rows:
            return capped(run, group).updated(progress=None)
        self._rowed.add(run.id)
        self.seen.add(run.id)
        return capped(with_row(run, rows[run.id]), group).updated(progress=None)

    # --- details -------------------------------------------------------------------
    def complete(self, runs: Sequence[Run]) -> list[Run]:
        fresh = {run.id: self._suite_details(run) for run in runs if kind(run) == SUITE_RUN}
        unread = [run for run in runs if kind(run) != SUITE_RUN and run.id not in self._rowed]
        for attempt in range(DETAIL_TRIES):
            rowed = self._from_rows(unread, polling=False)
            fresh.update(rowed)
            # A row that still shows an ended run going may be a copy behind: asked again.
            behind = {run_id for run_id, run in rowed.items() if row_behind(run)}
            if not behind or attempt + 1 == DETAIL_TRIES or not self.client.pause(DETAIL_PAUSE):
                break
            unread = [run for run in unread if run.id in behind]
        return [fresh.get(run.id, run) for run in runs]

    def _suite_details(self, run: Run) -> Run:
        what = f"results of suite run {run.id}"
        results = self._get(RESULTS_PATH, {"suite_run_id": run.id}, what, shared=False)
        tests = tuple(test_result_of(row, what) for row in result_rows(results, what))
        handle = handle_of(run)
        if handle.answer is None:
            return run.updated(tests=tests)
        # The suite as its counts and /results say together: never better (`settled`).
        judgment = judge_suite(
            handle.answer,
            test_count=handle.test_count,
            results=results,
            failed_before=handle.failed_before,
        )
        return judged(run, judgment).updated(
            name=text_field(results, "suite_name") or run.name, tests=tests
        )

    def _from_rows(self, runs: Sequence[Run], *, polling: bool) -> dict[str, Run]:
        """The runs with a /results row, updated from it (see `with_row`), in few calls.

        A 404 while polling means the results are not there yet (the platform may list
        only finished runs): the runs wait for the next check.
        """
        fresh: dict[str, Run] = {}
        for start in range(0, len(runs), RESULTS_BATCH):
            batch = runs[start : start + RESULTS_BATCH]
            what = f"results of {len(batch)} test run(s)"
            ids = ",".join(run.id for run in batch)
            try:
                answer = self._get(RESULTS_PATH, {"test_run_ids": ids}, what, shared=polling)
            except NotFoundError as error:
                if not polling:
                    raise
                self.lost(batch, error)  # a run whose row was shown, and then gone
                continue
            rows = rows_by_run(answer, what)
            # The answer's own status and counts cap every run it was asked about.
            group = results_verdict(answer, [run.id for run in batch], ended=not polling)
            for run in batch:
                if run.id in rows:
                    self._rowed.add(run.id)
                    self.seen.add(run.id)
                    fresh[run.id] = capped(with_row(run, rows[run.id]), group)
                elif group is not None:
                    fresh[run.id] = capped(run, group)
        return fresh

    def _get(
        self, path: str, params: dict[str, str], what: str, shared: bool = True
    ) -> dict[str, Any]:
        request = Request("GET", path, params=params, what=what, shared=shared)
        return expect_object(self.client.read(request), what)

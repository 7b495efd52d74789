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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from qarun.errors import MalformedAnswerError, NotFoundError, PlatformError, RateLimitedError
from qarun.inputs import Inputs
from qarun.model import (
    MAX_SECONDS,
    Counts,
    Progress,
    Run,
    RunHandle,
    Status,
    TestResult,
    finite_seconds,
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
    parse_time,
    text_field,
)
from qarun.providers.qualigate_options import QualigateOptions, Target, Viewport, parse
from qarun.providers.qualigate_verdict import (
    STATUSES,
    judge_suite,
    judge_test_run,
    results_verdict,
)
from qarun.request import Request

TRIGGER_PATH = "/api/v1/trigger"
RESULTS_PATH = "/api/v1/results"
RATE_LIMIT_PER_MINUTE = 30
RATE_LIMITED_ROUTES = (f"POST {TRIGGER_PATH}", f"GET {TRIGGER_PATH}", f"GET {RESULTS_PATH}")
# Ids per /results call: keeps the query string well under common URL limits.
RESULTS_BATCH = 50

# Where a test run's dashboard page is, under the platform's host (as /results shows).
DASHBOARD_PATH = "/test-runs/"

# QualigateHandle.kind: how a run is polled.
SUITE_RUN = "suite"
TEST_RUN = "test"
PROJECT_RUN = "project"


@dataclass(frozen=True)
class QualigateHandle(RunHandle):
    """How a run is polled (a suite run, a single test run, or one of a project's runs),
    and the answers its verdict rests on: the trigger's `test_count` (suites), the last
    GET /trigger answer, and the last /results row (test runs)."""

    kind: str
    test_count: int | None = None
    answer: Mapping[str, Any] | None = None
    row: Mapping[str, Any] | None = None


@dataclass
class QualigateProvider(ProviderBase[QualigateOptions]):
    options_type: ClassVar[type[Options]] = QualigateOptions
    name: ClassVar[str] = "qualigate"
    title: ClassVar[str] = "Qualigate"
    default_api_url: ClassVar[str] = "https://qualigate.app"
    inputs: ClassVar[frozenset[str]] = PLATFORM_INPUTS["qualigate"]
    key_help: ClassVar[str] = (
        "Check `api-key`: generate a key in Qualigate under Settings > API Keys (it starts "
        "with `qg_`) and pass it from a secret, e.g. `api-key: ${{ secrets.QUALIGATE_API_KEY }}`. "
        "A 403 means the key works but the suite, test case or project belongs to another account."
    )

    # Test runs whose /results row qarun has read (their name and link from the platform).
    _rowed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for route in RATE_LIMITED_ROUTES:
            self.client.limits.document(route, RATE_LIMIT_PER_MINUTE)

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
            return [_queued_suite(answer, target, spec.label, common)]
        if "test_run_ids" in answer:
            runs = _queued_project(answer, target, spec.label, common)
            return [run.updated(url=self._dashboard(run.id)) for run in runs]
        if "test_run_id" in answer:
            run_id = _required_text(answer, "test_run_id", spec.label)
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
            run.id: self._polled(run, pollers[_kind(run)]) for run in runs if _kind(run) in pollers
        }
        project_runs = [run for run in runs if _kind(run) == PROJECT_RUN]
        fresh.update(self._from_rows(project_runs, polling=True))
        return [fresh.get(run.id, run) for run in runs]

    def _polled(self, run: Run, poller: Callable[[Run], Run]) -> Run:
        try:
            fresh = poller(run)
        except NotFoundError as error:
            self.lost([run], error)
            return run
        return fresh

    def _poll_suite(self, run: Run) -> Run:
        what = f"suite run {run.id}"
        answer = self._get(TRIGGER_PATH, {"suite_run_id": run.id}, what)
        word = _required_text(answer, "status", what)
        total = int_field(answer, "total_tests")
        passed = int_field(answer, "passed_tests")
        failed = int_field(answer, "failed_tests")
        reported = run.reported
        progress = run.progress
        if total is not None:
            reported = Counts(total=total, passed=passed or 0, failed=failed or 0)
            progress = Progress(done=(passed or 0) + (failed or 0), total=total)
        self.seen.add(run.id)
        handle = replace(_handle(run), answer=answer)
        judgment = judge_suite(answer, test_count=handle.test_count)
        return judged(_with_times(run, answer), judgment).updated(
            provider_status=word, reported=reported, progress=progress, handle=handle
        )

    def _poll_test_run(self, run: Run) -> Run:
        what = f"test run {run.id}"
        # Jobs sharing the key share each endpoint's 30 a minute: when GET /trigger is
        # spent, /results (a limit of its own) answers for the run, without its steps.
        by_id = Request("GET", TRIGGER_PATH, params={"test_run_id": run.id}, what=what)
        by_row = Request("GET", RESULTS_PATH, params={"test_run_ids": run.id}, what=what)
        while True:
            try:
                if self.client.first_unrefused([by_id, by_row]) == 0:
                    answer = expect_object(self.client.read_or_limited(by_id), what)
                    self.seen.add(run.id)
                    return _test_run_status(run, answer, what)
                return self._test_run_row(run, by_row, what)
            except RateLimitedError:
                continue  # that endpoint is held back now: the other, or the first free

    def _test_run_row(self, run: Run, request: Request, what: str) -> Run:
        """The run as its /results row shows it. The row has no steps: the run's progress
        is unknown at this check."""
        try:
            answer = expect_object(self.client.read_or_limited(request), what)
        except NotFoundError:
            answer = {}  # the platform may list only finished runs: this one is not done yet
        rows = _rows_by_run(answer, what) if answer else {}
        group = results_verdict(answer, [run.id])
        verdict = group.status if group is not None else None
        if run.id not in rows:
            return run.updated(progress=None, platform_verdict=verdict or run.platform_verdict)
        self._rowed.add(run.id)
        self.seen.add(run.id)
        return _with_row(run, rows[run.id]).updated(progress=None, platform_verdict=verdict)

    # --- details -------------------------------------------------------------------
    def complete(self, runs: Sequence[Run]) -> list[Run]:
        fresh = {run.id: self._suite_details(run) for run in runs if _kind(run) == SUITE_RUN}
        unread = [run for run in runs if _kind(run) != SUITE_RUN and run.id not in self._rowed]
        for attempt in range(DETAIL_TRIES):
            rowed = self._from_rows(unread, polling=False)
            fresh.update(rowed)
            # A row that still shows an ended run going may be a copy behind: asked again.
            behind = {run_id for run_id, run in rowed.items() if _row_behind(run)}
            if not behind or attempt + 1 == DETAIL_TRIES or not self.client.pause(DETAIL_PAUSE):
                break
            unread = [run for run in unread if run.id in behind]
        return [fresh.get(run.id, run) for run in runs]

    def _suite_details(self, run: Run) -> Run:
        what = f"results of suite run {run.id}"
        results = self._get(RESULTS_PATH, {"suite_run_id": run.id}, what)
        tests = tuple(_test_result(row, what) for row in _result_rows(results, what))
        handle = _handle(run)
        if handle.answer is None:
            return run.updated(tests=tests)
        # The suite as its counts and /results say together: never better (`settled`).
        judgment = judge_suite(handle.answer, test_count=handle.test_count, results=results)
        return judged(run, judgment).updated(
            name=text_field(results, "suite_name") or run.name, tests=tests
        )

    def _from_rows(self, runs: Sequence[Run], *, polling: bool) -> dict[str, Run]:
        """The runs with a /results row, updated from it (see `_with_row`), in few calls.

        A 404 while polling means the results are not there yet (the platform may list
        only finished runs): the runs wait for the next check.
        """
        fresh: dict[str, Run] = {}
        for start in range(0, len(runs), RESULTS_BATCH):
            batch = runs[start : start + RESULTS_BATCH]
            what = f"results of {len(batch)} test run(s)"
            ids = ",".join(run.id for run in batch)
            try:
                answer = self._get(RESULTS_PATH, {"test_run_ids": ids}, what)
            except NotFoundError as error:
                if not polling:
                    raise
                self.lost(batch, error)  # a run whose row was shown, and then gone
                continue
            rows = _rows_by_run(answer, what)
            # The answer's own status and counts cap every run it was asked about.
            group = results_verdict(answer, [run.id for run in batch], ended=not polling)
            verdict = group.status if group is not None else None
            for run in batch:
                if run.id in rows:
                    self._rowed.add(run.id)
                    self.seen.add(run.id)
                    fresh[run.id] = _with_row(run, rows[run.id]).updated(platform_verdict=verdict)
                elif verdict is not None:
                    fresh[run.id] = run.updated(platform_verdict=verdict)
        return fresh

    def _get(self, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        return expect_object(self.client.read(Request("GET", path, params=params, what=what)), what)


# --- reading answers -------------------------------------------------------------------
def _kind(run: Run) -> str:
    return _handle(run).kind


def _test_run_status(run: Run, answer: Mapping[str, Any], what: str) -> Run:
    """The run as GET /trigger?test_run_id shows it: status, steps and times."""
    word = _required_text(answer, "status", what)
    done = int_field(answer, "steps_completed")
    total = int_field(answer, "steps_total")
    progress = Progress(done, total) if done is not None and total else run.progress
    handle = _newer(_handle(run), answer=answer)
    judgment = judge_test_run(answer, handle.row)
    message = text_field(answer, "error_message")
    return judged(_with_times(run, answer), judgment, message).updated(
        provider_status=word, progress=progress, handle=handle
    )


def _required_text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = text_field(data, key)
    if value is None:
        raise MalformedAnswerError(f"The platform's answer about {what} has no `{key}`.")
    return value


def _with_times(run: Run, answer: Mapping[str, Any]) -> Run:
    started = parse_time(answer.get("started_at")) or run.started_at
    finished = parse_time(answer.get("completed_at")) or run.finished_at
    duration = _seconds(answer, "duration_ms")
    return run.updated(started_at=started, finished_at=finished, duration=duration)


def _seconds(data: Mapping[str, Any], key: str) -> float | None:
    """`duration_ms` in seconds, where it is a number that fits (a bool is none)."""
    value = data.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if isinstance(value, int) and not 0 <= value <= MAX_SECONDS * 1000:
        return None  # a 400-digit integer is valid JSON, and has no float to divide
    return finite_seconds(value / 1000)


def _result_rows(answer: Mapping[str, Any], what: str) -> list[dict[str, Any]]:
    rows = answer.get("results", [])
    if not isinstance(rows, list):
        raise MalformedAnswerError(f"The platform's answer about {what} has no `results` list.")
    return [expect_object(row, what) for row in rows]


def _rows_by_run(answer: Mapping[str, Any], what: str) -> dict[str | None, dict[str, Any]]:
    """A /results answer's rows by their `test_run_id`."""
    return {text_field(row, "test_run_id"): row for row in _result_rows(answer, what)}


def _with_row(run: Run, row: Mapping[str, Any]) -> Run:
    """A test run updated from its /results row, its verdict from the row and the last
    GET /trigger answer together."""
    handle = _newer(_handle(run), row=row)
    judgment = judge_test_run(handle.answer, row)
    changes: dict[str, Any] = {
        "name": text_field(row, "test_case_name") or run.name,
        "url": text_field(row, "dashboard_url") or run.url,
        "duration": _first(_seconds(row, "duration_ms"), run.duration),
        "handle": handle,
    }
    word = text_field(row, "status")
    if word is not None and handle.answer is None:
        changes["provider_status"] = word
    return judged(run, judgment, text_field(row, "error_message")).updated(**changes)


def _newer(
    handle: QualigateHandle,
    *,
    answer: Mapping[str, Any] | None = None,
    row: Mapping[str, Any] | None = None,
) -> QualigateHandle:
    """The handle with a newer GET /trigger answer or /results row. The other one is kept
    only where it shows an end: one that showed the run going was read before this."""
    if answer is not None:
        kept = (
            handle.row if handle.row and judge_test_run(None, handle.row).status.finished else None
        )
        return replace(handle, answer=answer, row=kept)
    older = handle.answer
    kept_answer = older if older and judge_test_run(older).status.finished else None
    return replace(handle, answer=kept_answer, row=row)


def _row_behind(run: Run) -> bool:
    """The run's GET /trigger answer shows it ended and its /results row does not."""
    handle = _handle(run)
    if handle.answer is None or handle.row is None:
        return False
    ended = judge_test_run(handle.answer).status.finished
    return ended and not judge_test_run(None, handle.row).status.finished


def _handle(run: Run) -> QualigateHandle:
    return run.handle if isinstance(run.handle, QualigateHandle) else QualigateHandle(TEST_RUN)


def _first(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)


def _test_result(row: Mapping[str, Any], what: str) -> TestResult:
    word = text_field(row, "status") or ""
    return TestResult(
        id=_required_text(row, "test_run_id", what),
        name=text_field(row, "test_case_name") or "unnamed test",
        status=judge_test_run(None, row).status if word.lower() in STATUSES else Status.ERROR,
        provider_status=word,
        message=text_field(row, "error_message"),
        duration=_seconds(row, "duration_ms"),
        url=text_field(row, "dashboard_url"),
    )


def _queued_suite(
    answer: Mapping[str, Any], target: str, what: str, common: Mapping[str, Any]
) -> Run:
    run_id = _required_text(answer, "suite_run_id", what)
    count = int_field(answer, "test_count")
    return Run(
        id=run_id,
        name=f"suite {(target or run_id)[:8]}",
        reported=Counts(total=count) if count is not None else None,
        progress=Progress(0, count) if count else None,
        handle=QualigateHandle(SUITE_RUN, test_count=count),
        **common,
    )


def _queued_project(
    answer: Mapping[str, Any], target: str, what: str, common: Mapping[str, Any]
) -> list[Run]:
    ids = answer.get("test_run_ids")
    if isinstance(ids, list):
        ids = list(dict.fromkeys(ids))  # a run listed twice is one run
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise MalformedAnswerError(
            f"The platform's answer to the trigger of {what} has a `test_run_ids` that is not "
            "a list of ids."
        )
    if not ids:
        raise PlatformError(
            f"Qualigate queued no tests for {what}: the project has no test cases to run. "
            "Add test cases to it, or name a `suite` or `test-case` instead."
        )
    prefix = f"project {target[:8]} " if target else ""
    return [
        Run(
            id=run_id,
            name=f"{prefix}test {n}/{len(ids)}",
            handle=QualigateHandle(PROJECT_RUN),
            **common,
        )
        for n, run_id in enumerate(ids, start=1)
    ]

"""The Qualigate provider against its fake, over real HTTP on loopback."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from qarun.errors import AuthError, MalformedAnswerError, NotFoundError, PlatformError
from qarun.git_context import GitContext
from qarun.http import HttpClient
from qarun.inputs import Inputs
from qarun.model import Counts, Run, Status
from qarun.providers.base import TriggerSpec, merge_payload
from qarun.providers.qualigate import QualigateOptions, QualigateProvider
from qarun.request import Request
from tests.conftest import Serve
from tests.fakes.base import Reply, RunScript, TestClock, TestScript
from tests.fakes.qualigate import (
    DASHBOARD,
    PROJECT_ID,
    RESULTS,
    SUITE_ID,
    SUITE_NAME,
    TEST_CASE_ID,
    TRIGGER,
    QualigateFake,
    scenario,
)
from tests.providers_util import (
    CONTEXT,
    client_for,
    one_wait_for,
    settle,
    start,
    waited_for_the_window,
)

# The fakes run on the test's clock: polling moves it on, nothing waits for real.
pytestmark = pytest.mark.usefixtures("clock")

API_KEY = "test-key-0123456789"
OTHER_SUITE = "771e8400-e29b-41d4-a716-446655440000"
HOSTILE = "::error::pwned %0A ##[warning] <script>alert(1)</script> ü\n|a|b|"


# --- factories ---------------------------------------------------------------------------
def parse(**values: str) -> tuple[QualigateOptions, list[str]]:
    """Options from inputs given as keyword arguments (test_case → `test-case`)."""
    inputs = Inputs({name.replace("_", "-"): value for name, value in values.items()})
    options = QualigateProvider.parse_options(inputs)
    return options, [str(problem) for problem in inputs.problems]


def script(result: str = "passed", name: str = "User Login Flow", **kwargs: Any) -> RunScript:
    return RunScript(name=name, result=result, duration=0.3, queued_for=0.05, **kwargs)


def provider(
    fake: QualigateFake,
    *,
    attach_context: bool = True,
    key: str = API_KEY,
    client: HttpClient | None = None,
    **inputs: str,
) -> QualigateProvider:
    options, problems = parse(**(inputs or {"suite": SUITE_ID}))
    assert problems == []
    client = client or client_for(fake, QualigateProvider.auth_headers(key))
    return QualigateProvider(
        options=options, client=client, context=CONTEXT, attach_context=attach_context
    )


def gets(fake: QualigateFake) -> int:
    return len(fake.requests_to("GET"))


# --- options -------------------------------------------------------------------------------
def test_ids_of_every_kind_become_targets_in_input_order() -> None:
    options, problems = parse(
        suite=f"{SUITE_ID}, {OTHER_SUITE}", test_case=TEST_CASE_ID, project=PROJECT_ID
    )
    assert problems == []
    assert [(t.kind.field, t.id) for t in options.targets] == [
        ("test_suite_id", SUITE_ID),
        ("test_suite_id", OTHER_SUITE),
        ("test_case_id", TEST_CASE_ID),
        ("project_id", PROJECT_ID),
    ]


@pytest.mark.parametrize("name", ["suite", "test-case", "project"])
@pytest.mark.parametrize(
    "bad", ["abc", "770e8400e29b41d4a716446655440000", SUITE_ID + "0", "pln_abc123"]
)
def test_an_id_that_is_not_a_uuid_is_a_problem_naming_the_input(name: str, bad: str) -> None:
    _, problems = parse(**{name.replace("-", "_"): bad})
    assert len(problems) == 1
    assert problems[0].startswith(f"input `{name}`: `{bad}` is not a Qualigate")
    assert "e.g. `770e8400-e29b-41d4-a716-446655440000`" in problems[0]


def test_no_id_at_all_is_a_problem_that_shows_the_inputs_to_use() -> None:
    _, problems = parse(devices="mobile")
    assert problems == [
        "input `suite`: Qualigate needs at least one of `suite`, `test-case` or `project`; "
        "e.g. `suite: 770e8400-e29b-41d4-a716-446655440000`."
    ]


def test_an_id_listed_twice_is_a_problem() -> None:
    _, problems = parse(test_case=f"{TEST_CASE_ID}\n{TEST_CASE_ID.upper()}")
    assert problems == [
        f"input `test-case`: `{TEST_CASE_ID.upper()}` is listed twice; list each id once."
    ]


def test_viewports_are_presets_or_sizes_one_per_line() -> None:
    options, problems = parse(suite=SUITE_ID, devices="desktop\nMobile\n1280x720\n 390 X 844 ")
    assert problems == []
    assert [v.label for v in options.viewports] == ["desktop", "mobile", "1280x720", "390x844"]


@pytest.mark.parametrize("bad", ["phone", "0x720", "1280x", "1280*720", "-1x5", "widexhigh"])
def test_a_viewport_of_no_accepted_form_is_a_devices_problem(bad: str) -> None:
    _, problems = parse(suite=SUITE_ID, devices=f"desktop\n{bad}")
    assert len(problems) == 1
    assert problems[0].startswith(f"input `devices`: `{bad}` is not a viewport")
    assert "`desktop`, `tablet`, `mobile`" in problems[0] and "`1280x720`" in problems[0]


def test_a_viewport_listed_twice_is_a_problem() -> None:
    _, problems = parse(suite=SUITE_ID, devices="mobile\nMOBILE")
    assert problems == ["input `devices`: `MOBILE` is listed twice; list each viewport once."]


def test_browser_is_one_word() -> None:
    assert parse(suite=SUITE_ID, browser="firefox")[0].browser == "firefox"
    _, problems = parse(suite=SUITE_ID, browser="fire fox")
    assert problems == [
        "input `browser`: `fire fox` is not a browser engine name; write one word, e.g. "
        "`chromium` (the platform's default)."
    ]


def test_every_bad_input_is_reported_at_once() -> None:
    _, problems = parse(suite="nope", project="nada", devices="huge", browser="a b")
    assert [p.split(":")[0] for p in problems] == [
        "input `suite`",
        "input `project`",
        "input `devices`",
        "input `browser`",
    ]


# --- plan and trigger ---------------------------------------------------------------------------
def test_one_trigger_per_id_per_viewport_with_the_exact_body(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake(suites=(SUITE_ID, OTHER_SUITE)))
    qualigate = provider(
        fake, suite=f"{SUITE_ID},{OTHER_SUITE}", devices="mobile\n1280x720", browser="firefox"
    )
    specs = qualigate.plan()
    assert [spec.label for spec in specs] == [
        f"test suite {SUITE_ID} (mobile)",
        f"test suite {SUITE_ID} (1280x720)",
        f"test suite {OTHER_SUITE} (mobile)",
        f"test suite {OTHER_SUITE} (1280x720)",
    ]
    runs = start(qualigate)

    context = {
        "source": "github-actions",
        "pr_number": str(CONTEXT.pr_number),
        "pr_url": CONTEXT.pr_url,
        "sha": CONTEXT.sha,
        "branch": CONTEXT.branch,
        "repository": CONTEXT.repository,
    }
    mobile = {"viewportPreset": "mobile"}
    sized = {"viewportWidth": 1280, "viewportHeight": 720}
    assert fake.trigger_bodies() == [
        {"test_suite_id": suite, "browserType": "firefox", **viewport, "context": context}
        for suite in (SUITE_ID, OTHER_SUITE)
        for viewport in (mobile, sized)
    ]
    assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {API_KEY}"}
    assert [run.device for run in runs] == ["mobile", "1280x720"] * 2
    assert [run.name for run in runs] == ["suite 770e8400"] * 2 + ["suite 771e8400"] * 2


def test_without_attach_context_or_viewports_the_body_is_the_id_alone(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake())
    start(provider(fake, attach_context=False, test_case=TEST_CASE_ID))
    assert fake.trigger_bodies() == [{"test_case_id": TEST_CASE_ID}]


def test_context_holds_only_the_fields_known_for_a_push(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake())
    qualigate = provider(fake)
    qualigate.context = GitContext(
        repository="octo/shop", sha="abc123", branch="main", source="github-actions"
    )
    start(qualigate)
    assert fake.trigger_bodies()[0]["context"] == {
        "source": "github-actions",
        "sha": "abc123",
        "branch": "main",
        "repository": "octo/shop",
    }


def test_each_kind_of_trigger_answers_with_its_queued_runs(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script(name="Login"), script(name="Cart"), script(name="Pay")]))
    suite, case, *project = start(
        provider(fake, suite=SUITE_ID, test_case=TEST_CASE_ID, project=PROJECT_ID)
    )
    assert (suite.name, suite.status, suite.provider_status) == (
        "suite 770e8400",
        Status.QUEUED,
        "pending",
    )
    assert suite.reported == Counts(total=3)
    assert suite.id in fake.suite_runs
    assert (case.name, case.status) == ("test case 550e8400", Status.QUEUED)
    assert case.id in fake.test_runs
    assert [run.name for run in project] == [
        "project 990e8400 test 1/3",
        "project 990e8400 test 2/3",
        "project 990e8400 test 3/3",
    ]
    assert len({run.id for run in project}) == 3


def test_an_unknown_id_fails_with_the_platforms_message(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake(suites=()))
    qualigate = provider(fake)
    with pytest.raises(NotFoundError, match=f"no test suite {SUITE_ID} .*Test suite not found"):
        qualigate.trigger(qualigate.plan()[0])


def test_a_payload_that_names_a_second_id_is_refused_by_the_platform(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake())
    qualigate = provider(fake)
    spec = qualigate.plan()[0]
    body = merge_payload(spec.request.body or {}, {"project_id": PROJECT_ID})
    broken = TriggerSpec(
        Request("POST", TRIGGER, body=body, what=spec.label), spec.label, target=spec.target
    )
    with pytest.raises(PlatformError, match="HTTP 400: You must provide exactly one of"):
        qualigate.trigger(broken)
    assert fake.suite_runs == {}


def test_a_rejected_key_is_an_auth_error(serve: Serve) -> None:
    qualigate = provider(serve(QualigateFake()), key="qg_wrong")
    with pytest.raises(AuthError, match="HTTP 401: Missing or invalid API key"):
        start(qualigate)


def test_a_project_with_no_test_cases_says_so(serve: Serve) -> None:
    fake = serve(QualigateFake())
    fake.inject(
        f"POST {TRIGGER}",
        Reply(201, {"success": True, "test_run_ids": [], "test_count": 0, "status": "pending"}),
    )
    with pytest.raises(PlatformError, match="queued no tests for project"):
        start(provider(fake, project=PROJECT_ID))


@pytest.mark.parametrize(
    "answer",
    [{"success": True, "status": "pending"}, {"test_run_ids": "a,b"}, ["not", "an", "object"]],
)
def test_a_trigger_answer_without_runs_is_malformed(serve: Serve, answer: Any) -> None:
    fake = serve(QualigateFake())
    fake.inject(f"POST {TRIGGER}", Reply(201, answer))
    with pytest.raises(MalformedAnswerError):
        start(provider(fake))


# --- polling -------------------------------------------------------------------------------
def test_a_suite_that_completes_without_failures_passed(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script(name="Login"), script(name="Cart")]))
    qualigate = provider(fake)
    (run,) = settle(qualigate, start(qualigate), clock)
    assert (run.status, run.provider_status) == (Status.PASSED, "completed")
    assert run.reported == Counts(total=2, passed=2)
    assert run.progress is not None and run.progress.done == run.progress.total
    assert run.started_at is not None and run.finished_at is not None
    assert run.duration == 0.3
    assert run.url is None  # the platform has no suite dashboard link


def test_a_suite_that_completes_with_a_failure_failed(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script(name="Login"), script("failed", name="Cart")]))
    qualigate = provider(fake)
    (run,) = settle(qualigate, start(qualigate), clock)
    assert (run.status, run.provider_status) == (Status.FAILED, "completed")
    assert run.reported == Counts(total=2, passed=1, failed=1)


@pytest.mark.parametrize(
    ("result", "status"),
    [
        ("passed", Status.PASSED),
        ("failed", Status.FAILED),
        ("error", Status.ERROR),
        ("timeout", Status.TIMEOUT),
        ("canceled", Status.CANCELED),
    ],
)
def test_suite_and_test_run_words_map_to_statuses(
    clock: TestClock, serve: Serve, result: str, status: Status
) -> None:
    fake = serve(QualigateFake([script(result)], completed_word=False))
    qualigate = provider(fake, suite=SUITE_ID, test_case=TEST_CASE_ID)
    runs = settle(qualigate, start(qualigate), clock)
    assert [(run.status, run.provider_status) for run in runs] == [(status, result)] * 2


def test_a_suite_reports_progress_as_its_tests_end(clock: TestClock, serve: Serve) -> None:
    fake = serve(
        QualigateFake([RunScript(name=f"t{n}", duration=1.0, queued_for=0.0) for n in range(4)])
    )
    qualigate = provider(fake)
    runs = start(qualigate)
    clock.advance(0.6)
    (run,) = qualigate.poll(runs)
    assert (run.status, run.provider_status) == (Status.RUNNING, "running")
    assert run.progress is not None and (run.progress.done, run.progress.total) == (2, 4)


def test_a_test_case_run_reports_steps_message_and_duration(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script("failed", message="Element not found: #pay")]))
    qualigate = provider(fake, test_case=TEST_CASE_ID)
    (run,) = settle(qualigate, start(qualigate), clock)
    assert (run.status, run.provider_status) == (Status.FAILED, "failed")
    assert run.message == "Element not found: #pay"
    assert run.duration == 0.3
    assert run.progress is not None and (run.progress.done, run.progress.total) == (11, 12)


def test_project_runs_take_names_links_and_statuses_from_results(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(
        QualigateFake([script(name="Login"), script("failed", name="Cart", message="no cart")])
    )
    qualigate = provider(fake, project=PROJECT_ID)
    runs = settle(qualigate, start(qualigate), clock)
    assert [(r.name, r.status, r.message) for r in runs] == [
        ("Login", Status.PASSED, None),
        ("Cart", Status.FAILED, "no cart"),
    ]
    assert [r.url for r in runs] == [DASHBOARD + r.id for r in runs]
    assert {tuple(r.query) for r in fake.requests_to("GET")} == {("test_run_ids",)}


def test_a_poll_costs_one_request_per_suite_or_test_case_and_one_for_all_project_runs(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script("never", name=f"t{n}") for n in range(5)]))
    qualigate = provider(fake, suite=SUITE_ID, test_case=TEST_CASE_ID, project=PROJECT_ID)
    runs = start(qualigate)
    assert len(runs) == 1 + 1 + 5
    qualigate.poll(runs)
    assert gets(fake) == 3
    results = fake.requests_to("GET", RESULTS)
    assert results[0].query["test_run_ids"] == [",".join(run.id for run in runs[2:])]


def test_runs_that_never_end_stay_running(clock: TestClock, serve: Serve) -> None:
    fake = serve(QualigateFake([script("never")]))
    qualigate = provider(fake, suite=SUITE_ID, test_case=TEST_CASE_ID, project=PROJECT_ID)
    runs = start(qualigate)
    clock.advance(0.4)
    polled = qualigate.poll(runs)
    assert [run.status for run in polled] == [Status.RUNNING] * 3
    assert [run.id for run in polled] == [run.id for run in runs]


def test_an_unknown_word_on_an_ended_run_is_kept_and_counts_as_an_error(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script("exploded")]))
    qualigate = provider(fake, suite=SUITE_ID, test_case=TEST_CASE_ID)
    runs = settle(qualigate, start(qualigate), clock)
    assert [(r.status, r.provider_status) for r in runs] == [(Status.ERROR, "exploded")] * 2
    assert runs[1].message == (
        "Qualigate: the test run's `status` is `exploded`, which its documents do not give."
    )


def test_an_unknown_word_without_an_end_leaves_the_run_running(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script("never")]))
    qualigate = provider(fake, test_case=TEST_CASE_ID, project=PROJECT_ID)
    runs = start(qualigate)
    fake.inject(f"GET {TRIGGER}", Reply(200, {"id": runs[0].id, "status": "Warming Up"}))
    row = {"test_run_id": runs[1].id, "test_case_name": "Login", "status": "provisioning"}
    fake.inject(f"GET {RESULTS}", Reply(200, {"results": [row]}))
    polled = qualigate.poll(runs)
    assert [(r.status, r.provider_status) for r in polled] == [
        (Status.RUNNING, "Warming Up"),
        (Status.RUNNING, "provisioning"),
    ]


def test_a_completed_suite_missing_a_count_is_an_error_naming_it(serve: Serve) -> None:
    fake = serve(QualigateFake([script("never")]))
    qualigate = provider(fake)
    runs = start(qualigate)
    fake.inject(f"GET {TRIGGER}", Reply(200, {"status": "completed", "total_tests": 2}))
    (run,) = qualigate.poll(runs)
    assert run.status is Status.ERROR
    assert run.message is not None and "`passed_tests`" in run.message


@pytest.mark.parametrize(
    ("route", "answer", "message"),
    [
        (TRIGGER, {"id": "x"}, "has no `status`"),
        (TRIGGER, ["x"], "not a JSON object"),
        (RESULTS, {"results": {"a": 1}}, "no `results` list"),
        (RESULTS, {"results": ["row"]}, "not a JSON object"),
    ],
)
def test_malformed_poll_answers_fail_clearly(
    serve: Serve, route: str, answer: Any, message: str
) -> None:
    fake = serve(QualigateFake([script("never")]))
    qualigate = provider(fake, project=PROJECT_ID) if route == RESULTS else provider(fake)
    runs = start(qualigate)
    fake.inject(f"GET {route}", Reply(200, answer))
    with pytest.raises(MalformedAnswerError, match=message):
        qualigate.poll(runs)


def test_a_run_seen_before_and_then_unknown_is_not_found(
    serve: Serve,
) -> None:
    fake = serve(QualigateFake())
    ghost = Run(id="00000000-0000-4000-8000-000000000000", name="x", status=Status.RUNNING)
    qualigate = provider(fake)
    # Never seen: runs are created asynchronously, so it is not there yet.
    assert qualigate.poll([ghost]) == [ghost]
    qualigate.seen.add(ghost.id)
    with pytest.raises(NotFoundError, match="Test run not found"):
        qualigate.poll([ghost])


# --- complete ---------------------------------------------------------------------------------
def test_complete_gives_a_suite_its_name_and_tests_with_one_request(
    clock: TestClock,
    serve: Serve,
) -> None:
    tests = (
        TestScript("Login"),
        TestScript("Checkout", "failed", "Element not found: button[data-test='submit']"),
        TestScript(HOSTILE, "timeout"),
    )
    fake = serve(
        QualigateFake([RunScript(name=HOSTILE, duration=0.3, queued_for=0.05, tests=tests)])
    )
    qualigate = provider(fake)
    runs = settle(qualigate, start(qualigate), clock)
    before = gets(fake)
    (run,) = qualigate.complete(runs)
    assert gets(fake) == before + 1
    assert run.name == HOSTILE
    assert [(t.name, t.status, t.provider_status, t.message) for t in run.tests] == [
        ("Login", Status.PASSED, "passed", None),
        ("Checkout", Status.FAILED, "failed", "Element not found: button[data-test='submit']"),
        (HOSTILE, Status.TIMEOUT, "timeout", None),
    ]
    assert [t.url for t in run.tests] == [DASHBOARD + t.id for t in run.tests]
    assert run.counts() == Counts(total=3, passed=1, failed=1, timeout=1)
    assert run.status == Status.FAILED


def test_complete_names_every_test_case_run_with_one_request(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script(name="Login Flow")]))
    qualigate = provider(fake, test_case=TEST_CASE_ID, devices="desktop\nmobile\n800x600")
    runs = settle(qualigate, start(qualigate), clock)
    assert [run.name for run in runs] == ["test case 550e8400"] * 3
    before = gets(fake)
    done = qualigate.complete(runs)
    assert gets(fake) == before + 1
    assert [(r.name, r.device, r.url) for r in done] == [
        ("Login Flow", device, DASHBOARD + r.id)
        for r, device in zip(done, ["desktop", "mobile", "800x600"], strict=True)
    ]
    assert [r.status for r in done] == [Status.PASSED] * 3


def test_complete_asks_nothing_for_project_runs_already_named(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QualigateFake([script(name="Login"), script(name="Cart")]))
    qualigate = provider(fake, project=PROJECT_ID)
    runs = settle(qualigate, start(qualigate), clock)
    before = gets(fake)
    assert qualigate.complete(runs) == runs
    assert gets(fake) == before


# --- rate limits -------------------------------------------------------------------------------
def test_the_provider_paces_itself_under_thirty_requests_a_minute_on_each_endpoint(
    serve: Serve, clock: TestClock
) -> None:
    fake = serve(QualigateFake([script("never")]))
    client = client_for(
        fake, QualigateProvider.auth_headers(API_KEY), sleep=clock.sleep, clock=clock
    )
    qualigate = provider(fake, test_case=TEST_CASE_ID, client=client)
    runs = start(qualigate)
    for _ in range(61):
        qualigate.poll(runs)
    # GET /trigger's 30, then /results' 30 (a limit of its own), then a wait for the first
    # of GET /trigger's to leave the window.
    paths = [r.path for r in fake.requests_to("GET")]
    assert paths[:30] == [TRIGGER] * 30 and paths[30:60] == [RESULTS] * 30
    assert len(clock.slept) == 1 and 59.0 < clock.slept[0] <= 60.0
    assert fake.refused == 0


def test_the_fake_refuses_the_31st_request_a_minute_with_retry_after(
    serve: Serve, clock: TestClock
) -> None:
    fake = serve(QualigateFake())
    client = client_for(fake, {"X-API-Key": API_KEY}, sleep=clock.sleep, clock=clock)
    qualigate = provider(fake)
    (run,) = start(qualigate)
    status = Request("GET", TRIGGER, params={"suite_run_id": run.id}, what="suite run")
    for _ in range(30):
        client.read(status)
    clock.now += 15
    answer = client.read(status)  # 429 with retry_after 45, waited, then answered
    assert answer["id"] == run.id
    assert one_wait_for(clock.slept, 45.0)
    assert fake.refused == 1


# --- a key other jobs share ------------------------------------------------------------------
def spend(fake: QualigateFake, path: str, params: dict[str, str], clock: TestClock) -> None:
    """Other jobs on the key use up an endpoint's 30 requests this minute."""
    others = client_for(fake, {"X-API-Key": API_KEY}, clock=clock)
    for _ in range(fake.rate_limit):
        others.read(Request("GET", path, params=params, what="another job's check"))


def one_of_many_jobs(
    serve: Serve, clock: TestClock, duration: float, **fake_options: Any
) -> tuple[QualigateFake, QualigateProvider, Run]:
    """A job that has triggered a test case (a run of `duration` s), after the other jobs
    on its key spent GET /trigger's minute."""
    fake = serve(QualigateFake([RunScript(duration=duration)], **fake_options))
    client = client_for(
        fake, QualigateProvider.auth_headers(API_KEY), sleep=clock.sleep, clock=clock
    )
    qualigate = provider(fake, test_case=TEST_CASE_ID, client=client)
    (run,) = start(qualigate)
    spend(fake, TRIGGER, {"test_run_id": run.id}, clock)
    return fake, qualigate, run


def test_a_test_run_is_checked_through_results_while_other_jobs_have_spent_trigger(
    serve: Serve, clock: TestClock
) -> None:
    fake, qualigate, run = one_of_many_jobs(serve, clock, duration=20.0)

    began = clock()
    clock.advance(5.0)
    (going,) = qualigate.poll([run])
    # /trigger's 55 s wait was not waited out: /results answered within the 5 s the other
    # jobs took to fill /trigger (the jobs refused together come to it spread as they came).
    assert sum(clock.slept) <= 5.0
    clock.advance(20.0)
    (ended,) = qualigate.poll([going])

    assert going.status is Status.RUNNING and ended.status is Status.PASSED
    # One 429 taught qarun that /trigger is spent: that check went to /results.
    assert fake.refused == 1
    assert [r.path for r in fake.requests_to("GET")[-3:-1]] == [TRIGGER, RESULTS]
    # The key is full: from then on this job keeps to its part of it (none of the 30
    # requests that filled it were its own: one a minute on /results) and to /trigger's hold
    # (55 s, and up to the 5 s it took to fill): no check before the window frees.
    assert 60.0 <= fake.requests_to("GET")[-1].at - began <= 65.0


def test_a_check_refused_over_and_over_with_no_wait_ends_with_the_platforms_error(
    serve: Serve, clock: TestClock
) -> None:
    """A proxy answering 429 with no wait on both endpoints is a platform failing, not a key
    being shared: the retries' budget, then the platform's error (exit 3), not a loop until
    the timeout."""
    fake = serve(QualigateFake([RunScript(duration=100.0)]))
    client = client_for(
        fake, QualigateProvider.auth_headers(API_KEY), sleep=clock.sleep, clock=clock
    )
    qualigate = provider(fake, test_case=TEST_CASE_ID, client=client)
    (run,) = start(qualigate)
    refused = Reply(429, {"error": "Too Many Requests", "message": "slow down"})
    for path in (TRIGGER, RESULTS):
        fake.inject(f"GET {path}", *[refused] * 50)
    with pytest.raises(PlatformError, match="refused each time, with no wait"):
        qualigate.poll([run])
    assert len(fake.requests_to("GET")) <= 2 * client.policy.attempts


@pytest.mark.parametrize("unfinished", ["rows", "absent", "404"])
def test_results_checks_never_end_a_run_early_whatever_results_shows_of_it(
    serve: Serve, clock: TestClock, unfinished: str
) -> None:
    _, qualigate, run = one_of_many_jobs(serve, clock, duration=20.0, results_unfinished=unfinished)
    clock.advance(4.0)
    (going,) = qualigate.poll([run])  # GET /trigger refused: /results answers
    clock.advance(30.0)
    (ended,) = qualigate.poll([going])
    assert not going.status.finished and going.progress is None
    assert ended.status is Status.PASSED


def test_when_both_endpoints_are_spent_qarun_waits_for_the_first_to_free(
    serve: Serve, clock: TestClock
) -> None:
    fake, qualigate, run = one_of_many_jobs(serve, clock, duration=1.0)
    clock.advance(20.0)
    spend(fake, RESULTS, {"test_run_ids": run.id}, clock)

    (run,) = qualigate.poll([run])

    # /trigger frees 40 s on, /results 60 s on: qarun waited for /trigger (none of the 30
    # requests that filled it in 20 s were its own: it came back within those 20 s).
    assert run.status is Status.PASSED
    assert waited_for_the_window(clock.slept, 40.0, filled=20.0)
    assert fake.requests_to("GET")[-1].path == TRIGGER


def test_a_hold_from_one_runs_429_keeps_the_jobs_other_checks_off_that_endpoint(
    serve: Serve, clock: TestClock
) -> None:
    fake = serve(QualigateFake([RunScript(duration=1.0)]))
    client = client_for(
        fake, QualigateProvider.auth_headers(API_KEY), sleep=clock.sleep, clock=clock
    )
    qualigate = provider(fake, test_case=TEST_CASE_ID, suite=SUITE_ID, client=client)
    suite_run, test_run = start(qualigate)
    spend(fake, TRIGGER, {"test_run_id": test_run.id}, clock)

    clock.advance(2.0)
    (test_run,) = qualigate.poll([test_run])  # 429 on GET /trigger: answered by /results
    (suite_run,) = qualigate.poll([suite_run])

    # The test run's 429 set a hold on GET /trigger: the suite's check waited it out
    # instead of asking again (and being refused again) during it.
    assert fake.refused == 1
    assert test_run.status.finished and suite_run.status.finished
    assert waited_for_the_window(clock.slept, 58.0, filled=2.0)


# --- the fake's own checks -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "exactly one of"),
        ({"test_suite_id": SUITE_ID, "test_case_id": TEST_CASE_ID}, 400, "exactly one of"),
        ({"test_suite_id": "abc"}, 400, "must be a valid UUID"),
        ({"test_suite_id": SUITE_ID, "viewportPreset": "watch"}, 400, "viewportPreset"),
        ({"test_suite_id": SUITE_ID, "viewportWidth": "1280"}, 400, "viewportWidth"),
        ({"test_suite_id": SUITE_ID, "context": {"pr_number": 42}}, 400, "context.pr_number"),
        ({"project_id": OTHER_SUITE}, 404, "Project not found"),
    ],
)
def test_the_fake_rejects_what_the_platform_would(
    serve: Serve, body: dict[str, Any], status: int, message: str
) -> None:
    fake = serve(QualigateFake())
    answer = requests.post(
        fake.url + TRIGGER, json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
    )
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "message"} and message in answer.json()["message"]


@pytest.mark.parametrize(
    ("path", "query"),
    [(TRIGGER, ""), (TRIGGER, "?test_run_id=a&suite_run_id=b"), (RESULTS, "")],
)
def test_the_fake_wants_exactly_one_query_parameter(serve: Serve, path: str, query: str) -> None:
    fake = serve(QualigateFake())
    answer = requests.get(
        fake.url + path + query, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "Bad Request"


@pytest.mark.parametrize("kind", ["passed", "failed", "mixed", "never"])
def test_scenarios_end_as_named(serve: Serve, clock: TestClock, kind: str) -> None:
    expected = {
        "passed": Status.PASSED,
        "failed": Status.FAILED,
        "mixed": Status.FAILED,
        "never": Status.RUNNING,
    }
    fake = serve(scenario(kind, duration=0.3))
    assert isinstance(fake, QualigateFake)
    qualigate = provider(fake)
    runs = start(qualigate)
    if kind == "never":
        clock.advance(0.4)
        runs = qualigate.poll(runs)
    else:
        runs = qualigate.complete(settle(qualigate, runs, clock))
        assert runs[0].name == SUITE_NAME
    assert [run.status for run in runs] == [expected[kind]]

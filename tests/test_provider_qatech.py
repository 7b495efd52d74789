"""QatechProvider against the fake QA.tech API over loopback: inputs, requests, statuses."""

from __future__ import annotations

from typing import Any

import pytest

from qarun.errors import (
    AuthError,
    InputProblem,
    MalformedAnswerError,
    NotFoundError,
    PlatformError,
    RerunRefusedError,
    TriggerUncertainError,
)
from qarun.git_context import GitContext
from qarun.inputs import Inputs
from qarun.model import Progress, Run, Status
from qarun.providers.base import TriggerSpec, merge_payload
from qarun.providers.qatech import QatechProvider
from qarun.providers.qatech_options import Environment, QatechOptions
from qarun.request import Request
from tests.conftest import Serve
from tests.fakes.base import Reply, RunScript, TestClock, TestScript
from tests.fakes.qatech import DASHBOARD, SCENARIO_PLAN, QatechFake, scenario
from tests.providers_util import CONTEXT, client_for, settle, start

# The fakes run on the test's clock: polling moves it on, nothing waits for real.
pytestmark = pytest.mark.usefixtures("clock")

KEY = "test-key-0123456789"
GITHUB_FIELDS = {
    "trigger": "GITHUB",
    "actor": CONTEXT.actor,
    "branch": CONTEXT.branch,
    "commitHash": CONTEXT.sha,
    "commitMessage": CONTEXT.commit_message,
    "repository": CONTEXT.repository,
}


def parse(**values: str) -> tuple[QatechOptions, list[InputProblem]]:
    """Options from inputs given as keywords (`environment_name` is `environment-name`)."""
    inputs = Inputs({name.replace("_", "-"): value for name, value in values.items()})
    return QatechProvider.parse_options(inputs), inputs.problems


def script(result: str = "passed", *tests: TestScript, **fields: Any) -> RunScript:
    fields.setdefault("duration", 0.3)
    fields.setdefault("queued_for", 0.1)
    return RunScript(result=result, tests=tests, **fields)


def provider_for(
    fake: QatechFake,
    *,
    attach_context: bool = True,
    context: GitContext = CONTEXT,
    key: str = KEY,
    **values: str,
) -> QatechProvider:
    options, problems = parse(**values)
    assert problems == []
    client = client_for(fake, QatechProvider.auth_headers(key))
    return QatechProvider(options, client, context, attach_context)


def finished_run(fake: QatechFake, suite: str = "", **values: str) -> tuple[QatechProvider, Run]:
    provider = provider_for(fake, suite=suite, **values)
    assert isinstance(fake.clock, TestClock), "the fake is served on the test's clock"
    (run,) = settle(provider, start(provider), fake.clock)
    return provider, run


# --- inputs ---------------------------------------------------------------------------------


def test_declares_the_inputs_only_qatech_takes() -> None:
    assert QatechProvider.inputs == {
        "suite",
        "project",
        "app",
        "devices",
        "environment",
        "environment-name",
        "rerun-failed",
    }


def test_parses_plans_apps_preview_environment_and_preset() -> None:
    options, problems = parse(
        suite="pln_abc123\npln-team_checkout, pln_def456",
        app="app_gXeBl2, app_abc123",
        environment="https://pr-42.preview.example.com",
        environment_name="PR-42",
        devices="preset_abc123",
    )
    assert problems == []
    assert options == QatechOptions(
        plans=("pln_abc123", "pln-team_checkout", "pln_def456"),
        apps=("app_gXeBl2", "app_abc123"),
        environment=Environment(url="https://pr-42.preview.example.com", name="PR-42"),
        device_preset="preset_abc123",
    )


def test_empty_inputs_run_the_default_plan() -> None:
    assert parse() == (QatechOptions(), [])


def test_parses_an_existing_environment_short_id() -> None:
    options, problems = parse(app="app_gXeBl2", environment="env_aB3xY9")
    assert problems == []
    assert options.environment == Environment(short_id="env_aB3xY9")


@pytest.mark.parametrize(
    ("values", "name", "hint"),
    [
        ({"suite": "jgbinp"}, "suite", "`pln_abc123`"),
        ({"suite": "pln_"}, "suite", "`pln_abc123`"),
        ({"suite": "plan_abc"}, "suite", "`pln_abc123`"),
        ({"suite": "pln_abc pln_def"}, "suite", "separate lines"),
        ({"suite": "pln_abc, pln_abc"}, "suite", "listed twice"),
        ({"app": "gXeBl2"}, "app", "`app_gXeBl2`"),
        ({"app": "app_x", "devices": "pixel 8 @ 14"}, "devices", "`preset_abc123`"),
        ({"app": "app_x", "devices": "preset_a\npreset_b"}, "devices", "one device preset"),
        ({"devices": "preset_abc123"}, "devices", "`app: app_gXeBl2`"),
        ({"environment": "env_aB3xY9"}, "environment", "`app: app_gXeBl2`"),
        ({"app": "app_x", "environment": "staging"}, "environment", "`env_aB3xY9`"),
        ({"app": "app_x", "environment": "ftp://pr-42.example.com"}, "environment", "https://"),
        (
            {"app": "app_x", "environment": "env_aB3xY9", "environment_name": "PR-42"},
            "environment-name",
            "remove `environment-name`",
        ),
        ({"environment_name": "PR-42"}, "environment-name", "`environment: https://"),
    ],
)
def test_each_wrong_input_is_a_problem_naming_it(
    values: dict[str, str], name: str, hint: str
) -> None:
    _, problems = parse(**values)
    assert [problem.input for problem in problems] == [name]
    assert hint in problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    _, problems = parse(suite="abc", app="gXe", devices="preset_a", environment="nowhere")
    # A malformed `app` is one problem: `devices` and `environment` do not also ask for one.
    assert sorted(problem.input for problem in problems) == ["app", "environment", "suite"]


# --- the trigger requests -------------------------------------------------------------------


def test_default_plan_request_carries_the_commit(serve: Serve) -> None:
    provider = provider_for(serve(QatechFake(default=script())))
    (spec,) = provider.plan()
    assert (spec.request.method, spec.request.path) == ("POST", "/run")
    assert spec.request.body == GITHUB_FIELDS
    assert spec.label == "the project's default test plan"


def test_without_attach_context_the_trigger_is_api_and_bare(
    serve: Serve,
) -> None:
    provider = provider_for(serve(QatechFake(default=script())), attach_context=False)
    assert [spec.request.body for spec in provider.plan()] == [{"trigger": "API"}]


def test_outside_github_actions_the_trigger_is_api_without_commit_fields(serve: Serve) -> None:
    context = GitContext(repository="octo/shop", sha="a1b2c3d", source="gitlab-ci")
    provider = provider_for(serve(QatechFake(default=script())), context=context)
    assert provider.plan()[0].request.body == {"trigger": "API"}


def test_unknown_commit_fields_are_left_out(serve: Serve) -> None:
    context = GitContext(repository="octo/shop", sha="a1b2c3d", source="github-actions")
    provider = provider_for(serve(QatechFake(default=script())), context=context)
    assert provider.plan()[0].request.body == {
        "trigger": "GITHUB",
        "commitHash": "a1b2c3d",
        "repository": "octo/shop",
    }


def test_one_request_per_plan_with_every_application(
    serve: Serve,
) -> None:
    provider = provider_for(
        serve(QatechFake(default=script())),
        suite="pln_abc123, pln_def456",
        app="app_gXeBl2\napp_abc123",
        environment="https://pr-42.preview.example.com",
        environment_name="PR-42",
        devices="preset_abc123",
    )
    application = {
        "environment": {"url": "https://pr-42.preview.example.com", "name": "PR-42"},
        "devicePresetShortId": "preset_abc123",
    }
    expected_apps = [
        {"applicationShortId": "app_gXeBl2", **application},
        {"applicationShortId": "app_abc123", **application},
    ]
    specs = provider.plan()
    assert [spec.request.body for spec in specs] == [
        {**GITHUB_FIELDS, "testPlanShortId": plan, "applications": expected_apps}
        for plan in ("pln_abc123", "pln_def456")
    ]
    assert [spec.label for spec in specs] == ["test plan pln_abc123", "test plan pln_def456"]
    assert {spec.device for spec in specs} == {"preset_abc123"}


def test_existing_environment_is_sent_by_short_id(
    serve: Serve,
) -> None:
    provider = provider_for(
        serve(QatechFake(default=script())), app="app_gXeBl2", environment="env_aB3xY9"
    )
    assert (provider.plan()[0].request.body or {})["applications"] == [
        {"applicationShortId": "app_gXeBl2", "environment": {"shortId": "env_aB3xY9"}}
    ]


# --- triggering -----------------------------------------------------------------------------


def test_trigger_sends_the_planned_body_and_returns_a_queued_run(
    serve: Serve,
) -> None:
    fake = serve(QatechFake({"pln_abc123": script(name="API Integration Tests")}))
    provider = provider_for(fake, suite="pln_abc123", app="app_gXeBl2", devices="preset_abc123")
    (spec,) = provider.plan()
    (run,) = provider.trigger(spec)

    (sent,) = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/run")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body == spec.request.body
    started = fake.runs[run.id]
    assert started.plan == "pln_abc123"
    assert run.name == "API Integration Tests"
    assert run.url == DASHBOARD + run.id
    assert run.status is Status.QUEUED
    assert run.device == "preset_abc123"
    assert run.attempt == 1


def test_several_plans_start_several_runs(serve: Serve) -> None:
    fake = serve(QatechFake({"pln_a_1": script(name="Smoke"), "pln_b_2": script(name="Full")}))
    runs = start(provider_for(fake, suite="pln_a_1, pln_b_2"))
    assert [run.name for run in runs] == ["Smoke", "Full"]
    assert len({run.id for run in runs}) == 2


@pytest.mark.parametrize(
    ("started", "suite", "name"),
    [
        ({"shortId": "abc123", "testCount": 5}, "", "Default test plan"),
        ({"shortId": "abc123", "testPlan": None}, "pln_abc123", "pln_abc123"),
        ({"shortId": "abc123", "testPlan": {"shortId": "pln_xyz789"}}, "", "pln_xyz789"),
    ],
)
def test_run_name_falls_back_when_the_plan_has_no_name(
    serve: Serve, started: dict[str, Any], suite: str, name: str
) -> None:
    fake = serve(QatechFake(default=script()))
    fake.inject("POST /v1/run", Reply(200, {"success": True, "run": started}))
    (run,) = start(provider_for(fake, suite=suite))
    assert (run.id, run.name, run.url) == ("abc123", name, None)


@pytest.mark.parametrize(
    ("fake", "key", "expected"),
    [
        (QatechFake(default=script()), "wrong-key", (AuthError, 401, "invalid API key")),
        (QatechFake(default=script(), suspended=True), KEY, (AuthError, 403, "suspended")),
        (
            QatechFake(default=script(), usage_limit_reached=True),
            KEY,
            (PlatformError, 402, "usage limit"),
        ),
        (QatechFake({"pln_known": script()}), KEY, (NotFoundError, 404, "Test plan not found")),
    ],
    ids=["bad-key", "suspended", "usage-limit", "unknown-default-plan"],
)
def test_trigger_failures_carry_the_platform_message(
    serve: Serve,
    fake: QatechFake,
    key: str,
    expected: tuple[type[PlatformError], int, str],
) -> None:
    error, code, words = expected
    provider = provider_for(serve(fake), key=key)
    with pytest.raises(error) as raised:
        start(provider)
    assert raised.value.status_code == code
    assert words in str(raised.value)
    assert len(fake.requests) == 1


def test_unknown_plan_is_not_found(serve: Serve) -> None:
    fake = serve(QatechFake({"pln_known": script()}))
    with pytest.raises(NotFoundError, match="pln_other"):
        start(provider_for(fake, suite="pln_other"))


def test_an_invalid_payload_is_refused_with_the_platform_message(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script()))
    provider = provider_for(fake)
    (spec,) = provider.plan()
    body = merge_payload(spec.request.body or {}, {"notifications": []})
    request = Request("POST", "/run", body=body, what=spec.label)
    with pytest.raises(PlatformError, match="at least 1 element") as raised:
        provider.trigger(TriggerSpec(request=request, label=spec.label))
    assert raised.value.status_code == 400


def test_a_trigger_is_not_sent_twice_after_a_server_error(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script()))
    fake.inject("POST /v1/run", Reply(500, {"message": "Internal server error"}))
    with pytest.raises(TriggerUncertainError, match="Internal server error"):
        start(provider_for(fake))
    assert len(fake.requests_to("POST")) == 1


def test_a_trigger_is_sent_again_after_503(serve: Serve) -> None:
    fake = serve(QatechFake(default=script()))
    fake.inject("POST /v1/run", Reply(503, {"message": "Service unavailable"}))
    (run,) = start(provider_for(fake))
    assert run.id in fake.runs
    assert len(fake.requests_to("POST")) == 2


@pytest.mark.parametrize(
    "answer",
    [[], {"success": True}, {"success": True, "run": {"url": "https://x"}}, {"run": "abc123"}],
)
def test_a_malformed_start_answer_is_reported(serve: Serve, answer: Any) -> None:
    fake = serve(QatechFake(default=script()))
    fake.inject("POST /v1/run", Reply(200, answer))
    with pytest.raises(MalformedAnswerError):
        start(provider_for(fake))


# --- polling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "status", "words"),
    [
        ("passed", Status.PASSED, "COMPLETED/PASSED"),
        ("failed", Status.FAILED, "COMPLETED/FAILED"),
        ("skipped", Status.SKIPPED, "COMPLETED/SKIPPED"),
        ("error", Status.ERROR, "ERROR"),
        ("canceled", Status.CANCELED, "CANCELLED"),
        ("COMPLETED/", Status.ERROR, "COMPLETED"),
        ("COMPLETED/INCONCLUSIVE", Status.ERROR, "COMPLETED/INCONCLUSIVE"),
    ],
)
def test_polls_each_outcome_to_its_status(
    serve: Serve, result: str, status: Status, words: str
) -> None:
    _, run = finished_run(serve(QatechFake(default=script(result))))
    assert (run.status, run.provider_status) == (status, words)


def test_a_run_is_queued_then_running(clock: TestClock, serve: Serve) -> None:
    fake = serve(QatechFake(default=script(duration=1.0, queued_for=0.3)))
    provider = provider_for(fake)
    runs = start(provider)
    (queued,) = provider.poll(runs)
    assert (queued.status, queued.provider_status) == (Status.QUEUED, "INITIATED")
    clock.advance(0.35)
    (running,) = provider.poll(runs)
    assert (running.status, running.provider_status) == (Status.RUNNING, "RUNNING")


def test_completed_without_a_result_says_so(serve: Serve) -> None:
    _, run = finished_run(serve(QatechFake(default=script("COMPLETED/"))))
    assert run.message is not None
    assert "COMPLETED" in run.message


def test_an_unknown_status_word_is_kept_and_the_run_keeps_running(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script("PAUSED", duration=0.1, queued_for=0.0)))
    provider = provider_for(fake)
    runs = start(provider)
    clock.advance(0.15)
    (run,) = provider.poll(runs)
    assert (run.status, run.provider_status) == (Status.RUNNING, "PAUSED")


def test_an_unknown_status_word_with_a_result_ends_the_run(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script()))
    provider = provider_for(fake)
    runs = start(provider)
    fake.inject("GET /v1/run/", Reply(200, {"status": "ARCHIVED", "result": "FAILED"}))
    (run,) = provider.poll(runs)
    assert (run.status, run.provider_status) == (Status.FAILED, "ARCHIVED/FAILED")


def test_a_poll_costs_one_request_per_run(serve: Serve) -> None:
    plans = {f"pln_{n}": script(duration=2.0) for n in "abc"}
    fake = serve(QatechFake(plans))
    provider = provider_for(fake, suite="pln_a, pln_b, pln_c")
    runs = start(provider)
    before = len(fake.requests)
    polled = provider.poll(runs)
    gets = fake.requests[before:]
    assert [run.id for run in polled] == [run.id for run in runs]
    assert [(r.method, r.path, r.query) for r in gets] == [
        ("GET", f"/v1/run/{run.id}", {}) for run in runs
    ]


def test_a_poll_keeps_the_dashboard_link_and_name(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script(name="Nightly")))
    provider = provider_for(fake)
    runs = start(provider)
    (run,) = provider.poll(runs)
    assert (run.id, run.name, run.url) == (runs[0].id, "Nightly", DASHBOARD + runs[0].id)


def test_progress_counts_finished_test_cases(clock: TestClock, serve: Serve) -> None:
    cases = [TestScript(f"Case {n}") for n in range(4)]
    fake = serve(QatechFake(default=script("passed", *cases, duration=0.9), status_cases="all"))
    provider = provider_for(fake)
    runs = start(provider)
    assert runs[0].progress == Progress(0, 4)
    seen: list[Progress] = []
    while not runs[0].finished:
        clock.advance(0.05)
        runs = provider.poll(runs)
        assert runs[0].progress is not None
        seen.append(runs[0].progress)
    done = [progress.done for progress in seen]
    assert done == sorted(done)
    assert any(0 < n < 4 for n in done)
    assert seen[-1] == Progress(4, 4)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"result": "PASSED"}),
        Reply(200, {"status": 3}),
        Reply(200, ["COMPLETED"]),
        Reply(200, {"status": "RUNNING", "runTestCases": "none"}),
    ],
)
def test_a_malformed_status_answer_is_reported(serve: Serve, reply: Reply) -> None:
    fake = serve(QatechFake(default=script()))
    provider = provider_for(fake)
    runs = start(provider)
    fake.inject("GET /v1/run/", reply)
    with pytest.raises(MalformedAnswerError):
        provider.poll(runs)


def test_a_poll_is_retried_after_a_server_error(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script(duration=2.0)))
    provider = provider_for(fake)
    runs = start(provider)
    fake.inject("GET /v1/run/", Reply(502, {"message": "Bad gateway"}))
    (run,) = provider.poll(runs)
    assert run.status in (Status.QUEUED, Status.RUNNING)
    assert len(fake.requests_to("GET")) == 2


# --- complete(): test cases -----------------------------------------------------------------


def test_complete_adds_each_test_case_with_one_request_per_run(
    serve: Serve,
) -> None:
    fake = serve(scenario("mixed", duration=0.3))
    provider, run = finished_run(fake)
    before = len(fake.requests)
    (done,) = provider.complete([run])

    (sent,) = fake.requests[before:]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        f"/v1/run/{run.id}",
        {"testCases": ["all"]},
    )
    assert [(t.name, t.status, t.provider_status, t.message) for t in done.tests] == [
        ("Login flow", Status.PASSED, "COMPLETED/PASSED", None),
        (
            "Checkout with saved card",
            Status.FAILED,
            "COMPLETED/FAILED",
            "Payment form did not load",
        ),
        ("Wishlist sharing", Status.SKIPPED, "COMPLETED/SKIPPED", None),
    ]
    assert len({test.id for test in done.tests}) == 3
    assert done.status is Status.FAILED
    assert done.message == "Payment form did not load"
    assert (done.counts().total, done.counts().passed, done.counts().failed) == (3, 1, 1)
    assert done.url == run.url


def test_complete_falls_back_to_the_evaluation_thought(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script("failed")))
    provider, run = finished_run(fake)
    case = {
        "id": "c1",
        "shortId": "tc_1",
        "name": "Login flow",
        "status": "COMPLETED",
        "result": "FAILED",
        "resultTitle": None,
        "evaluationThought": "The login button never appeared.",
    }
    answer = {"status": "COMPLETED", "result": "FAILED", "runTestCases": [case]}
    fake.inject("GET /v1/run/", Reply(200, answer))
    (done,) = provider.complete([run])
    assert [(t.id, t.message) for t in done.tests] == [("tc_1", "The login button never appeared.")]
    assert done.message == "The login button never appeared."


def test_complete_leaves_unfinished_runs_alone(serve: Serve) -> None:
    fake = serve(scenario("never", duration=0.3))
    provider = provider_for(fake)
    runs = start(provider)
    before = len(fake.requests)
    assert provider.complete(runs) == runs
    assert len(fake.requests) == before


def test_complete_keeps_the_outcome_when_details_cannot_be_read(
    serve: Serve,
) -> None:
    fake = serve(QatechFake(default=script("failed")))
    provider, run = finished_run(fake)
    fake.inject("GET /v1/run/", Reply(404, {"message": "Run not found"}))
    (done,) = provider.complete([run])
    assert done.status is Status.FAILED
    assert done.tests == ()
    assert done.message is not None
    assert "Run not found" in done.message


def test_platform_text_is_kept_exactly(serve: Serve) -> None:
    hostile = "<script>alert('x')</script> | **bold** `tick`\n## heading & ünïcødé 🚀"
    fake = serve(
        QatechFake(default=script("failed", TestScript(hostile, "failed", hostile), name=hostile))
    )
    provider, run = finished_run(fake)
    (done,) = provider.complete([run])
    assert done.name == hostile
    assert [(t.name, t.message) for t in done.tests] == [(hostile, hostile)]


# --- rerun_failed() -------------------------------------------------------------------------


def test_rerun_starts_a_new_attempt_of_the_failed_cases(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = scenario("failed", duration=0.3)
    fake.reruns.append(script("passed"))
    serve(fake)
    provider, run = finished_run(fake, suite=SCENARIO_PLAN)
    before = len(fake.requests)
    rerun = provider.rerun_failed(run)

    (sent,) = fake.requests[before:]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        f"/v1/run/{run.id}",
        {"failedOnly": True},
    )
    assert rerun is not None
    assert rerun.id != run.id
    assert (rerun.name, rerun.url, rerun.status, rerun.attempt) == (
        run.name,
        DASHBOARD + rerun.id,
        Status.QUEUED,
        2,
    )
    (finished,) = provider.complete(settle(provider, [rerun], clock))
    assert finished.status is Status.PASSED
    assert [(t.name, t.status) for t in finished.tests] == [("Login flow", Status.PASSED)]


def test_a_second_rerun_counts_attempts(clock: TestClock, serve: Serve) -> None:
    fake = serve(scenario("failed", duration=0.3))
    provider, run = finished_run(fake)
    first = provider.rerun_failed(run)
    assert first is not None
    (first,) = settle(provider, [first], clock)
    assert first.status is Status.FAILED  # no rerun script: the failed case fails again
    second = provider.rerun_failed(first)
    assert second is not None
    assert second.attempt == 3


@pytest.mark.parametrize("message", ["No tests to rerun", "Something else entirely"])
def test_any_400_to_a_rerun_is_a_refusal_whatever_its_words(serve: Serve, message: str) -> None:
    fake = serve(scenario("failed", duration=0.3))
    provider, run = finished_run(fake)
    fake.inject(f"POST /v1/run/{run.id}", Reply(400, {"message": message}))
    with pytest.raises(RerunRefusedError, match=message):
        provider.rerun_failed(run)


def test_an_organization_key_sends_the_project_on_start_and_rerun(serve: Serve) -> None:
    fake = serve(scenario("failed", duration=0.3))
    provider, run = finished_run(fake, project="proj_shop1")
    provider.rerun_failed(run)
    start_body, rerun_body = (r.body for r in fake.requests if r.method == "POST")
    assert start_body["projectShortId"] == "proj_shop1"
    assert rerun_body == {"failedOnly": True, "projectShortId": "proj_shop1"}


def test_other_rerun_refusals_are_raised(serve: Serve) -> None:
    fake = serve(scenario("failed", duration=0.3))
    provider, run = finished_run(fake)
    fake.inject(f"POST /v1/run/{run.id}", Reply(402, {"message": "Usage limit reached"}))
    with pytest.raises(PlatformError, match="Usage limit reached"):
        provider.rerun_failed(run)


# --- the fake's standard scenarios -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "counts"),
    [
        ("passed", Status.PASSED, (2, 2, 0, 0)),
        ("failed", Status.FAILED, (2, 1, 1, 0)),
        ("mixed", Status.FAILED, (3, 1, 1, 1)),
    ],
)
def test_scenarios_end_as_named(
    serve: Serve, kind: str, status: Status, counts: tuple[int, ...]
) -> None:
    fake = serve(scenario(kind, duration=0.3))
    provider, run = finished_run(fake)
    (done,) = provider.complete([run])
    tally = done.counts()
    assert done.status is status
    assert (tally.total, tally.passed, tally.failed, tally.skipped) == counts

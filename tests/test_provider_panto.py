"""PantoProvider against the Panto fake over loopback: options, trigger, polling, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from qarun.errors import (
    AuthError,
    InputProblem,
    MalformedAnswerError,
    NotFoundError,
    PlatformError,
    TriggerUncertainError,
)
from qarun.http import HttpClient
from qarun.inputs import Inputs
from qarun.model import Progress, Status
from qarun.providers.panto import PantoProvider
from qarun.providers.panto_options import PantoDevice, PantoOptions
from qarun.request import Request
from tests.conftest import Serve
from tests.fakes.base import Reply, RunScript, TestClock
from tests.fakes.panto import BY_TRIGGER_PREFIX, RUN_PREFIX, TRIGGER_PATH, PantoFake, scenario
from tests.providers_util import CONTEXT, client_for, settle, start

# The fakes run on the test's clock: polling moves it on, nothing waits for real.
pytestmark = pytest.mark.usefixtures("clock")

BASE_INPUTS = {"app": "app_01", "tags": "suite: smoke", "devices": "android: Pixel 8 @ 14"}


# --- factories ------------------------------------------------------------------------


def given(**overrides: str) -> Inputs:
    """BASE_INPUTS with overrides (`exclude_tags` → `exclude-tags`; "" removes an input)."""
    values = {**BASE_INPUTS, **{key.replace("_", "-"): v for key, v in overrides.items()}}
    return Inputs({key: value for key, value in values.items() if value})


def options(**overrides: str) -> PantoOptions:
    inputs = given(**overrides)
    parsed = PantoProvider.parse_options(inputs)
    assert inputs.problems == []
    return parsed


def problems(**overrides: str) -> list[InputProblem]:
    inputs = given(**overrides)
    PantoProvider.parse_options(inputs)
    return inputs.problems


def provider_for(fake: PantoFake, *, api_key: str | None = None, **overrides: str) -> PantoProvider:
    client = client_for(fake, PantoProvider.auth_headers(api_key or fake.api_key))
    return PantoProvider(options=options(**overrides), client=client, context=CONTEXT)


# --- options ------------------------------------------------------------------------------


def test_lines_form_parses_tags_devices_and_names() -> None:
    parsed = options(
        tags="suite: smoke, checkout\nteam: payments\nsuite: nightly",
        devices="android: Pixel 8 @ 14\niPhone 13 @ 16.0",
        environment="staging",
        context="logged-in user",
    )

    assert parsed == PantoOptions(
        app_id="app_01",
        selector="include",
        tags={"suite": ("smoke", "checkout", "nightly"), "team": ("payments",)},
        devices=(PantoDevice("pixel 8", "14", "android"), PantoDevice("iphone 13", "16.0")),
        environment="staging",
        context="logged-in user",
    )


def test_json_forms_parse_like_the_lines_form() -> None:
    parsed = options(
        tags="",
        exclude_tags='{"suite": ["flaky"], "_$NAME": ["Login smoke"]}',
        devices='[{"device_name": "Pixel 8", "platform_version": "14", "platform": "Android"},'
        ' {"device_name": "iPhone 13", "platform_version": "16.0"}]',
    )

    assert parsed.selector == "exclude"
    assert parsed.tags == {"suite": ("flaky",), "_$NAME": ("Login smoke",)}
    assert parsed.devices == (
        PantoDevice("pixel 8", "14", "android"),
        PantoDevice("iphone 13", "16.0"),
    )


def test_comma_separated_devices_are_a_list() -> None:
    assert [d.label for d in options(devices="pixel 8 @ 14, ios: iPhone 13 @ 16.0").devices] == [
        "pixel 8 / 14",
        "iphone 13 / ios 16.0",
    ]


@pytest.mark.parametrize(
    ("overrides", "input_name", "words"),
    [
        ({"app": ""}, "app", "is required"),
        ({"app": "app_01, app_02"}, "app", "not one build file id"),
        ({"tags": ""}, "tags", "is required"),
        ({"exclude_tags": "suite: flaky"}, "exclude-tags", "not both"),
        ({"tags": "suite smoke"}, "tags", "is not `name: value1, value2`"),
        ({"tags": ": smoke"}, "tags", "is not `name: value1, value2`"),
        ({"tags": "suite:"}, "tags", "tag `suite` has no values"),
        ({"tags": "- team: checkout"}, "tags", "like a YAML list item"),
        ({"tags": "{}"}, "tags", "at least one tag"),
        ({"tags": '{"suite": "smoke"}'}, "tags", "must map to a list"),
        ({"tags": '{"suite": []}'}, "tags", "must map to a list"),
        ({"tags": '{"suite": [1]}'}, "tags", "must map to a list"),
        ({"tags": '{"include": {"suite": ["smoke"]}}'}, "tags", "must map to a list"),
        ({"tags": '{"suite": ['}, "tags", "is not valid JSON"),
        ({"tags": "", "exclude_tags": "suite: "}, "exclude-tags", "no values"),
        ({"devices": ""}, "devices", "is required"),
        ({"devices": "Pixel 8"}, "devices", "`Pixel 8` is not `Device Name @ platform-version`"),
        ({"devices": "Pixel 8 @"}, "devices", "is not `Device Name @ platform-version`"),
        ({"devices": "@ 14"}, "devices", "is not `Device Name @ platform-version`"),
        ({"devices": "android: pixel: 8 @ 14"}, "devices", "is not `Device Name"),
        ({"devices": "[]"}, "devices", "at least one device"),
        ({"devices": '["pixel 8 @ 14"]'}, "devices", "device 1 is not an object"),
        ({"devices": '[{"device_name": "pixel 8"}]'}, "devices", "needs `device_name` and"),
        (
            {"devices": '[{"device_name": "pixel 8", "platform_version": 14}]'},
            "devices",
            "as strings",
        ),
        (
            {"devices": '[{"deviceName": "pixel 8", "platform_version": "14"}]'},
            "devices",
            "unknown key(s) `deviceName`",
        ),
        (
            {"devices": '[{"device_name": "a", "platform_version": "1", "platform": ""}]'},
            "devices",
            "`platform` that is not a name",
        ),
        ({"environment": "staging\nprod"}, "environment", "one name"),
        ({"context": "a\nb"}, "context", "one name"),
    ],
)
def test_each_wrong_input_is_a_problem_naming_it_with_an_example(
    overrides: dict[str, str], input_name: str, words: str
) -> None:
    found = problems(**overrides)

    assert [problem.input for problem in found] == [input_name]
    assert words in found[0].message
    assert "e.g." in found[0].message or "write" in found[0].message


@pytest.mark.parametrize(
    "overrides", [{"exclude_tags": "suite: flaky"}, {"tags": "suite smoke"}, {"devices": "x"}]
)
def test_the_examples_a_message_suggests_parse_as_yaml_when_pasted(
    overrides: dict[str, str],
) -> None:
    (problem,) = problems(**overrides)
    pastes = [
        example if re.match(r"[a-z-]+: ", example) else f"{problem.input}: {example}"
        for example in re.findall(r"`([^`]+)`", problem.message)
        if example.startswith("'") or re.match(r"(tags|exclude-tags|devices): ", example)
    ]
    assert pastes, problem.message
    for pasted in pastes:
        parsed = yaml.safe_load(pasted)
        assert isinstance(parsed, dict), pasted
        assert all(isinstance(value, str) for value in parsed.values()), pasted


def test_every_problem_is_reported_at_once() -> None:
    found = problems(app="", tags="oops", devices="Pixel 8")

    assert sorted(problem.input for problem in found) == ["app", "devices", "tags"]


# --- the trigger -----------------------------------------------------------------------


def test_plan_is_the_documented_suite_trigger_without_pr_context() -> None:
    provider = PantoProvider(
        options=options(
            devices="android: Pixel 8 @ 14\niPhone 13 @ 16.0",
            environment="staging",
            context="logged-in-user",
        ),
        client=HttpClient(base_url="http://127.0.0.1:9", headers={}),
        context=CONTEXT,
        attach_context=True,
    )

    (spec,) = provider.plan()

    assert (spec.request.method, spec.request.path) == ("POST", TRIGGER_PATH)
    assert spec.request.body == {
        "app_id": "app_01",
        "tags": {"include": {"suite": ["smoke"]}},
        "devices": [
            {"device_name": "pixel 8", "platform_version": "14", "platform": "android"},
            {"device_name": "iphone 13", "platform_version": "16.0"},
        ],
        "env_name": "staging",
        "context_name": "logged-in-user",
    }
    assert spec.label == "test suites tagged suite: smoke"
    assert spec.device == "pixel 8 / android 14, iphone 13 / 16.0"


def test_exclude_selector_is_sent_under_exclude_only(serve: Serve) -> None:
    fake = serve(PantoFake())

    start(provider_for(fake, tags="", exclude_tags="suite: flaky, slow"))

    (sent,) = fake.requests_to("POST", TRIGGER_PATH)
    assert sent.body["tags"] == {"exclude": {"suite": ["flaky", "slow"]}}
    assert set(sent.body) == {"app_id", "tags", "devices"}


def test_trigger_sends_the_plan_with_the_key_and_nothing_else(
    serve: Serve,
) -> None:
    fake = serve(PantoFake([RunScript("Checkout regression", queued_for=5, duration=6)]))
    provider = provider_for(fake)

    runs = start(provider)

    (sent,) = fake.requests_to("POST", TRIGGER_PATH)
    assert sent.body == provider.plan()[0].request.body
    assert sent.headers["x-panto-api-key"] == fake.api_key
    assert sent.headers["content-type"] == "application/json"
    assert [(r.id, r.status, r.device, r.url) for r in runs] == [
        ("testrun_01", Status.QUEUED, "pixel 8 / android 14", None)
    ]
    # `wait: false` must send the trigger alone: the trigger id is read at the first poll.
    assert [r.path for r in fake.requests] == [TRIGGER_PATH]


def test_the_first_poll_finds_the_trigger_id_then_reads_every_run_in_one_listing(
    serve: Serve,
) -> None:
    fake = serve(PantoFake([RunScript("Checkout"), RunScript("Login"), RunScript("Search")]))
    provider = provider_for(fake)

    runs = provider.poll(start(provider))

    assert [(r.id, r.name) for r in runs] == [
        ("testrun_01", "Checkout"),
        ("testrun_02", "Login"),
        ("testrun_03", "Search"),
    ]
    assert [r.path for r in fake.requests] == [
        TRIGGER_PATH,
        RUN_PREFIX + "testrun_01",
        BY_TRIGGER_PREFIX + "trigger_01",
    ]


def test_trigger_is_not_sent_again_after_a_server_error(serve: Serve) -> None:
    fake = serve(PantoFake())
    fake.inject(f"POST {TRIGGER_PATH}", Reply(500, {"detail": "Internal Server Error"}))

    with pytest.raises(TriggerUncertainError):
        start(provider_for(fake))

    assert len(fake.requests_to("POST", TRIGGER_PATH)) == 1


@pytest.mark.parametrize(
    ("fake_kwargs", "overrides", "error", "words"),
    [
        ({"builds": ["app_02"]}, {}, NotFoundError, ["Build file not found", "Check `app`"]),
        (
            {"environments": ["prod"]},
            {"environment": "staging"},
            NotFoundError,
            ["Environment not found", "Check `environment`"],
        ),
        (
            {"contexts": []},
            {"context": "guest"},
            NotFoundError,
            ["Context not found", "Check `context`"],
        ),
        (
            {"runs": []},
            {},
            PlatformError,
            ["HTTP 400", "No test suites found matching the provided tags", "Check `tags`"],
        ),
    ],
)
def test_trigger_errors_carry_panto_words_and_the_input_to_check(
    serve: Serve,
    fake_kwargs: dict[str, Any],
    overrides: dict[str, str],
    error: type[Exception],
    words: list[str],
) -> None:
    fake = serve(PantoFake(**fake_kwargs))

    with pytest.raises(error) as caught:
        start(provider_for(fake, **overrides))

    for word in words:
        assert word in str(caught.value)


def test_a_wrong_key_is_an_auth_error_with_panto_words(serve: Serve) -> None:
    fake = serve(PantoFake())

    with pytest.raises(AuthError, match="HTTP 401: Invalid or expired API key"):
        start(provider_for(fake, api_key="another-key-000"))

    assert fake.runs == {}


def test_an_empty_run_list_says_nothing_matched_the_tags(serve: Serve) -> None:
    fake = serve(PantoFake())
    fake.inject(
        f"POST {TRIGGER_PATH}",
        Reply(200, {"message": "Triggered 0 test suite(s) matched.", "test_runs": []}),
    )

    with pytest.raises(PlatformError, match="started no test run") as caught:
        start(provider_for(fake))

    assert "Triggered 0 test suite(s) matched." in str(caught.value)
    assert "`tags`" in str(caught.value)


def test_the_fake_rejects_bodies_the_documents_call_invalid(
    serve: Serve,
) -> None:
    fake = serve(PantoFake())
    provider = provider_for(fake)
    (spec,) = provider.plan()
    both = {**spec.request.body, "tags": {"include": {"a": ["b"]}, "exclude_tags": {"c": ["d"]}}}
    no_version = {**spec.request.body, "devices": [{"device_name": "pixel 8"}]}

    for body, words in [(both, "tags: Value error"), (no_version, "platform_version: Field")]:
        with pytest.raises(PlatformError, match="HTTP 422") as caught:
            provider.client.send(Request("POST", TRIGGER_PATH, body))
        assert words in str(caught.value)


# --- polling ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "statuses", "words"),
    [
        ("passed", [Status.PASSED, Status.PASSED], ["passed", "passed"]),
        ("failed", [Status.FAILED], ["failed"]),
        ("mixed", [Status.PASSED, Status.FAILED], ["passed", "failed"]),
    ],
)
def test_scenarios_poll_to_their_outcome(
    clock: TestClock, serve: Serve, kind: str, statuses: list[Status], words: list[str]
) -> None:
    fake = serve(scenario(kind, duration=0.3))
    provider = provider_for(fake)

    runs = settle(provider, start(provider), clock)

    assert [run.status for run in runs] == statuses
    assert [run.provider_status for run in runs] == words
    assert all(run.seconds is not None and run.finished_at is not None for run in runs)


def test_a_failed_run_carries_the_remark_and_a_hostile_name_unchanged(
    clock: TestClock,
    serve: Serve,
) -> None:
    name = "<script>alert(1)</script> | `rm -rf` ::error::x\n@here"
    fake = serve(PantoFake([RunScript(name, "failed", 0.2, message="Login **button** missing")]))
    provider = provider_for(fake)

    (run,) = settle(provider, start(provider), clock)

    assert (run.name, run.status, run.message) == (name, Status.FAILED, "Login **button** missing")


def test_never_ending_runs_stay_running(clock: TestClock, serve: Serve) -> None:
    fake = serve(scenario("never"))
    provider = provider_for(fake)
    runs = start(provider)

    clock.advance(0.2)
    for _ in range(3):
        runs = provider.poll(runs)

    assert [(r.status, r.provider_status) for r in runs] == [(Status.RUNNING, "in_process")]


def test_queued_until_started_then_running_with_trigger_progress(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(
        PantoFake(
            [
                RunScript("Quick", duration=0.3, queued_for=0.15),
                RunScript("Slow", duration=30, queued_for=3),
            ]
        )
    )
    provider = provider_for(fake)

    queued = start(provider)
    clock.advance(0.35)
    later = provider.poll(queued)

    assert [run.status for run in queued] == [Status.QUEUED, Status.QUEUED]
    # Quick's own word says passed, but a run ends with its trigger: it waits for the aggregate.
    assert [run.status for run in later] == [Status.RUNNING, Status.QUEUED]
    assert later[0].provider_status == "passed"
    assert later[1].started_at is None
    assert later[1].progress == Progress(done=1, total=2)


def test_one_poll_costs_one_request_whatever_the_number_of_runs(
    serve: Serve,
) -> None:
    fake = serve(PantoFake([RunScript(f"Suite {n}", "never") for n in range(5)]))
    provider = provider_for(fake)
    runs = provider.poll(start(provider))  # the first poll also reads the trigger id
    before = len(fake.requests)

    polled = provider.poll(runs)

    assert [r.id for r in polled] == [r.id for r in runs]
    assert [r.path for r in fake.requests[before:]] == [BY_TRIGGER_PREFIX + "trigger_01"]


@pytest.mark.parametrize(
    ("result", "end_unknown", "status"),
    [
        # No end time: the trigger is in process, the run waits.
        ("paused_by_ops", False, Status.RUNNING),
        # Ended: the aggregate (`failed`: every run failed) gives the outcome.
        ("paused_by_ops", True, Status.FAILED),
        # A plain word qarun reads, beside the aggregate that counts it as a failure.
        ("error", False, Status.ERROR),
        ("canceled", False, Status.FAILED),
    ],
)
def test_words_panto_does_not_document_are_kept_and_take_the_aggregates_outcome(
    clock: TestClock, serve: Serve, result: str, end_unknown: bool, status: Status
) -> None:
    fake = serve(PantoFake([RunScript("Odd", result, 0.1)], end_unknown=end_unknown))
    provider = provider_for(fake)
    runs = start(provider)
    clock.advance(0.2)

    (run,) = provider.poll(runs)

    assert (run.status, run.provider_status) == (status, result)


def test_a_partly_passed_trigger_ends_a_run_without_an_outcome_as_error(
    clock: TestClock,
    serve: Serve,
) -> None:
    fake = serve(PantoFake([RunScript("A", duration=0.1), RunScript("B", "never")]))
    provider = provider_for(fake)
    runs = start(provider)
    clock.advance(0.2)
    listed = [fake.run_object(run) for run in fake.runs.values()]
    fake.inject(
        f"GET {BY_TRIGGER_PREFIX}", Reply(200, {"test_runs": listed, "status": "partially_passed"})
    )

    polled = provider.poll(runs)

    assert [(r.status, r.provider_status) for r in polled] == [
        (Status.PASSED, "passed"),
        (Status.ERROR, "in_process"),
    ]
    assert "though the trigger has ended" in (polled[1].message or "")
    assert {r.platform_verdict for r in polled} == {Status.FAILED}


@pytest.mark.parametrize(
    ("route", "reply", "words"),
    [
        (f"POST {TRIGGER_PATH}", Reply(200, {"message": "ok"}), "no `test_runs` list of run ids"),
        (f"POST {TRIGGER_PATH}", Reply(200, ["testrun_01"]), "not a JSON object"),
        (f"GET {RUN_PREFIX}", Reply(200, {"test_run": {"id": "testrun_01"}}), "no `trigger_id`"),
        (f"GET {RUN_PREFIX}", Reply(200, {"id": "testrun_01"}), "not a JSON object"),
        (f"GET {RUN_PREFIX}", Reply(200, {"test_run": {"runner_status": "x"}}), "without an `id`"),
    ],
)
def test_malformed_trigger_answers_are_clear_errors(
    serve: Serve, route: str, reply: Reply, words: str
) -> None:
    fake = serve(PantoFake())
    fake.inject(route, reply)
    provider = provider_for(fake)

    with pytest.raises(MalformedAnswerError, match=words):
        provider.poll(start(provider))


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(200, {"status": "passed"}), "no `test_runs` list"),
        (Reply(200, {"test_runs": ["testrun_01"], "status": "passed"}), "not a JSON object"),
        (Reply(200, {"test_runs": [{"status": "passed"}]}), "without an `id`"),
    ],
)
def test_malformed_listings_are_clear_errors(serve: Serve, reply: Reply, words: str) -> None:
    fake = serve(PantoFake())
    provider = provider_for(fake)
    runs = start(provider)
    fake.inject(f"GET {BY_TRIGGER_PREFIX}", reply)

    with pytest.raises(MalformedAnswerError, match=words):
        provider.poll(runs)


def test_sparse_run_objects_fall_back_to_defaults(serve: Serve) -> None:
    fake = serve(PantoFake([RunScript("A", "never")]))
    provider = provider_for(fake)
    runs = start(provider)
    sparse = {"id": "testrun_01", "runner_status": "passed", "target_device_list": "pixel"}
    fake.inject(f"GET {BY_TRIGGER_PREFIX}", Reply(200, {"test_runs": [sparse], "status": 7}))

    (run,) = provider.poll(runs)

    # No end time and no aggregate word Panto documents: the trigger has not ended.
    assert (run.name, run.status, run.device, run.seconds) == (
        "test run testrun_01",
        Status.QUEUED,
        "pixel 8 / android 14",
        None,
    )


ENDED = "2026-05-21T10:33:00Z"


@pytest.mark.parametrize(
    ("listed", "aggregate", "status"),
    [
        ({"runner_status": "in_process", "runner_end_timestamp": ENDED}, "in_process", "running"),
        ({"runner_status": "in_process", "runner_end_timestamp": ENDED}, "failed", "failed"),
        (None, "in_process", "queued"),  # not listed yet: stays as the trigger left it
        (None, "passed", "error"),
    ],
)
def test_listings_that_disagree_with_themselves_settle_only_once_the_trigger_is_over(
    serve: Serve, listed: dict[str, Any] | None, aggregate: str, status: str
) -> None:
    fake = serve(PantoFake([RunScript("A", "never", queued_for=0)]))
    provider = provider_for(fake)
    runs = start(provider)
    other = {"id": "testrun_99", "runner_status": "passed", "runner_end_timestamp": ENDED}
    rows = [other] if listed is None else [{**fake.run_object(fake.runs["testrun_01"]), **listed}]
    fake.inject(f"GET {BY_TRIGGER_PREFIX}", Reply(200, {"test_runs": rows, "status": aggregate}))

    (run,) = provider.poll(runs)

    assert run.status == Status(status)


def test_complete_adds_nothing_and_sends_nothing(clock: TestClock, serve: Serve) -> None:
    fake = serve(scenario("failed", duration=0.2))
    provider = provider_for(fake)
    runs = settle(provider, start(provider), clock)
    before = len(fake.requests)

    assert provider.complete(runs) == runs
    assert len(fake.requests) == before
    assert [run.counts().failed for run in runs] == [1]


def test_the_scenarios_are_ready_to_start_and_reject_unknown_kinds() -> None:
    for kind in ("passed", "failed", "mixed", "never"):
        fake = scenario(kind)
        assert fake.scripts
        assert all(run.duration <= 0.5 for run in fake.scripts)
    with pytest.raises(ValueError, match="unknown scenario"):
        scenario("exploded")

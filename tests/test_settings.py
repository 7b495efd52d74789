"""Inputs → Settings: every bad input named with an accepted form, all reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from qarun.errors import InputError
from qarun.inputs import Inputs, parse_duration
from qarun.manifest import inputs as declared_inputs
from qarun.model import Status
from qarun.settings import Settings, build_settings

VALID_QATECH = {"provider": "qatech", "api-key": "k-0123456789", "suite": "pln_abc123"}


def settings_for(**inputs: str) -> Settings:
    defaults = {name: given.default for name, given in declared_inputs().items()}
    values = {**defaults, **VALID_QATECH, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    return build_settings(Inputs(values), Path("/ws"))


def problems_for(**inputs: str) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        settings_for(**inputs)
    return {problem.input: problem.message for problem in caught.value.problems}


def test_a_valid_step_gives_typed_settings() -> None:
    settings = settings_for(timeout="1h30m", poll_interval="5s", fail_on="failed, skipped")
    assert settings.provider == "qatech"
    assert settings.api_url == "https://api.qa.tech/v1"
    assert settings.timeout == 5400.0 and settings.poll_interval == 5.0
    assert settings.fail_on == {Status.FAILED, Status.SKIPPED}
    assert "k-0123456789" not in repr(settings)


def test_provider_is_case_insensitive() -> None:
    assert settings_for(provider="QaTech").provider == "qatech"


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_for(
        api_key="",
        timeout="soon",
        poll_interval="-5",
        fail_on="failed,broken",
        api_url="http://qa.example.com",
        payload="{not json",
        wait="maybe",
        output_filter=".a |||",
        rerun_failed="-1",
    )
    assert set(problems) == {
        "api-key",
        "timeout",
        "poll-interval",
        "fail-on",
        "api-url",
        "payload",
        "wait",
        "output-filter",
        "rerun-failed",
    }
    assert "`90s`" in problems["timeout"]
    assert "`broken`" in problems["fail-on"] and "`none`" in problems["fail-on"]
    assert "https://" in problems["api-url"]
    assert "e.g." in problems["payload"]
    assert "`true` or `false`" in problems["wait"]


def test_a_huge_value_is_quoted_short_and_the_accepted_form_still_shown() -> None:
    """A 100 kB value pasted by mistake is not written back whole into the log and summary."""
    huge = "9" * 100_000
    said = problems_for(timeout=f"{huge}x", provider=f"qa{huge}")
    assert all(len(message) < 300 and "…`" in message for message in said.values()), said
    assert "is not a duration; write `90s`" in said["timeout"]
    assert "write one of `panto`, `qatech`, `qualigate`." in said["provider"]
    # A backtick in the value shifts the quotes: its rest is still cut short.
    assert len(problems_for(timeout=f"1`{huge}")["timeout"]) < 1300
    short = problems_for(timeout="soon")["timeout"]
    assert short.startswith("`soon` is not a duration")  # a short value is quoted whole


def test_unknown_provider_lists_the_accepted_names() -> None:
    problems = problems_for(provider="cypress", suite="")
    assert "`panto`, `qatech`, `qualigate`" in problems["provider"]


def test_an_input_for_another_platform_says_which_one_takes_it() -> None:
    problems = problems_for(browser="firefox", tags="team: web")
    assert "`qualigate`" in problems["browser"]
    assert "`panto`" in problems["tags"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:1/x", "http://[::1]:9/", "https://qa.example"],
)
def test_api_url_accepts_https_and_loopback_http(url: str) -> None:
    assert settings_for(api_url=url).api_url == url.rstrip("/")


def test_payload_must_be_a_json_object() -> None:
    assert "JSON object" in problems_for(payload="[1, 2]")["payload"]
    assert settings_for(payload='{"notifications": []}').payload == {"notifications": []}


def test_fail_on_none_never_fails() -> None:
    assert settings_for(fail_on="none").fail_on == frozenset()


def test_report_paths_are_relative_to_the_workspace() -> None:
    settings = settings_for(report_file="out/report.json", junit_file="/abs/j.xml")
    assert settings.report_file == Path("/ws/out/report.json")
    assert settings.junit_file == Path("/abs/j.xml")


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("1h", 3600),
        ("600", 600),
        ("1h30m", 5400),
        ("1.5m", 90),
        ("250ms", 0.25),
        (" 2 m ", 120),
    ],
)
def test_durations(raw: str, seconds: float) -> None:
    assert parse_duration(raw) == pytest.approx(seconds)


@pytest.mark.parametrize("raw", ["", "soon", "5x", "-5", "m", "1m2", "1.2.3s"])
def test_not_durations(raw: str) -> None:
    assert parse_duration(raw) is None

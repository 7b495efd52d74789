"""Bad input, end to end: exit 2 before anything is sent, one message per problem, all at once.

Every input of action.yml (README, Inputs) is tried in wrong forms. Each message must name its
input and show a form that is accepted; the fake platform must see no request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import CASES, ProviderCase, only
from tests.harness import ActionResult
from tests.robustness import run

_NAMED = re.compile(r"^::error::input `([a-z-]+)`: ")
# How a message shows an accepted form: an example, the forms to write, or what to remove.
_ACCEPTED = re.compile(r"e\.g\.|\b(write|remove|keep one|list each)\b")


def rejected(case: ProviderCase, serve: Serve, tmp_path: Path, **given: str) -> ActionResult:
    """Runs with `given` on top of the platform's valid inputs; checks what bad input must do."""
    fake = serve(case.scenario("passed"))
    result = run(tmp_path, case, fake, report_file="qa/report.json", **given)
    assert result.exit_code == 2, result.log
    assert result.outputs["status"] == "error"
    assert fake.requests == [], "nothing may be sent on bad input"
    for error in result.errors():
        assert _NAMED.match(error), f"names no input: {error}"
        assert _ACCEPTED.search(error), f"shows no accepted form: {error}"
    report = json.loads((result.workspace / "qa/report.json").read_text())
    assert report["status"] == "error"
    return result


def named(result: ActionResult) -> list[str]:
    """The input each `::error::` names, in order."""
    return [match.group(1) for error in result.errors() if (match := _NAMED.match(error))]


def test_every_common_input_wrong_at_once_gives_one_message_each(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    wrong = {
        "api-key": "",
        "api-url": "http://qa.example.com",
        "timeout": "soon",
        "poll-interval": "0",
        "fail-on": "failure",
        "wait": "maybe",
        "payload": "{oops",
        "output-filter": ".[",
        "wait-for-url": "ftp://preview",
        "summary": "nah",
        "dry-run": "yess",
        "attach-context": "2",
        "commit-status": "sure",
        "pr-comment": "y",
    }
    result = rejected(case, serve, tmp_path, **wrong)
    assert sorted(named(result)) == sorted(wrong)
    for name in wrong:
        assert f"input `{name}`" in result.summary


def test_every_platform_input_wrong_at_once_gives_one_message_each(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    wrong = case.wrong_inputs
    result = rejected(case, serve, tmp_path, **wrong)
    assert sorted(named(result)) == sorted(set(wrong) - case.quiet)


def test_an_input_the_platform_does_not_take_says_which_one_does(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    foreign = case.foreign_input
    result = rejected(case, serve, tmp_path, **{foreign: "x"})
    (error,) = result.errors()
    assert error.startswith(f"::error::input `{foreign}`: applies to provider `")
    assert f"not `{case.name}`" in error


@pytest.mark.parametrize("provider", ["", "jenkins", "qa.tech"])
def test_an_unknown_or_missing_provider_lists_the_known_ones(
    serve: Serve, tmp_path: Path, provider: str
) -> None:
    result = rejected(only("qatech"), serve, tmp_path, provider=provider)
    (error,) = result.errors()
    assert "input `provider`" in error
    assert all(f"`{known.name}`" in error for known in CASES)


# (input, value, what the message must add to the input's name)
WRONG_FORMS = [
    ("timeout", "10 minutes", "`30m`"),
    ("timeout", "-5", "`90s`"),
    ("timeout", "0", "from 1s to 120h"),
    ("timeout", "1m2", "`1h30m`"),
    ("timeout", "999999h", "e.g. `30m`"),
    ("poll-interval", "fast", "`90s`"),
    ("poll-interval", "0.01s", "e.g. `10s`"),
    ("api-url", "ftp://127.0.0.1", "`https://`"),
    ("api-url", "qa.example.com", "`https://`"),
    ("api-url", "http://10.0.0.8:8080", "127.0.0.1"),
    ("payload", "[1, 2]", "JSON object"),
    ("payload", '{"a": 1', "not valid JSON"),
    ("fail-on", "none,failed", "`none` alone"),
    ("fail-on", "errors", "`error`"),
    ("wait-for-url", "preview.example.com", "`https://"),
    ("output-filter", ".counts[", "`.counts.failed`"),
]


@pytest.mark.parametrize(("name", "value", "shown"), WRONG_FORMS, ids=lambda v: str(v)[:12])
def test_a_wrong_form_is_named_with_an_accepted_one(
    serve: Serve, tmp_path: Path, name: str, value: str, shown: str
) -> None:
    result = rejected(only("qualigate"), serve, tmp_path, **{name: value})
    (error,) = result.errors()
    assert error.startswith(f"::error::input `{name}`")
    assert shown in error


# (platform, inputs, the inputs named): forms only one platform reads.
PLATFORM_FORMS = [
    ("panto", {"tags": "{oops"}, ["tags"]),
    ("panto", {"tags": "smoke"}, ["tags"]),
    ("panto", {"tags": "", "exclude-tags": '{"suite": "smoke"}'}, ["exclude-tags"]),
    ("panto", {"devices": '[{"device_name": 8}]'}, ["devices"]),
    ("panto", {"devices": "[{oops"}, ["devices"]),
    ("panto", {"app": "", "tags": "", "devices": ""}, ["tags", "app", "devices"]),
    ("qatech", {"devices": "preset_abc123"}, ["devices"]),  # needs `app`
    ("qatech", {"app": "app_x", "devices": "preset_a, preset_b"}, ["devices"]),
    ("qatech", {"environment-name": "PR 42"}, ["environment-name"]),
    ("qatech", {"suite": "pln_a, pln_a"}, ["suite"]),
    ("qatech", {"rerun-failed": "9"}, ["rerun-failed"]),
    ("qatech", {"rerun-failed": "two"}, ["rerun-failed"]),
    ("qualigate", {"suite": ""}, ["suite"]),
    ("qualigate", {"devices": "0x720"}, ["devices"]),
]


@pytest.mark.parametrize(("platform", "given", "names"), PLATFORM_FORMS, ids=str)
def test_a_platform_form_is_named_with_an_accepted_one(
    serve: Serve, tmp_path: Path, platform: str, given: dict[str, str], names: list[str]
) -> None:
    result = rejected(only(platform), serve, tmp_path, **given)
    assert named(result) == names


def test_the_report_and_the_junit_file_on_one_path_is_bad_input(
    serve: Serve, tmp_path: Path
) -> None:
    result = rejected(only("qatech"), serve, tmp_path, junit_file="./qa/report.json")
    (error,) = result.errors()
    assert "`junit-file`" in error and "`report-file`" in error

"""What a message tells the user, in the words of the interface it came through: the action's
inputs (`api-key`, `suite: …`) or the `qarun` command's options and variables."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from qarun.errors import InputError, PlatformError
from qarun.http import HttpClient
from qarun.inputs import COMMAND, INTERFACE
from qarun.providers import PROVIDERS
from qarun.providers.base import key_advice
from qarun.request import Request
from qarun.settings import load_settings
from tests.conftest import Serve
from tests.contract import only
from tests.fakes.base import FakePlatform, Reply
from tests.fakes.panto import PantoFake
from tests.fakes.qualigate import PROJECT_ID, SUITE_ID, TRIGGER, QualigateFake
from tests.harness import run_in_process


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_rejected_key_is_explained_in_each_interface_s_words(name: str) -> None:
    provider = PROVIDERS[name]
    action = key_advice(provider, as_options=False)
    secret = f"{name.upper()}_API_KEY"
    assert action.startswith(
        f"Check `api-key` (pass it from a secret, e.g. `api-key: ${{{{ secrets.{secret} }}}}`). "
    )
    command = key_advice(provider, as_options=True)
    assert command.startswith("Check `QARUN_API_KEY` (set it from your CI system's secrets). ")
    assert "${{" not in command and "`api-key`" not in command
    # Where a valid key comes from, the same either way (the project input named as each names it).
    assert "{project}" not in action + command
    if "{project}" in provider.key_help:
        assert "`project`" in action and "`--project`" in command


def test_a_brace_in_a_provider_s_text_is_only_text() -> None:
    class Braced:
        name: ClassVar[str] = "braced"
        key_help: ClassVar[str] = 'Keys look like {"id": 1}; {project} needs one too.'

    said = key_advice(Braced, as_options=True)  # type: ignore[arg-type]
    assert said.endswith('Keys look like {"id": 1}; `--project` needs one too.')


def _problems(env: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InputError) as refused:
        load_settings(env)
    return {problem.input: str(problem) for problem in refused.value.problems}


COMMAND_ENV = {INTERFACE: COMMAND}


@pytest.mark.parametrize(
    ("given", "named", "action", "command"),
    [
        (
            {"PROVIDER": "qualigate"},
            "suite",
            "at least one of `suite`, `test-case` or `project`; e.g. `suite: 770e",
            "at least one of `--suite`, `--test-case` or `--project`; e.g. `--suite 770e",
        ),
        (
            {"PROVIDER": "panto", "TAGS": "a: b", "EXCLUDE-TAGS": "c: d"},
            "exclude-tags",
            "either `tags` or `exclude-tags`, not both; keep one, e.g. `tags: 'suite: smoke'`.",
            "either `--tags` or `--exclude-tags`, not both; keep one, e.g. "
            "`--tags 'suite: smoke'`.",
        ),
        (
            {"PROVIDER": "panto", "EXCLUDE-TAGS": "smoke"},
            "exclude-tags",
            "(one tag per line under `exclude-tags: |`)",
            "(one tag per line) or",
        ),
        (
            # An input's name inside the value given (`app` in the URL) is still named as such.
            {"PROVIDER": "qatech", "ENVIRONMENT": "https://app.example.com"},
            "environment",
            "needs `app` too; e.g. `app: app_gXeBl2`.",
            "needs `--app` too; e.g. `--app app_gXeBl2`.",
        ),
        (
            {"PROVIDER": "qatech", "ENVIRONMENT-NAME": "pr-42"},
            "environment-name",
            # The application it also needs is said at once, not after the URL is added.
            "needs `environment` set to its URL, and `app` (QA.tech takes environments per "
            "application); e.g. `environment: https://pr-42.",
            "needs `--environment` set to its URL, and `--app` (QA.tech takes environments per "
            "application); e.g. `--environment https://pr-42.",
        ),
        (
            # The value given is quoted back as it was, whatever it looks like.
            {"PROVIDER": "qatech", "FAIL-ON": "Suite, timeout: 10m"},
            "fail-on",
            "`Suite`, `timeout: 10m` is not accepted; write any of `failed`, `error`, `timeout`",
            "`Suite`, `timeout: 10m` is not accepted; write any of `failed`, `error`, `timeout`",
        ),
        (
            # Ids separated by a space: how several are written, said where it went wrong.
            {"PROVIDER": "qualigate", "SUITE": f"{SUITE_ID} {SUITE_ID}"},
            "suite",
            "(several go on separate lines or after commas); write its UUID",
            "(several go on separate lines or after commas); write its UUID",
        ),
        (
            # Viewports too; a size written with spaces is one item, and gets no such hint.
            {"PROVIDER": "qualigate", "SUITE": SUITE_ID, "DEVICES": "desktop mobile"},
            "devices",
            "`desktop mobile` is not a viewport (several go on separate lines or after commas)",
            "`desktop mobile` is not a viewport (several go on separate lines or after commas)",
        ),
        (
            {"PROVIDER": "qualigate", "SUITE": SUITE_ID, "DEVICES": "1280 × 720"},
            "devices",
            "`1280 × 720` is not a viewport; write `desktop`, `tablet`, `mobile` or a size",
            "`1280 × 720` is not a viewport; write `desktop`, `tablet`, `mobile` or a size",
        ),
        (
            {"PROVIDER": "qatech", "SUITE": "pln_abc123 pln_def456"},
            "suite",
            "`pln_abc123 pln_def456` is not a test plan short id (several go on separate lines",
            "`pln_abc123 pln_def456` is not a test plan short id (several go on separate lines",
        ),
        (
            # A size too long to be a screen is no viewport, said as such (not a traceback).
            {"PROVIDER": "qualigate", "SUITE": SUITE_ID, "DEVICES": f"desktop {'9' * 5000}x1"},
            "devices",
            # Quoted short: a value pasted by mistake is not written back whole.
            f"`desktop {'9' * 71}…` is not a viewport; write",
            f"`desktop {'9' * 71}…` is not a viewport; write",
        ),
        (
            {"PROVIDER": "qatech", "REPORT-FILE": "a.json", "JUNIT-FILE": "a.json"},
            "junit-file",
            "same file as `report-file` (a.json); the JUnit file would overwrite the JSON report. "
            "Give each its own path, e.g. `report-file: qa/report.json` and "
            "`junit-file: qa/junit.xml`.",
            "same file as `--report-file` (a.json); the JUnit file would overwrite the JSON "
            "report. Give each its own path, e.g. `--report-file qa/report.json` and "
            "`--junit-file qa/junit.xml`.",
        ),
    ],
)
def test_a_message_names_other_inputs_as_its_interface_does(
    given: dict[str, str], named: str, action: str, command: str
) -> None:
    env = {f"INPUT_{name}": value for name, value in given.items()}
    as_action, as_command = _problems(env)[named], _problems({**env, **COMMAND_ENV})[named]
    assert as_action.startswith(f"input `{named}`: ") and action in as_action
    variable = "QARUN_" + named.upper().replace("-", "_")
    assert as_command.startswith(f"option `--{named}` (`{variable}`): ") and command in as_command
    assert "with:" not in as_command and ": |`" not in as_command


def test_an_input_of_another_platform_is_left_out_of_the_command() -> None:
    # An input of another platform's, given to the command: no `with:` to remove it from.
    env = {"INPUT_PROVIDER": "panto", "INPUT_ENVIRONMENT-NAME": "staging", **COMMAND_ENV}
    foreign = _problems(env)["environment-name"]
    assert foreign.endswith("applies to provider `qatech` only, not `panto`; leave it out.")


def _platform_error(
    tmp_path: Path, case_name: str, fake: FakePlatform, env: dict[str, str], **given: str
) -> str:
    """The one `error` line of a job stopped by the platform (exit 3)."""
    result = run_in_process(tmp_path, only(case_name).step_inputs(fake, **given), extra_env=env)
    assert result.exit_code == 3
    (line,) = [line for line in result.log.splitlines() if "::error" in line or "error:" in line]
    return line


@pytest.mark.parametrize(("env", "app"), [({}, "`app`"), (COMMAND_ENV, "`--app`")])
def test_a_platform_s_not_found_points_at_the_input_as_the_interface_names_it(
    serve: Serve, tmp_path: Path, env: dict[str, str], app: str
) -> None:
    fake = serve(PantoFake(builds=["app_02"]))
    said = _platform_error(tmp_path, "panto", fake, {**env, "GITHUB_ACTIONS": "false"})
    assert f"Check {app}: it takes the build file id" in said


@pytest.mark.parametrize(
    ("env", "named"), [({}, "`suite` or `test-case`"), (COMMAND_ENV, "`--suite` or `--test-case`")]
)
def test_an_empty_project_points_at_the_inputs_as_the_interface_names_them(
    serve: Serve, tmp_path: Path, env: dict[str, str], named: str
) -> None:
    fake = serve(QualigateFake())
    answer = {"success": True, "test_run_ids": [], "test_count": 0, "status": "pending"}
    fake.inject(f"POST {TRIGGER}", Reply(201, answer))
    given = {"suite": "", "project": PROJECT_ID}
    said = _platform_error(tmp_path, "qualigate", fake, {**env, "GITHUB_ACTIONS": "false"}, **given)
    assert "queued no tests for project" in said and f"name a {named} instead" in said


@pytest.mark.parametrize(("as_options", "named"), [(False, "`api-url`"), (True, "`--api-url`")])
def test_a_redirect_points_at_api_url_as_the_interface_names_it(
    serve: Serve, as_options: bool, named: str
) -> None:
    fake = serve(QualigateFake())
    fake.inject(f"POST {TRIGGER}", Reply(301, headers={"Location": "https://api.example.com/v2"}))
    client = HttpClient(fake.url, {}, sleep=lambda seconds: None, as_options=as_options)
    with pytest.raises(PlatformError) as refused:
        client.send(Request("POST", TRIGGER, body={}))
    assert f"set {named} to the address" in str(refused.value)

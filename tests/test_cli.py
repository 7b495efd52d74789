"""The `qarun` command (README, Outside GitHub Actions), installed into a fresh virtual
environment from this repository (`pip install .`) and run as a user would, against the fake
platforms, with each CI system's own variables."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qarun import cli, manifest
from qarun.cli import HELP_GROUPS, NOT_OPTIONS, UNGROUPED, build_parser
from tests.conftest import Fake, Serve
from tests.contract import only
from tests.fakes.qualigate import SUITE_ID
from tests.harness import ROOT

# Starts qarun as a process and waits on it or signals it: bench/stress.py runs these.
pytestmark = pytest.mark.process

KEY = "cli-key-0123456789"
SHA = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
QUALIGATE = only("qualigate")
QATECH = only("qatech")


def keyed(fake: Fake) -> Fake:
    fake.api_key = KEY
    return fake


def base_env(home: Path) -> dict[str, str]:
    """A CI job's environment with no CI system's variables yet."""
    keep = {"PATH", "LANG", "SYSTEMROOT"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    return {**env, "HOME": str(home), "QARUN_API_KEY": KEY}


def qarun(
    command: Path, cwd: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(command), *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Each CI system's documented variables for a pull (merge) request of `feature-x` at SHA.
CI_SYSTEMS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "gitlab-ci": (
        "gitlab-ci",
        {
            "GITLAB_CI": "true",
            "CI_COMMIT_SHA": "f" * 40,  # a merged results pipeline: the merge commit
            "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": SHA,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature-x",
            "CI_MERGE_REQUEST_IID": "42",
            "CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.com/octo/shop",
            "CI_PROJECT_PATH": "octo/shop",
        },
        {"pr_number": "42", "pr_url": "https://gitlab.com/octo/shop/-/merge_requests/42"},
    ),
    "circleci": (
        "circleci",
        {
            "CIRCLECI": "true",
            "CIRCLE_SHA1": SHA,
            "CIRCLE_BRANCH": "feature-x",
            "CIRCLE_PULL_REQUEST": "https://github.com/octo/shop/pull/42",
            "CIRCLE_PROJECT_USERNAME": "octo",
            "CIRCLE_PROJECT_REPONAME": "shop",
        },
        {"pr_number": "42", "pr_url": "https://github.com/octo/shop/pull/42"},
    ),
    "bitbucket": (
        "bitbucket-pipelines",
        {
            "BITBUCKET_BUILD_NUMBER": "7",
            "BITBUCKET_COMMIT": SHA,
            "BITBUCKET_BRANCH": "feature-x",
            "BITBUCKET_PR_ID": "42",
            "BITBUCKET_REPO_FULL_NAME": "octo/shop",
            "BITBUCKET_GIT_HTTP_ORIGIN": "https://bitbucket.org/octo/shop",
        },
        {"pr_number": "42", "pr_url": "https://bitbucket.org/octo/shop/pull-requests/42"},
    ),
    "jenkins": (
        "jenkins",
        {
            "JENKINS_URL": "https://ci.example.com/",
            "GIT_COMMIT": SHA,
            "CHANGE_ID": "42",
            "CHANGE_BRANCH": "feature-x",
            "CHANGE_URL": "https://github.com/octo/shop/pull/42",
            "GIT_URL": "https://github.com/octo/shop.git",
        },
        {"pr_number": "42", "pr_url": "https://github.com/octo/shop/pull/42"},
    ),
    "azure": (
        "azure-pipelines",
        {
            "TF_BUILD": "True",
            "BUILD_SOURCEVERSION": "f" * 40,  # the merge commit of the pull request build
            "SYSTEM_PULLREQUEST_SOURCECOMMITID": SHA,
            "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/feature-x",
            "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER": "42",
            "BUILD_REPOSITORY_NAME": "octo/shop",
        },
        {"pr_number": "42"},
    ),
    "buildkite": (
        "buildkite",
        {
            "BUILDKITE": "true",
            "BUILDKITE_COMMIT": SHA,
            "BUILDKITE_BRANCH": "feature-x",
            "BUILDKITE_PULL_REQUEST": "42",
            "BUILDKITE_REPO": "git@github.com:octo/shop.git",
        },
        {"pr_number": "42"},
    ),
}


@pytest.mark.parametrize("system", list(CI_SYSTEMS))
def test_each_ci_system_s_pull_request_reaches_the_platform(
    installed: Path, serve: Serve, tmp_path: Path, system: str
) -> None:
    source, variables, pull = CI_SYSTEMS[system]
    fake = serve(keyed(QUALIGATE.scenario("failed", duration=0.2)))
    env = {**base_env(tmp_path), **variables, "QARUN_POLL_INTERVAL": "0.2s"}
    done = qarun(
        installed, tmp_path, env,
        "--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID,
        "--junit-file", "qa/junit.xml", "--dotenv-file", "qa/qarun.env",
        "--summary-file", "qa/summary.md",
    )  # fmt: skip
    log = done.stdout + done.stderr

    assert done.returncode == 1, log
    (trigger,) = fake.trigger_bodies()
    context = trigger["context"]
    assert context["source"] == source
    assert context["sha"] == SHA and context["branch"] == "feature-x"
    assert context["repository"] == "octo/shop"
    for name, value in pull.items():
        assert context[name] == value, name
    # What a CI log shows: readable text, no workflow commands, never the key.
    assert "Qualigate: failed" in log and "Checkout Process (failed)" in log
    assert "::" not in log and KEY not in log
    dotenv = (tmp_path / "qa" / "qarun.env").read_text(encoding="utf-8").splitlines()
    assert "QARUN_STATUS=failed" in dotenv and "QARUN_FAILED=1" in dotenv
    cases = ET.fromstring((tmp_path / "qa" / "junit.xml").read_bytes()).findall(".//testcase")
    assert len(cases) == 2
    assert "## ❌ Qualigate: failed" in (tmp_path / "qa" / "summary.md").read_text()


def qualigate_passing(
    installed: Path, serve: Serve, tmp_path: Path, *options: str
) -> tuple[subprocess.CompletedProcess[str], Fake]:
    """`qarun` with `options` against a Qualigate suite that passes, and the fake it ran on."""
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    given = ["--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID, *options]
    return qarun(installed, tmp_path, base_env(tmp_path), *given), fake


def test_a_summary_file_names_the_command_s_options(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    done, _ = qualigate_passing(
        installed, serve, tmp_path, "--wait", "false", "--summary-file", "summary.md"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "`--wait` is false: qarun started the runs and did not wait for them." in summary


def test_in_a_git_checkout_the_commit_and_branch_come_from_git(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    for command in (
        ["git", "init", "-q", "-b", "feature-x"],
        [
            "git",
            "-c",
            "user.name=q",
            "-c",
            "user.email=q@x",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
    ):
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.strip()
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    env = {**base_env(tmp_path), "QARUN_POLL_INTERVAL": "0.2s", "QARUN_PROVIDER": "qualigate"}
    done = qarun(installed, tmp_path, env, "--api-url", fake.url, "--suite", SUITE_ID)
    assert done.returncode == 0, done.stdout + done.stderr
    (trigger,) = fake.trigger_bodies()
    assert trigger["context"]["sha"] == head and trigger["context"]["branch"] == "feature-x"


def test_qatech_gets_no_github_trigger_outside_github_actions(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QATECH.scenario("passed", duration=0.2)))
    env = {**base_env(tmp_path), **CI_SYSTEMS["gitlab-ci"][1], "QARUN_POLL_INTERVAL": "0.2s"}
    done = qarun(installed, tmp_path, env, "--provider", "qatech", "--api-url", fake.url)
    assert done.returncode == 0, done.stdout + done.stderr
    (trigger,) = QATECH.triggers(fake)
    assert trigger.body["trigger"] == "API" and "commitHash" not in trigger.body


def test_the_command_s_messages_name_its_options_and_point_at_its_own_log(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    """Outside GitHub: no `api-key: ${{ … }}` advice, no job summary to see, `--timeout`."""
    fake = serve(keyed(QATECH.scenario("failed", duration=0.2)))
    env = {**base_env(tmp_path), "QARUN_POLL_INTERVAL": "0.2s"}
    args = ("--provider", "qatech", "--api-url", fake.url)
    failed = qarun(installed, tmp_path, env, *args)
    assert failed.returncode == 1, failed.stdout
    assert "; see the summary below." in failed.stdout and "job summary" not in failed.stdout
    assert "QA.tech: failed\n" in failed.stdout  # the text summary's verdict line
    # `--summary false`: no summary in the log either, so the failures are on the platform.
    quiet = qarun(installed, tmp_path, env, *args, "--summary", "false")
    assert quiet.returncode == 1, quiet.stdout
    assert "; see each run on the platform." in quiet.stdout
    assert "QA.tech: failed\n" not in quiet.stdout and "summary below" not in quiet.stdout
    never = serve(keyed(QATECH.scenario("never")))
    late = qarun(installed, tmp_path, env, "--provider", "qatech", "--api-url", never.url,
                 "--timeout", "2s")  # fmt: skip
    assert late.returncode == 1 and "raise `--timeout`" in late.stdout, late.stdout
    preview = qarun(installed, tmp_path, env, *args, "--wait-for-url", "http://127.0.0.1:9/",
                    "--timeout", "2s")  # fmt: skip
    assert "nothing was triggered" in preview.stdout and "raise `--timeout`" in preview.stdout
    refused = qarun(installed, tmp_path, {**env, "QARUN_API_KEY": "wrong-key-0123456789"}, *args)
    assert refused.returncode == 3, refused.stdout
    assert "Check `QARUN_API_KEY` (set it from your CI system's secrets)" in refused.stdout
    assert "${{" not in refused.stdout and "`--project`" in refused.stdout


def test_bad_options_name_the_option_and_the_key_comes_only_from_the_environment(
    installed: Path, tmp_path: Path
) -> None:
    env = base_env(tmp_path)
    del env["QARUN_API_KEY"]
    done = qarun(installed, tmp_path, env, "--provider", "qatech", "--timeout", "soon")
    assert done.returncode == 2
    assert "option `--timeout` (`QARUN_TIMEOUT`): `soon` is not a duration" in done.stdout
    assert "`QARUN_API_KEY`: is required" in done.stdout
    # Each problem once, then the summary: nothing ran, and no count of tests that never were.
    assert done.stdout.count("`soon` is not a duration") == 1, done.stdout
    assert "QA.tech: error\n  No tests ran\n" in done.stdout and " tests: " not in done.stdout
    # A secret on the command line is refused by name, and never echoed back.
    for given, variable in (
        ("--api-key", "QARUN_API_KEY"),
        ("--github-token=", "QARUN_GITHUB_TOKEN"),
    ):
        args = (given, KEY) if not given.endswith("=") else (given + KEY,)
        # With no key in the environment, nothing would hide one echoed back.
        refused = qarun(installed, tmp_path, env, "--provider", "qatech", *args)
        assert refused.returncode == 2
        assert f"option `{given.rstrip('=')}`" in refused.stdout and variable in refused.stdout
        assert KEY not in refused.stdout + refused.stderr


def test_an_option_wins_over_its_environment_variable(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("failed", duration=0.2)))
    env = {**base_env(tmp_path), "QARUN_FAIL_ON": "failed", "QARUN_POLL_INTERVAL": "0.2s"}
    args = ["--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID]
    assert qarun(installed, tmp_path, env, *args).returncode == 1
    assert qarun(installed, tmp_path, env, *args, "--fail-on", "none").returncode == 0


def test_version_and_python_m_qarun(installed: Path, tmp_path: Path) -> None:
    done = qarun(installed, tmp_path, base_env(tmp_path), "--version")
    assert done.returncode == 0 and done.stdout.startswith("qarun ")
    python = installed.parent / "python"
    module = subprocess.run(
        [str(python), "-m", "qarun", "--version"], capture_output=True, text=True, check=False
    )
    assert module.stdout == done.stdout


def test_help_lists_every_input_with_its_description() -> None:
    text = build_parser(manifest.inputs()).format_help()
    flat = " ".join(text.split())
    for name, given in manifest.inputs().items():
        if name in NOT_OPTIONS:
            continue
        switch = given.default in ("true", "false")
        assert (f"--{name} [VALUE]" if switch else f"--{name} VALUE") in text, name
        assert " ".join(given.description.split())[:40] in flat, name


def test_a_true_false_option_is_also_a_bare_switch(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    args = ["--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID]
    done = qarun(installed, tmp_path, base_env(tmp_path), *args, "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert fake.requests == [] and "POST" in done.stdout  # the request shown, not sent
    assert done.stdout.splitlines()[-1] == "qarun: skipped, a dry run (exit 0)"
    said_false = qarun(installed, tmp_path, base_env(tmp_path), "--dry-run", "false", *args)
    assert said_false.returncode == 0 and fake.requests_to("POST")


def help_sections(text: str) -> dict[str, str]:
    """--help's text under each group heading (`waiting:`), in the order shown."""
    parts = re.split(r"^([A-Za-z][A-Za-z ]*):$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_help_groups_the_options_what_to_run_waiting_results_github() -> None:
    sections = help_sections(build_parser(manifest.inputs()).format_help())
    assert [title for title in sections if title != "options"] == list(HELP_GROUPS)
    for title, names in HELP_GROUPS.items():
        shown = re.findall(r"^  (--[a-z-]+)", sections[title], flags=re.MULTILINE)
        assert shown == [f"--{name}" for name in names if name not in NOT_OPTIONS], title
    # Every option of action.yml has its place: none falls to the catch-all group.
    assert UNGROUPED not in sections


def test_an_input_added_to_action_yml_appears_in_help_with_no_other_change() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    added = text.replace(
        "inputs:\n",
        'inputs:\n  retry-budget:\n    description: "A new knob."\n    default: "3"\n',
        1,
    )
    inputs = {item.name: item for item in manifest.parse_inputs(added)}
    help_text = build_parser(inputs).format_help()
    assert "--retry-budget VALUE" in help_sections(help_text)[UNGROUPED]
    assert "A new knob. (default: 3)" in help_text


def test_the_json_report_is_written_by_the_command_too(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    env = {**base_env(tmp_path), "QARUN_POLL_INTERVAL": "0.2s"}
    done = qarun(
        installed, tmp_path, env, "--provider", "qualigate", "--api-url", fake.url,
        "--suite", SUITE_ID, "--report-file", "out/report.json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert json.loads((tmp_path / "out" / "report.json").read_text())["status"] == "passed"


def on_a_terminal(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Runs `command` with its output on a pseudo-terminal, as in a developer's shell."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("no_color", [False, True])
def test_a_terminal_gets_progress_in_place_and_colours_unless_no_color(
    installed: Path, serve: Serve, tmp_path: Path, no_color: bool
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("failed", duration=0.4)))
    env = {**base_env(tmp_path), "QARUN_POLL_INTERVAL": "0.1s", "TERM": "xterm"}
    if no_color:
        env["NO_COLOR"] = "1"
    args = ["--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID]
    shown = on_a_terminal([str(installed), *args], tmp_path, env)
    assert "\r\x1b[K[00:0" in shown  # the progress line, rewritten in place
    red = "\x1b[31mQualigate: failed\x1b[0m"
    assert (red not in shown) if no_color else (red in shown), shown
    assert "Qualigate: failed" in shown


def test_three_doors_are_one_program(installed: Path, tmp_path: Path) -> None:
    """`qarun`, `python -m qarun` and the container's entrypoint.py: the same answers, as the
    command (with arguments) and as the action (inside GitHub Actions, inputs as INPUT_*)."""
    python = installed.parent / "python"
    doors = {
        "qarun": [str(installed)],
        "python -m qarun": [str(python), "-m", "qarun"],
        "entrypoint.py": [str(python), str(ROOT / "entrypoint.py")],
    }
    action = {**base_env(tmp_path), "GITHUB_ACTIONS": "true", "INPUT_PROVIDER": "nope"}
    cases = [
        (base_env(tmp_path), ["--version"]),
        (base_env(tmp_path), ["--provider", "nope", "--timeout", "soon"]),
        (action, []),
    ]
    for env, args in cases:
        seen = {
            door: subprocess.run(
                [*command, *args],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            for door, command in doors.items()
        }
        answers = {(done.returncode, done.stdout, done.stderr) for done in seen.values()}
        assert len(answers) == 1, seen
        ((code, out, _),) = answers
        assert code in (0, 2) and out.strip(), seen


def test_an_unknown_option_is_named_and_no_value_is_repeated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A typo (`--suit`) is not taken for `--suite` but named with what was meant; anything
    else that might be a value (a secret) never reaches the log."""
    code, said = refused(capsys, "--suit=abc", "stray")
    assert code == 2
    assert "unknown option(s) (did you mean `--suite`?) and 1 argument(s) of no option" in said
    assert "abc" not in said and "stray" not in said and "--suit`" not in said
    # A value after an unknown option is its own, not a second mistake; a value split by a
    # space is said as such.
    for argv, meant in (
        (["--suit", "abc"], "unknown option(s) (did you mean `--suite`?); values are not"),
        (["--timeout", "5", "minutes"], "1 argument(s) of no option (a value with spaces needs"),
        (["--xyz", "1", "2"], "1 unknown option(s) and 1 argument(s) of no option"),
        (["--xyz", "-5"], "1 unknown option(s); values are not"),  # a negative number: a value
    ):
        assert meant in refused(capsys, *argv)[1], argv
    # A value glued to a real option: the typed name is not repeated either.
    glued = refused(capsys, "--summary-fileK3y")[1]
    assert "did you mean `--summary-file`?" in glued and "K3y" not in glued
    # A near miss of a refused option is not suggested.
    assert "did you mean" not in refused(capsys, "--api-kye", "x")[1]
    # The key's option however written, a dash-led value, an option-looking key, a short
    # option glued to it, argparse's own errors in either quotes.
    for argv in (
        ["--api_key", KEY],
        [f"--api-key{KEY}"],
        [f"--apikey={KEY}"],
        [f"--github-token{KEY}"],
        ["--timeout", f"-{KEY}"],
        [f"--{KEY}"],
        [f"-k{KEY}"],
        [f"--help=ab'{KEY}"],
        [f"--version={KEY}'"],
    ):
        code, said = refused(capsys, *argv)
        assert code == 2 and KEY not in said, argv


def test_every_mistake_on_a_command_line_is_said_once_and_none_hides_another(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, said = refused(capsys, "--timeout", "--timeout", "-help", "--api-key", KEY, "--suit")
    assert code == 2 and KEY not in said
    assert said.count("`--timeout` (`QARUN_TIMEOUT`): is given with no value") == 1
    assert said.count("argument -h/--help: ignored explicit argument") == 1
    assert "option `--api-key`: secrets are never read" in said
    assert "did you mean `--suite`?" in said  # not hidden by the key's option
    assert "`--provider` (`QARUN_PROVIDER`): is required" not in said  # it was read
    # Words after `--` are values, never options: none is taken for a misspelt one.
    said = refused(capsys, "--", "--suite", "x")[1]
    assert "2 argument(s) of no option" in said and "did you mean" not in said
    # A value argparse takes although it starts with a dash: a lone dash, a negative number,
    # one with a space.
    for argv in (["--timeout", "-5 m"], ["--timeout", "-5"], ["--timeout", "-.5"]):
        assert "is not a duration" in refused(capsys, *argv)[1], argv


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The command run in-process for QA.tech with `argv` (no key: nothing can be sent), its
    exit code and all it printed."""
    code = cli.run(["--provider", "qatech", *argv])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_a_summary_file_with_the_summary_off_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for given in (["--summary", "false"], []):
        monkeypatch.setenv("QARUN_SUMMARY", "no")  # the option, else its variable
        code, said = refused(capsys, *given, "--summary-file", "s.md")
        assert code == 2
        assert "option `--summary-file` (`QARUN_SUMMARY_FILE`): asks for the Markdown" in said
    # Its variable, as every option has one; `--summary false` wins over it.
    monkeypatch.setenv("QARUN_SUMMARY_FILE", "s.md")
    assert "asks for the Markdown" in refused(capsys)[1]
    assert "asks for the Markdown" not in refused(capsys, "--summary", "false")[1]


def test_the_command_s_own_file_options_have_their_variables_too() -> None:
    parser = build_parser(manifest.inputs())
    variables = {"QARUN_SUMMARY_FILE": "s.md", "QARUN_DOTENV_FILE": "qa.env"}
    env = cli.action_env(parser.parse_args(["--provider", "qatech"]), manifest.inputs(), variables)
    assert env["GITHUB_STEP_SUMMARY"] == os.path.abspath("s.md")
    assert env["QARUN_DOTENV_FILE"] == os.path.abspath("qa.env")
    given = parser.parse_args(["--provider", "qatech", "--summary-file", "t.md"])
    assert cli.action_env(given, manifest.inputs(), variables)["GITHUB_STEP_SUMMARY"].endswith(
        "t.md"
    )  # the option wins


def test_help_says_how_the_action_s_words_read_for_the_command_and_what_is_required() -> None:
    text = " ".join(build_parser(manifest.inputs()).format_help().split())
    assert "input `name` is the option --name here, the workspace is the current directory" in text
    # --provider's line ends with it; the key is no option at all.
    assert "`qualigate` (case-insensitive). (required)" in text
    # The options that add a value each time they are given say so, and only they.
    options = re.split(r"^  (?=--)", build_parser(manifest.inputs()).format_help(), flags=re.M)
    repeatable = {
        option.split()[0].removeprefix("--")
        for option in options[1:]
        if "Given more than once, each adds its value." in " ".join(option.split())
    }
    assert repeatable == cli.SEVERAL


def test_an_option_that_takes_several_values_takes_one_each_time_it_is_given() -> None:
    parser = build_parser(manifest.inputs())
    argv = ["--provider", "qualigate", "--devices", "desktop", "--devices", "1280x720"]
    more = ["--suite", "a,b", "--suite", "c", "--fail-on", "failed", "--fail-on", "skipped"]
    env = cli.action_env(parser.parse_args([*argv, *more]), manifest.inputs(), {})
    assert env["INPUT_DEVICES"] == "desktop\n1280x720" and env["INPUT_SUITE"] == "a,b\nc"
    assert env["INPUT_FAIL-ON"] == "failed\nskipped" and env[cli.COMMAND_LINE] == "[]"
    # An option given empty says nothing: its variable holds.
    empty = parser.parse_args(["--provider", "qualigate", "--dry-run", ""])
    assert cli.action_env(empty, manifest.inputs(), {"QARUN_DRY_RUN": "true"})["INPUT_DRY-RUN"] == (
        "true"
    )


@pytest.mark.parametrize("provider", ["panto", "qatech", "qualigate"])
def test_the_fake_platform_prints_a_command_that_the_command_takes(provider: str) -> None:
    from tests.fakes.__main__ import command_line, make_fake

    fake = make_fake(provider, "passed").start("127.0.0.1", 0)
    try:
        words, url = shlex.split(command_line(provider, fake)), fake.url
    finally:
        fake.stop()
    assert words[0] == f"QARUN_API_KEY={fake.api_key}" and words[1] == ".venv/bin/qarun"
    args = build_parser(manifest.inputs()).parse_args(words[2:])
    env = cli.action_env(args, manifest.inputs(), {})
    assert env["INPUT_PROVIDER"] == provider and env["INPUT_API-URL"] == url


def test_an_option_that_takes_one_value_given_twice_is_bad_input_and_the_results_are_written(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    done, fake = qualigate_passing(
        installed, serve, tmp_path,
        "--timeout", "5m", "--timeout", "10m", "--summary-file", "a.md", "--summary-file", "b.md",
        "--dotenv-file", "qa.env",
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 2, log
    assert fake.requests == []  # nothing was sent
    assert "option `--timeout` (`QARUN_TIMEOUT`): is given more than once; give it once." in log
    assert "option `--summary-file` (`QARUN_SUMMARY_FILE`): is given more than once" in log
    assert "5m" not in log and "10m" not in log  # the values are not repeated
    assert "QARUN_STATUS=error" in (tmp_path / "qa.env").read_text(encoding="utf-8").splitlines()
    assert done.stdout.splitlines()[-1] == "qarun: error (exit 2)"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--suit", "abc"], "unknown option(s) (did you mean `--suite`?); values are not"),
        (["--api-key", KEY], "option `--api-key`: secrets are never read from the command"),
        ([f"--apikey{KEY}"], "option `--api-key`: secrets are never read from the command"),
        (["--summary", "false", "--summary-file", "t.md"], "option `--summary-file` (`QARUN_"),
        (["--poll-interval"], "option `--poll-interval` (`QARUN_POLL_INTERVAL`): is given with"),
        (["--timeout", "-5m"], "is given with no value; write e.g. `--timeout 30m` (or `--ti"),
        (["-help"], "argument -h/--help: ignored explicit argument"),
    ],
)
def test_a_command_line_that_cannot_be_read_is_bad_input_and_the_results_are_written(
    installed: Path, serve: Serve, tmp_path: Path, argv: list[str], said: str
) -> None:
    """An unknown option, a secret's option, two options that contradict each other, one
    missing its value or a word argparse cannot read: exit 2 and nothing sent, as for any bad
    input, and the outputs, summary and report written where the options after the mistake
    say. No key in the environment: nothing would hide one echoed back."""
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    env = {**base_env(tmp_path), "QARUN_DOTENV_FILE": "qa.env", "QARUN_SUMMARY_FILE": "s.md"}
    del env["QARUN_API_KEY"]
    given = ["--provider", "qualigate", "--suite", SUITE_ID, "--api-url", fake.url]
    done = qarun(installed, tmp_path, env, *argv, *given, "--report-file", "o.json")
    log = done.stdout + done.stderr
    assert done.returncode == 2, log
    assert fake.requests == []  # nothing was sent
    assert said in log and "abc" not in log
    assert "`--provider` (`QARUN_PROVIDER`): is required" not in log  # it was read
    assert "QARUN_STATUS=error" in (tmp_path / "qa.env").read_text(encoding="utf-8").splitlines()
    report = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert report["status"] == "error" and said in json.dumps(report)
    summary = (tmp_path / ("t.md" if "t.md" in argv else "s.md")).read_text(encoding="utf-8")
    assert said.replace("`", "") in summary.replace("`", "").replace("\\", "")
    written = [path.read_text(encoding="utf-8") for path in tmp_path.iterdir() if path.is_file()]
    assert not any(KEY in text for text in [log, *written])
    assert done.stdout.splitlines()[-1] == "qarun: error (exit 2)"

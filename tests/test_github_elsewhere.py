"""`--commit-status` and `--pr-comment` from CI systems other than GitHub Actions (README,
"Outside GitHub Actions"): the installed `qarun` command with each system's documented
variables, against a platform fake and the GitHub fake; refused (exit 2, nothing sent) where
the repository is not on GitHub."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qarun.code_host import ENTERPRISE_UNNAMED, GITHUB, CodeHost, code_host, host_problem
from qarun.context import read_context
from tests.conftest import Serve
from tests.contract import only
from tests.fakes.github import GitHubFake
from tests.fakes.qualigate import SUITE_ID
from tests.test_cli import CI_SYSTEMS, KEY, SHA, base_env, keyed, qarun

pytestmark = pytest.mark.process

TOKEN = "ghp_ElsewhereToken0123456789abcdef"
QUALIGATE = only("qualigate")
# The variables each system documents for where its repository lives, beside CI_SYSTEMS'.
ON_GITHUB = {
    "circleci": {"CIRCLE_REPOSITORY_URL": "git@github.com:octo/shop.git"},
    "jenkins": {},  # GIT_URL https://github.com/octo/shop.git
    "azure": {"BUILD_REPOSITORY_PROVIDER": "GitHub"},
    "buildkite": {},  # BUILDKITE_REPO git@github.com:octo/shop.git
}


@pytest.mark.parametrize(
    ("system", "extra", "host"),
    [
        ("circleci", {"CIRCLE_REPOSITORY_URL": "https://github.com/octo/shop"}, GITHUB),
        ("circleci", {"CIRCLE_REPOSITORY_URL": "git@bitbucket.org:octo/shop.git"}, "Bitbucket"),
        ("jenkins", {}, GITHUB),
        ("jenkins", {"GIT_URL": "https://gitlab.example.com/octo/shop.git"}, "GitLab"),
        ("jenkins", {"GIT_URL": "https://git.corp.example/octo/shop.git"}, "git.corp.example"),
        (
            "jenkins",
            {
                "GIT_URL": "https://git.corp.example/octo/shop.git",
                "GITHUB_API_URL": "https://git.corp.example/api/v3",
            },
            GITHUB,
        ),
        ("azure", {"BUILD_REPOSITORY_PROVIDER": "GitHub"}, GITHUB),
        (
            "azure",
            {
                "BUILD_REPOSITORY_PROVIDER": "GitHubEnterprise",
                "BUILD_REPOSITORY_URI": "https://ghe.corp.example/octo/shop",
                "GITHUB_API_URL": "https://ghe.corp.example/api/v3",
            },
            GITHUB,
        ),
        (
            "azure",
            {"BUILD_REPOSITORY_PROVIDER": "GitHubEnterprise"},  # and no GITHUB_API_URL
            ENTERPRISE_UNNAMED,
        ),
        (
            "jenkins",  # GitHub Enterprise Cloud with data residency: its API is api.<host>
            {
                "GIT_URL": "https://octo.ghe.com/octo/shop.git",
                "GITHUB_API_URL": "https://api.octo.ghe.com",
            },
            GITHUB,
        ),
        (
            "jenkins",  # the server's name, not its API: the token would go to api.github.com
            {
                "GIT_URL": "https://ghe.corp.example/octo/shop.git",
                "GITHUB_SERVER_URL": "https://ghe.corp.example",
            },
            "ghe.corp.example",
        ),
        ("jenkins", {"GIT_URL": "git@github-work:octo/shop.git"}, None),  # an SSH alias
        ("jenkins", {"GIT_URL": "https://github.com./octo/shop"}, GITHUB),
        ("azure", {"BUILD_REPOSITORY_PROVIDER": "TfsGit"}, "Azure Repos"),
        ("azure", {"BUILD_REPOSITORY_PROVIDER": "Bitbucket"}, "Bitbucket"),
        ("buildkite", {}, GITHUB),
        ("buildkite", {"BUILDKITE_REPO": "ssh://git@gitlab.com/octo/shop.git"}, "GitLab"),
        ("gitlab-ci", {}, "GitLab"),
        (
            "gitlab-ci",
            {
                "CI_EXTERNAL_PULL_REQUEST_IID": "42",
                "CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY": "octo/shop",
            },
            GITHUB,
        ),
        ("bitbucket", {}, "Bitbucket"),
    ],
)
def test_the_code_host_is_read_from_each_systems_variables(
    system: str, extra: dict[str, str], host: str | None
) -> None:
    env = {**CI_SYSTEMS[system][1], **extra}
    assert code_host(env, read_context(env), lambda: None).name == host


def test_the_sentence_names_the_option_the_host_and_where_enterprise_could_help() -> None:
    gitlab = host_problem({}, CodeHost("GitLab", "GITLAB_CI"), ["--commit-status"])
    assert gitlab == (
        "--commit-status writes to GitHub, but this build's repository is on GitLab "
        "(GITLAB_CI says so): leave --commit-status out here."
    )
    unknown = host_problem({}, CodeHost("git.corp.example", "GIT_URL"), ["--pr-comment"])
    assert unknown is not None and "once GITHUB_API_URL names its API" in unknown
    assert host_problem({}, CodeHost(GITHUB, "GIT_URL"), ["--pr-comment"]) is None
    assert host_problem({}, CodeHost(None), ["--pr-comment"]) is None  # nothing says: try GitHub


def test_a_github_com_token_never_goes_to_the_server_github_api_url_names() -> None:
    env = {"GITHUB_API_URL": "https://ghe.corp.example/api/v3"}
    problem = host_problem(env, CodeHost(GITHUB, "GIT_URL"), ["--commit-status"])
    assert problem is not None
    assert "would send the GitHub token to ghe.corp.example" in problem
    assert (
        host_problem(
            {"GITHUB_API_URL": "https://api.github.com"},
            CodeHost(GITHUB, "GIT_URL"),
            ["--commit-status"],
        )
        is None
    )


def test_without_a_ci_systems_word_the_origin_remote_tells() -> None:
    env = {"JENKINS_URL": "https://ci.example.com/", "GIT_COMMIT": SHA}
    context = read_context(env)
    assert code_host(env, context, lambda: "git@github.com:octo/shop.git").name == GITHUB
    assert code_host(env, context, lambda: None).name is None


def both_features(
    installed: Path, tmp_path: Path, system: str, platform_url: str, github_url: str
) -> subprocess.CompletedProcess[str]:
    """The installed command with `--commit-status --pr-comment` in `system`'s job on GitHub."""
    env = {
        **base_env(tmp_path),
        **CI_SYSTEMS[system][1],
        **ON_GITHUB[system],
        "QARUN_POLL_INTERVAL": "0.2s",
        "QARUN_GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": github_url,
    }
    return qarun(
        installed, tmp_path, env,
        "--provider", "qualigate", "--api-url", platform_url, "--suite", SUITE_ID,
        "--commit-status", "--pr-comment",
    )  # fmt: skip


@pytest.mark.parametrize("system", list(ON_GITHUB))
def test_commit_statuses_and_the_comment_from_another_ci_system(
    installed: Path, serve: Serve, tmp_path: Path, system: str
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("failed", duration=0.2)))
    github = serve(GitHubFake(TOKEN, login="ci-bot"))
    done = both_features(installed, tmp_path, system, fake.url, github.url)
    log = done.stdout + done.stderr

    assert done.returncode == 1, log
    # One status per run on the pull request's head, pending then its verdict.
    assert github.statuses and {status.sha for status in github.statuses} == {SHA}
    assert [status.state for status in github.statuses][-1] == "failure"
    # One comment on pull request 42 of octo/shop, with the verdict.
    (comment,) = github.comments_on(42)
    assert "Qualigate: failed" in comment.body
    assert KEY not in log and TOKEN not in log


def test_a_read_only_token_is_warned_of_by_the_command_s_option_names(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    github = serve(GitHubFake.read_only(TOKEN))
    done = both_features(installed, tmp_path, "jenkins", fake.url, github.url)
    assert done.returncode == 0, done.stdout
    warned = [line for line in done.stdout.splitlines() if line.startswith("warning: ")]
    named = [line.split(":")[1].strip() for line in warned]
    assert named == ["`--commit-status`", "`--pr-comment`"], done.stdout
    # Advice for the token the command was given, not for a workflow's `permissions:` block.
    assert all("The token (QARUN_GITHUB_TOKEN or GITHUB_TOKEN) needs" in line for line in warned)
    assert "permissions:" not in done.stdout


def test_the_token_comes_from_github_token_too_and_never_from_an_option(
    installed: Path, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    github = serve(GitHubFake(TOKEN, login="ci-bot"))
    env = {
        **base_env(tmp_path),
        **CI_SYSTEMS["jenkins"][1],
        "QARUN_POLL_INTERVAL": "0.2s",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": github.url,
    }
    args = ("--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID)
    done = qarun(installed, tmp_path, env, *args, "--commit-status")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [status.state for status in github.statuses][-1] == "success"

    posted = len(github.statuses)
    refused = qarun(installed, tmp_path, env, *args, "--github-token", TOKEN)
    assert refused.returncode == 2 and "option `--github-token`" in refused.stdout
    assert len(github.statuses) == posted  # nothing more was sent
    assert TOKEN not in refused.stdout + refused.stderr


@pytest.mark.parametrize(("system", "host"), [("gitlab-ci", "GitLab"), ("bitbucket", "Bitbucket")])
def test_asking_for_them_where_the_repository_is_not_on_github_is_bad_input(
    installed: Path, serve: Serve, tmp_path: Path, system: str, host: str
) -> None:
    fake = serve(keyed(QUALIGATE.scenario("passed", duration=0.2)))
    env = {**base_env(tmp_path), **CI_SYSTEMS[system][1], "QARUN_GITHUB_TOKEN": TOKEN}
    done = qarun(
        installed, tmp_path, env,
        "--provider", "qualigate", "--api-url", fake.url, "--suite", SUITE_ID,
        "--commit-status", "--pr-comment", "--dotenv-file", "qarun.env",
    )  # fmt: skip
    log = done.stdout + done.stderr

    assert done.returncode == 2, log
    assert "--commit-status and --pr-comment write to GitHub" in log
    assert "GitHub Enterprise" not in log  # no such hint for a host that is not GitHub
    assert f"this build's repository is on {host}" in log
    assert fake.requests == []  # nothing sent
    assert "QARUN_STATUS=error" in (tmp_path / "qarun.env").read_text(encoding="utf-8")

"""Where the repository under test lives, for `commit-status` and `pr-comment`: they write to
GitHub, so outside GitHub Actions they are asked for only where GitHub hosts the repository.

Each CI system says where its repository lives in its own way (the references are cited next
to each reader in `ci_context`): Azure Pipelines names the provider
(`Build.Repository.Provider`), GitLab CI runs external pull request pipelines only for
repositories on GitHub, Bitbucket Pipelines builds Bitbucket repositories, and CircleCI,
Jenkins and Buildkite give the clone URL (`CIRCLE_REPOSITORY_URL`, `GIT_URL`,
`BUILDKITE_REPO`); elsewhere the `origin` remote of the working directory does. A GitHub
Enterprise server is GitHub where `GITHUB_API_URL` (or `GITHUB_SERVER_URL`) names its host.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from qarun.git_context import GITHUB_ACTIONS, GitContext

GITHUB = "GitHub"
# Hosts that are not GitHub whatever GITHUB_API_URL says.
KNOWN_HOSTS = frozenset({"GitLab", "Bitbucket", "Azure Repos"})
# Azure Pipelines' Build.Repository.Provider values, by host.
AZURE_PROVIDERS = {
    "GitHub": GITHUB,
    "GitHubEnterprise": GITHUB,
    "TfsGit": "Azure Repos",
    "Bitbucket": "Bitbucket",
    "Git": None,  # another Git server: its URL says no more
}
# `https://host/…`, `ssh://git@host:22/…` or scp-like `git@host:owner/name.git`.
_HOST = re.compile(r"^(?:[a-zA-Z][\w+.-]*://)?(?:[^@/]+@)?([^/:]+)")


@dataclass(frozen=True)
class CodeHost:
    """The host's name ("GitHub", "GitLab", …; None: nothing says), and what told qarun."""

    name: str | None
    told_by: str = ""


def code_host(
    env: Mapping[str, str], context: GitContext, remote: Callable[[], str | None]
) -> CodeHost:
    """Where `context`'s repository lives; `remote` gives the `origin` remote's URL."""
    source = context.source
    if source == GITHUB_ACTIONS:
        return CodeHost(GITHUB, "GITHUB_ACTIONS")
    if source == "gitlab-ci":
        if env.get("CI_EXTERNAL_PULL_REQUEST_IID"):
            return CodeHost(GITHUB, "CI_EXTERNAL_PULL_REQUEST_IID")
        return CodeHost("GitLab", "GITLAB_CI")
    if source == "bitbucket-pipelines":
        return CodeHost("Bitbucket", "BITBUCKET_BUILD_NUMBER")
    if source == "azure-pipelines":
        provider = env.get("BUILD_REPOSITORY_PROVIDER", "")
        if AZURE_PROVIDERS.get(provider):
            return CodeHost(AZURE_PROVIDERS[provider], "BUILD_REPOSITORY_PROVIDER")
        return _by_url(env, env.get("BUILD_REPOSITORY_URI"), "BUILD_REPOSITORY_URI", remote)
    variable = {
        "circleci": "CIRCLE_REPOSITORY_URL",
        "jenkins": "GIT_URL",
        "buildkite": "BUILDKITE_REPO",
    }
    name = variable.get(source or "")
    return _by_url(env, env.get(name) if name else None, name or "", remote)


def _by_url(
    env: Mapping[str, str], url: str | None, told_by: str, remote: Callable[[], str | None]
) -> CodeHost:
    if not url:
        url, told_by = remote(), "the `origin` remote"
    host = _host(url)
    if host is None:
        return CodeHost(None)
    enterprise = {_host(env.get(name)) for name in ("GITHUB_API_URL", "GITHUB_SERVER_URL")}
    if host == "github.com" or host.endswith(".github.com") or host in enterprise - {None}:
        return CodeHost(GITHUB, told_by)
    for known in ("GitLab", "Bitbucket"):
        if known.lower() in host:
            return CodeHost(known, told_by)
    return CodeHost(host, told_by)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    if "://" in url:
        host = urlsplit(url).hostname
        return host.lower() if host else None
    match = _HOST.match(url.strip())
    return match.group(1).lower() if match else None


def host_problem(found: CodeHost, asked: list[str]) -> str | None:
    """Why `asked` (`--commit-status`, `--pr-comment`) cannot be done here, or None."""
    if found.name is None or found.name == GITHUB:
        return None
    options = " and ".join(asked)
    verb = "write" if len(asked) > 1 else "writes"
    problem = (
        f"{options} {verb} to GitHub, but this build's repository is on {found.name} "
        f"({found.told_by} says so): leave {options} out here."
    )
    if found.name not in KNOWN_HOSTS:
        problem += " A GitHub Enterprise server counts as GitHub once GITHUB_API_URL names its API."
    return problem

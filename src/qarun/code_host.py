"""Where the repository under test lives, for `commit-status` and `pr-comment`: they write to
GitHub, so outside GitHub Actions they are asked for only where GitHub hosts the repository.

Each CI system says where its repository lives in its own way (the references are cited next
to each reader in `ci_context`): Azure Pipelines names the provider
(`Build.Repository.Provider`), GitLab CI runs external pull request pipelines only for
repositories on GitHub, Bitbucket Pipelines builds Bitbucket repositories, and CircleCI,
Jenkins and Buildkite give the clone URL (`CIRCLE_REPOSITORY_URL`, `GIT_URL`,
`BUILDKITE_REPO`); elsewhere the `origin` remote of the working directory does. A GitHub
Enterprise server is GitHub where `GITHUB_API_URL`, the API qarun sends the token to, is its
own (`https://host/api/v3`, or `https://api.host` on GitHub Enterprise Cloud); a repository
on github.com is refused while `GITHUB_API_URL` names another server, so that the token only
ever goes to the GitHub that hosts the repository.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from qarun.git_context import GITHUB_ACTIONS, GitContext
from qarun.urls import is_loopback

GITHUB = "GitHub"
# Hosts that are not GitHub whatever GITHUB_API_URL says.
KNOWN_HOSTS = ("GitLab", "Bitbucket", "Azure Repos")
# A GitHub Enterprise server whose API qarun was not told.
ENTERPRISE_UNNAMED = "a GitHub Enterprise server whose API GITHUB_API_URL does not name"
# Azure Pipelines' Build.Repository.Provider values, by host.
AZURE_PROVIDERS = {
    "GitHub": GITHUB,
    "TfsGit": "Azure Repos",
    "Bitbucket": "Bitbucket",
}
# `https://host/…`, `ssh://git@host:22/…` or scp-like `git@host:owner/name.git`.
_HOST = re.compile(r"^(?:[a-zA-Z][\w+.-]*://)?(?:[^@/]+@)?([^/:]+)")


@dataclass(frozen=True)
class CodeHost:
    """The host's name ("GitHub", "GitLab", …; None: nothing says), and what told qarun."""

    name: str | None
    told_by: str = ""
    # GitHub through the API GITHUB_API_URL names (an Enterprise server's).
    by_api_url: bool = False


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
        if provider == "GitHubEnterprise":
            # The server is GitHub, reached through the API GITHUB_API_URL names.
            url = env.get("BUILD_REPOSITORY_URI")
            found = _by_url(env, url, "BUILD_REPOSITORY_URI", remote)
            return (
                found
                if found.name == GITHUB
                else CodeHost(ENTERPRISE_UNNAMED, "BUILD_REPOSITORY_PROVIDER")
            )
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
    if host is None or "." not in host:
        return CodeHost(None)  # nothing, or an SSH alias (`git@github-work:…`): nothing says
    if host == "github.com" or host.endswith(".github.com"):
        return CodeHost(GITHUB, told_by)
    if _enterprise_api(env, host):
        return CodeHost(GITHUB, f"{told_by} and GITHUB_API_URL", by_api_url=True)
    for known in KNOWN_HOSTS:
        if known.split()[0].lower() in host:
            return CodeHost(known, told_by)
    return CodeHost(host, told_by)


def _enterprise_api(env: Mapping[str, str], host: str) -> bool:
    """GITHUB_API_URL names the API of a GitHub Enterprise server at `host`: the server's
    own (`https://host/api/v3`) or GitHub Enterprise Cloud's (`https://api.host`)."""
    api = _host(env.get("GITHUB_API_URL"))
    return api is not None and api in (host, f"api.{host}")


def token_goes_elsewhere(env: Mapping[str, str], found: CodeHost) -> str | None:
    """Where GitHub hosts the repository on github.com but GITHUB_API_URL names another
    server, the token would go there: that server's host, else None."""
    api = _host(env.get("GITHUB_API_URL"))
    if found.name != GITHUB or api is None or found.by_api_url:
        return None
    # This machine (a proxy, or a stand-in for GitHub in tests) keeps the token here.
    return None if api == "api.github.com" or is_loopback(api) else api


def _host(url: str | None) -> str | None:
    if not url:
        return None
    if "://" in url:
        host = urlsplit(url).hostname
    else:
        match = _HOST.match(url.strip())
        host = match.group(1) if match else None
    return (host.lower().rstrip(".") or None) if host else None


def host_problem(env: Mapping[str, str], found: CodeHost, asked: list[str]) -> str | None:
    """Why `asked` (`--commit-status`, `--pr-comment`) cannot be done here, or None."""
    options = " and ".join(asked)
    elsewhere = token_goes_elsewhere(env, found)
    if elsewhere:
        return (
            f"{options} would send the GitHub token to {elsewhere} (GITHUB_API_URL), but this "
            f"build's repository is on github.com ({found.told_by} says so): unset "
            "GITHUB_API_URL, or name github.com's API (https://api.github.com)."
        )
    if found.name is None or found.name == GITHUB:
        return None
    verb = "write" if len(asked) > 1 else "writes"
    problem = (
        f"{options} {verb} to GitHub, but this build's repository is on {found.name} "
        f"({found.told_by} says so): leave {options} out here."
    )
    if found.name not in KNOWN_HOSTS:
        problem += (
            " A GitHub Enterprise server counts as GitHub once GITHUB_API_URL names its API "
            "(https://HOST/api/v3, or https://api.HOST on GitHub Enterprise Cloud)."
        )
    return problem

"""The pull request (merge request) and commit under test on CI systems other than GitHub
Actions, each from its own documented variables; elsewhere from `git` in the working
directory. Each reader returns None when its system is not the one running.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping

from qarun.git_context import GitContext

Env = Mapping[str, str]


def _get(env: Env, *names: str) -> str | None:
    """The first of `names` that is set and not empty."""
    return next((env[name] for name in names if env.get(name)), None)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _strip_ref(branch: str | None) -> str | None:
    if not branch:
        return None
    for prefix in ("refs/heads/", "origin/"):
        branch = branch.removeprefix(prefix)
    return branch


def gitlab(env: Env) -> GitContext | None:
    # https://docs.gitlab.com/ci/variables/predefined_variables/ ("Predefined variables for
    # merge request pipelines"): in merged results pipelines CI_COMMIT_SHA is the merge
    # commit and CI_MERGE_REQUEST_SOURCE_BRANCH_SHA the head; in other MR pipelines the
    # latter is empty and CI_COMMIT_SHA is the head.
    if env.get("GITLAB_CI") != "true":
        return None
    number = _number(env.get("CI_MERGE_REQUEST_IID"))
    project_url = _get(env, "CI_MERGE_REQUEST_PROJECT_URL", "CI_PROJECT_URL")
    return GitContext(
        repository=_get(env, "CI_PROJECT_PATH"),
        sha=_get(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "CI_COMMIT_SHA"),
        branch=_get(
            env, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"
        ),
        pr_number=number,
        pr_url=f"{project_url}/-/merge_requests/{number}" if number and project_url else None,
        actor=_get(env, "GITLAB_USER_LOGIN"),
        workflow_run_url=_get(env, "CI_PIPELINE_URL"),
        commit_message=_get(env, "CI_MERGE_REQUEST_TITLE", "CI_COMMIT_TITLE"),
        source="gitlab-ci",
    )


def circleci(env: Env) -> GitContext | None:
    # https://circleci.com/docs/variables/#built-in-environment-variables: CIRCLE_PULL_REQUEST
    # is the pull request's URL; CIRCLE_PR_NUMBER is set only for pull requests from forks.
    if env.get("CIRCLECI") != "true":
        return None
    url = _get(env, "CIRCLE_PULL_REQUEST")
    number = _number(env.get("CIRCLE_PR_NUMBER")) or _number(_last_segment(url))
    owner, name = env.get("CIRCLE_PROJECT_USERNAME"), env.get("CIRCLE_PROJECT_REPONAME")
    return GitContext(
        repository=f"{owner}/{name}" if owner and name else None,
        sha=_get(env, "CIRCLE_SHA1"),
        branch=_get(env, "CIRCLE_BRANCH"),
        pr_number=number,
        pr_url=url,
        actor=_get(env, "CIRCLE_USERNAME"),
        workflow_run_url=_get(env, "CIRCLE_BUILD_URL"),
        source="circleci",
    )


def bitbucket(env: Env) -> GitContext | None:
    # https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/ (default
    # variables): BITBUCKET_PR_ID only in pull-request pipelines.
    if not env.get("BITBUCKET_BUILD_NUMBER"):
        return None
    number = _number(env.get("BITBUCKET_PR_ID"))
    origin = _get(env, "BITBUCKET_GIT_HTTP_ORIGIN")
    build = env.get("BITBUCKET_BUILD_NUMBER")
    return GitContext(
        repository=_get(env, "BITBUCKET_REPO_FULL_NAME"),
        sha=_get(env, "BITBUCKET_COMMIT"),
        branch=_get(env, "BITBUCKET_BRANCH"),
        pr_number=number,
        pr_url=f"{origin}/pull-requests/{number}" if number and origin else None,
        workflow_run_url=f"{origin}/pipelines/results/{build}" if origin else None,
        source="bitbucket-pipelines",
    )


def jenkins(env: Env) -> GitContext | None:
    # https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables, the Git
    # plugin's GIT_COMMIT/GIT_BRANCH/GIT_URL, and the Branch Source plugins' CHANGE_ID,
    # CHANGE_URL, CHANGE_BRANCH and CHANGE_AUTHOR for pull requests.
    if not env.get("JENKINS_URL"):
        return None
    return GitContext(
        repository=_repository_from_url(env.get("GIT_URL")),
        sha=_get(env, "GIT_COMMIT"),
        branch=_strip_ref(_get(env, "CHANGE_BRANCH", "BRANCH_NAME", "GIT_BRANCH")),
        pr_number=_number(env.get("CHANGE_ID")),
        pr_url=_get(env, "CHANGE_URL"),
        actor=_get(env, "CHANGE_AUTHOR"),
        workflow_run_url=_get(env, "BUILD_URL"),
        source="jenkins",
    )


def azure(env: Env) -> GitContext | None:
    # https://learn.microsoft.com/azure/devops/pipelines/build/variables: for a pull request
    # build, System.PullRequest.SourceCommitId is the head commit (Build.SourceVersion the
    # merge), PullRequestNumber the number on GitHub (PullRequestId on Azure Repos).
    if env.get("TF_BUILD", "").lower() != "true":
        return None
    collection, project = env.get("SYSTEM_COLLECTIONURI", ""), env.get("SYSTEM_TEAMPROJECT", "")
    build = env.get("BUILD_BUILDID")
    run_url = (
        f"{collection}{project}/_build/results?buildId={build}" if collection and build else None
    )
    return GitContext(
        repository=_get(env, "BUILD_REPOSITORY_NAME"),
        sha=_get(env, "SYSTEM_PULLREQUEST_SOURCECOMMITID", "BUILD_SOURCEVERSION"),
        branch=_strip_ref(_get(env, "SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH")),
        pr_number=_number(
            _get(env, "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "SYSTEM_PULLREQUEST_PULLREQUESTID")
        ),
        pr_url=None,
        actor=_get(env, "BUILD_REQUESTEDFOR"),
        workflow_run_url=run_url,
        source="azure-pipelines",
    )


def buildkite(env: Env) -> GitContext | None:
    # https://buildkite.com/docs/pipelines/environment-variables: BUILDKITE_PULL_REQUEST is the
    # number, or "false" outside pull requests.
    if env.get("BUILDKITE") != "true":
        return None
    return GitContext(
        repository=_repository_from_url(env.get("BUILDKITE_REPO")),
        sha=_get(env, "BUILDKITE_COMMIT"),
        branch=_get(env, "BUILDKITE_BRANCH"),
        pr_number=_number(env.get("BUILDKITE_PULL_REQUEST")),
        actor=_get(env, "BUILDKITE_BUILD_CREATOR"),
        workflow_run_url=_get(env, "BUILDKITE_BUILD_URL"),
        commit_message=_get(env, "BUILDKITE_MESSAGE"),
        source="buildkite",
    )


def local_git(env: Env) -> GitContext | None:
    """The commit and branch checked out in the working directory; None outside a repository."""
    sha = _git("rev-parse", "HEAD")
    if sha is None:
        return None
    branch = _git("rev-parse", "--abbrev-ref", "HEAD")
    return GitContext(
        repository=_repository_from_url(_git("config", "--get", "remote.origin.url")),
        sha=sha,
        branch=None if branch == "HEAD" else branch,
        commit_message=_git("log", "-1", "--format=%s"),
        source="local",
    )


READERS: tuple[Callable[[Env], GitContext | None], ...] = (
    gitlab,
    circleci,
    bitbucket,
    jenkins,
    azure,
    buildkite,
)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out else None


_REPOSITORY = re.compile(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$")


def _repository_from_url(url: str | None) -> str | None:
    """`owner/name` from a clone URL (https or ssh)."""
    match = _REPOSITORY.search(url or "")
    return match.group(1) if match else None


def _last_segment(url: str | None) -> str | None:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None

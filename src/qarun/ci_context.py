"""The pull request (merge request) and commit under test on CI systems other than GitHub
Actions, each from its own documented variables; elsewhere from `git` in the working
directory. Each reader returns None when its system is not the one running.

Where a CI system builds a merge of the pull request (Jenkins' PR-merge builds, GitLab's
merged results pipelines, Azure's pull request builds), the commit under test is the pull
request's head. Each field a system's variables leave empty is filled from `git` on its own
(`fill_from_git`); a tag build has no branch.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from qarun.git_context import GitContext

Env = Mapping[str, str]
Reader = Callable[[Env], GitContext | None]


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


_SLUG = re.compile(r"[\w.-]+/[\w.-]+")


def _github_pull_url(repository: str | None, number: int | None) -> str | None:
    if number is None or not repository or not _SLUG.fullmatch(repository):
        return None
    return f"https://github.com/{repository}/pull/{number}"


def gitlab(env: Env) -> GitContext | None:
    # https://docs.gitlab.com/ci/variables/predefined_variables/
    # "Predefined variables for merge request pipelines": in merged results pipelines
    # CI_COMMIT_SHA is the merge commit and CI_MERGE_REQUEST_SOURCE_BRANCH_SHA the head; in
    # other MR pipelines the latter is empty and CI_COMMIT_SHA is the head.
    # "Predefined variables for external pull request pipelines": CI_EXTERNAL_PULL_REQUEST_IID
    # is the "pull request ID from GitHub", and such pipelines run only for repositories on
    # GitHub (https://docs.gitlab.com/ci/ci_cd_for_external_repos/, "Pipelines for external
    # pull requests"; GitHub Enterprise's manual connection is not supported), so the pull
    # request lives at github.com/<CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY>.
    # CI_COMMIT_BRANCH is absent in tag pipelines, where CI_COMMIT_REF_NAME is the tag.
    if env.get("GITLAB_CI") != "true":
        return None
    merge_request = _number(env.get("CI_MERGE_REQUEST_IID"))
    external = _number(env.get("CI_EXTERNAL_PULL_REQUEST_IID"))
    project_url = _get(env, "CI_MERGE_REQUEST_PROJECT_URL", "CI_PROJECT_URL")
    target = _get(env, "CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY") if external else None
    if merge_request and project_url:
        pr_url: str | None = f"{project_url}/-/merge_requests/{merge_request}"
    else:
        pr_url = _github_pull_url(target, external)
    ref_name = None if env.get("CI_COMMIT_TAG") else _get(env, "CI_COMMIT_REF_NAME")
    return GitContext(
        # An external pull request's repository is the GitHub one it lives in.
        repository=target or _get(env, "CI_PROJECT_PATH"),
        sha=_get(
            env,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
            "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_SHA",
            "CI_COMMIT_SHA",
        ),
        branch=_get(
            env,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
            "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
            "CI_COMMIT_BRANCH",
        )
        or ref_name,
        pr_number=merge_request or external,
        pr_url=pr_url,
        actor=_get(env, "GITLAB_USER_LOGIN"),
        workflow_run_url=_get(env, "CI_PIPELINE_URL"),
        commit_message=_get(env, "CI_MERGE_REQUEST_TITLE", "CI_COMMIT_TITLE"),
        source="gitlab-ci",
    )


def circleci(env: Env) -> GitContext | None:
    # https://circleci.com/docs/variables/#built-in-environment-variables: CIRCLE_PULL_REQUEST
    # is the pull request's URL; CIRCLE_PR_NUMBER is set only for pull requests from forks.
    # Some variables (CIRCLE_SHA1, CIRCLE_PULL_REQUEST, CIRCLE_PROJECT_*, …) are set only for
    # GitHub OAuth and Bitbucket Cloud projects, "deprecated for GitLab, GitHub App and
    # Bitbucket Data Center": there `git` gives the commit, branch and repository.
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
    # variables): BITBUCKET_PR_ID only in pull-request pipelines; BITBUCKET_BRANCH "not
    # available for builds against tags, or custom pipelines" (the branch then comes from
    # `git`, and a tag build has none).
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
    # https://plugins.jenkins.io/git/#plugin-content-environment-variables (GIT_COMMIT,
    # GIT_BRANCH, GIT_URL: set by the Git plugin for freestyle jobs and declarative pipelines,
    # not by a scripted pipeline's `checkout`); the Branch API plugin's CHANGE_ID, CHANGE_URL,
    # CHANGE_BRANCH, CHANGE_AUTHOR, BRANCH_NAME and TAG_NAME, documented at
    # https://github.com/jenkinsci/branch-api-plugin/blob/master/src/main/resources/jenkins/branch/BranchNameContributor/buildEnv.properties
    # and the GitHub Pull Request Builder's ghprbPullId, ghprbActualCommit (the pull request's
    # head), ghprbSourceBranch and ghprbPullLink (https://plugins.jenkins.io/ghprb/).
    if not env.get("JENKINS_URL"):
        return None
    git_commit = _get(env, "GIT_COMMIT")
    change = _number(env.get("CHANGE_ID"))
    ghprb = _number(env.get("ghprbPullId"))
    if ghprb:
        sha = _get(env, "ghprbActualCommit") or git_commit
        branch = _get(env, "ghprbSourceBranch")
        pr_url = _get(env, "ghprbPullLink")
    elif change:
        # BRANCH_NAME and GIT_BRANCH name the job (PR-42), not a branch.
        sha = _jenkins_merge_head(git_commit) or git_commit
        branch = _get(env, "CHANGE_BRANCH")
        pr_url = _get(env, "CHANGE_URL")
    else:
        sha = git_commit
        branch = None if env.get("TAG_NAME") else _get(env, "BRANCH_NAME", "GIT_BRANCH")
        pr_url = None
    return GitContext(
        repository=_repository_from_url(env.get("GIT_URL")),
        sha=sha,
        branch=_strip_ref(branch),
        pr_number=ghprb or change,
        pr_url=pr_url,
        actor=_get(env, "CHANGE_AUTHOR"),
        workflow_run_url=_get(env, "BUILD_URL"),
        source="jenkins",
    )


# The Branch Source plugins' "merge" strategy (GitHub, Bitbucket, GitLab, Gitea) uses the Git
# plugin's MergeWithGitSCMExtension: it checks out the pull request's head and merges the
# target branch into it as "Jenkins <nobody@nowhere>", and GIT_COMMIT is that merge, a commit
# that exists only on the agent. Its first parent is the head. The source, for want of a
# document:
# https://github.com/jenkinsci/git-plugin/blob/master/src/main/java/jenkins/plugins/git/MergeWithGitSCMExtension.java
# The committer tells that merge from a pull request whose own head is a merge (GitHub's
# "Update branch"), built as it is: there the second parent is the target, never the head.
_JENKINS_MERGER = "nobody@nowhere"


def _jenkins_merge_head(git_commit: str | None) -> str | None:
    """The pull request's head when HEAD is the merge Jenkins made of it (and GIT_COMMIT,
    where set, is that merge); else None."""
    shown = _git("log", "-1", "--format=%H %P%n%ce", "HEAD")
    if shown is None:
        return None
    commits, _, committer = shown.partition("\n")
    head, *parents = commits.split()
    if len(parents) != 2 or committer != _JENKINS_MERGER:
        return None
    if git_commit and git_commit != head:
        return None
    return parents[0]


def azure(env: Env) -> GitContext | None:
    # https://learn.microsoft.com/azure/devops/pipelines/build/variables: for a pull request
    # build (Build.Reason PullRequest), System.PullRequest.SourceCommitId is the head commit
    # (Build.SourceVersion the merge) and System.PullRequest.SourceBranch its branch
    # (refs/heads/… on Azure Repos, the bare name on GitHub).
    # System.PullRequest.PullRequestNumber is a GitHub pull request's number, its
    # PullRequestId another number; on Azure Repos (Build.Repository.Provider TfsGit) the id
    # is the number, and the pull request <repository URL>/pullrequest/<id>.
    # Build.SourceBranch is refs/heads/<branch>, or refs/tags/<tag> for a tag build, which has
    # no branch: as GitLab (CI_COMMIT_BRANCH), Bitbucket (BITBUCKET_BRANCH) and CircleCI
    # (CIRCLE_BRANCH) leave the branch unset for a tag, so that no platform lists the tag
    # among the branches.
    if env.get("TF_BUILD", "").lower() != "true":
        return None
    collection, project = env.get("SYSTEM_COLLECTIONURI", ""), env.get("SYSTEM_TEAMPROJECT", "")
    build = env.get("BUILD_BUILDID")
    run_url = (
        f"{collection}{project}/_build/results?buildId={build}" if collection and build else None
    )
    provider = env.get("BUILD_REPOSITORY_PROVIDER")
    repository = _get(env, "BUILD_REPOSITORY_NAME")
    head = _get(env, "SYSTEM_PULLREQUEST_SOURCECOMMITID")
    pull = bool(head) or env.get("BUILD_REASON") == "PullRequest"
    number = _number(env.get("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER"))
    pr_url = _github_pull_url(repository, number) if provider == "GitHub" else None
    if provider == "TfsGit":
        number = number or _number(env.get("SYSTEM_PULLREQUEST_PULLREQUESTID"))
        repository_url = _get(env, "SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI", "BUILD_REPOSITORY_URI")
        if number and repository_url:
            pr_url = f"{_without_userinfo(repository_url)}/pullrequest/{number}"
    pull_branch = _get(env, "SYSTEM_PULLREQUEST_SOURCEBRANCH")
    return GitContext(
        repository=repository,
        sha=head or _get(env, "BUILD_SOURCEVERSION"),
        branch=(pull_branch and pull_branch.removeprefix("refs/heads/"))
        or _heads_branch(env.get("BUILD_SOURCEBRANCH")),
        pr_number=number,
        pr_url=pr_url,
        actor=_get(env, "BUILD_REQUESTEDFOR"),
        workflow_run_url=run_url,
        # Build.SourceVersionMessage is the merge's message in a pull request build.
        commit_message=None if pull else _get(env, "BUILD_SOURCEVERSIONMESSAGE"),
        source="azure-pipelines",
    )


def _heads_branch(ref: str | None) -> str | None:
    """The branch of a `refs/heads/…` ref; None for a tag, a pull request's merge ref, …"""
    if ref and ref.startswith("refs/heads/"):
        return ref.removeprefix("refs/heads/") or None
    return None


def _without_userinfo(url: str) -> str:
    """`url` without `user@` (Azure's Build.Repository.Uri can carry the organization)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl().rstrip("/")


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
    found = fill_from_git(GitContext(source="local"))
    return found if found.sha else None


_SHA = re.compile(r"[0-9a-fA-F]{7,64}")


def fill_from_git(found: GitContext) -> GitContext:
    """`found`, each of its repository, commit, branch and commit message that is empty taken
    from `git` in the working directory: the commit checked out, its branch (none when
    detached, or when the commit under test is another), the subject of the commit under test,
    `owner/name` from the `origin` remote. Asks `git` only for what is missing; a field `git`
    cannot give (no `git`, no repository) stays empty."""
    sha, branch = found.sha, found.branch
    if not sha or not branch:
        checked_out = (_git("rev-parse", "HEAD", "--abbrev-ref", "HEAD") or "").split("\n")
        if len(checked_out) == 2:
            head, head_branch = checked_out
            sha = sha or head
            if not branch and sha == head and head_branch != "HEAD":
                branch = head_branch
    message = found.commit_message
    if not message and sha and _SHA.fullmatch(sha):
        message = _git("log", "-1", "--format=%s", sha, "--")
    repository = found.repository or _repository_from_url(origin_url())
    return replace(found, repository=repository, sha=sha, branch=branch, commit_message=message)


def _with_git(reader: Reader) -> Reader:
    """`reader`, each field its variables leave empty filled from `git` (fill_from_git)."""

    @functools.wraps(reader)
    def read(env: Env) -> GitContext | None:
        found = reader(env)
        return None if found is None else fill_from_git(found)

    return read


READERS: tuple[Reader, ...] = tuple(
    _with_git(reader) for reader in (gitlab, circleci, bitbucket, jenkins, azure, buildkite)
)


def origin_url() -> str | None:
    """The working directory's `origin` remote, as `git` gives it."""
    return _git("config", "--get", "remote.origin.url")


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
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

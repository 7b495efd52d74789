"""The commit under test on each CI system, from the variables its reference documents, with
`git` filling each field they leave empty: the pull request's head wherever the system builds
a merge (src/qarun/ci_context.py cites each reference next to its reader)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from qarun import ci_context
from qarun.context import read_context
from qarun.git_context import GitContext

SHA = "c0ffee00" * 5
MERGE = "f" * 40


def context_of(env: dict[str, str]) -> dict[str, object]:
    """What a user checks in the report and on the platform."""
    found = read_context(env)
    return {
        "sha": found.sha,
        "branch": found.branch,
        "pr_number": found.pr_number,
        "pr_url": found.pr_url,
        "repository": found.repository,
    }


@pytest.fixture(autouse=True)
def plain_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`git` as on a fresh agent: no user or system configuration, no repository found above
    the test's own directory, and the test's directory (in no repository) as the workspace."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    monkeypatch.chdir(workspace)


class Checkout:
    """A real repository, as a CI system clones it, the working directory of the test."""

    def __init__(self, path: Path) -> None:
        path.mkdir()
        self.path = path
        self.git("init", "-q", "-b", "main")
        self.git("remote", "add", "origin", "git@github.com:octo/shop.git")

    def git(self, *args: str, who: tuple[str, str] = ("Mona", "mona@example.com")) -> str:
        name, email = who
        identity = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
        identity |= {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **identity},
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Checkout:
    repo = Checkout(tmp_path / "checkout")
    monkeypatch.chdir(repo.path)
    return repo


class PullRequest:
    """`feature-x` one commit ahead of where it left `main`, and `main` moved on since."""

    def __init__(self, repo: Checkout) -> None:
        repo.commit("Start the shop")
        repo.git("checkout", "-q", "-b", "feature-x")
        self.head = repo.commit("Add the checkout button")
        repo.git("checkout", "-q", "main")
        self.target = repo.commit("Move the footer")


def jenkins_merge(repo: Checkout, pull: PullRequest) -> str:
    """What the Branch Source plugins' "merge" strategy leaves checked out (the Git plugin's
    MergeWithGitSCMExtension): the head, with the target merged into it by Jenkins."""
    repo.git("checkout", "-q", "--detach", pull.head)
    repo.git("merge", "-q", "--no-edit", pull.target, who=("Jenkins", "nobody@nowhere"))
    return repo.git("rev-parse", "HEAD")


# GitLab: https://docs.gitlab.com/ci/variables/predefined_variables/


def test_gitlab_merged_results_pipeline_sends_the_merge_request_s_head() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_EVENT_TYPE": "merged_result",
        "CI_COMMIT_SHA": MERGE,
        "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": SHA,
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature-x",
        "CI_MERGE_REQUEST_IID": "42",
        "CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.com/octo/shop",
        "CI_PROJECT_PATH": "octo/shop",
    }
    assert context_of(env) == {
        "sha": SHA,
        "branch": "feature-x",
        "pr_number": 42,
        "pr_url": "https://gitlab.com/octo/shop/-/merge_requests/42",
        "repository": "octo/shop",
    }


def test_gitlab_external_pull_request_pipeline_sends_the_github_pull_request() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "external_pull_request_event",
        "CI_PROJECT_PATH": "octo/shop-ci",
        "CI_PROJECT_URL": "https://gitlab.com/octo/shop-ci",
        "CI_COMMIT_SHA": SHA,
        "CI_COMMIT_REF_NAME": "feature-x",
        "CI_EXTERNAL_PULL_REQUEST_IID": "42",
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_REPOSITORY": "octo/shop",
        "CI_EXTERNAL_PULL_REQUEST_TARGET_REPOSITORY": "octo/shop",
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME": "feature-x",
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_SHA": SHA,
        "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA": MERGE,
    }
    assert context_of(env) == {
        "sha": SHA,
        "branch": "feature-x",
        "pr_number": 42,
        "pr_url": "https://github.com/octo/shop/pull/42",
        # The pull request's repository on GitHub, where `--commit-status` writes, not the
        # GitLab project that mirrors it.
        "repository": "octo/shop",
    }


def test_gitlab_tag_pipeline_has_no_branch() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_SHA": SHA,
        "CI_COMMIT_TAG": "v1.2.0",
        "CI_COMMIT_REF_NAME": "v1.2.0",
        "CI_PROJECT_PATH": "octo/shop",
    }
    found = context_of(env)
    assert found["sha"] == SHA and found["branch"] is None and found["pr_number"] is None


# CircleCI: https://circleci.com/docs/variables/#built-in-environment-variables


def test_circleci_github_app_project_takes_commit_branch_and_repository_from_git(
    checkout: Checkout,
) -> None:
    checkout.git("checkout", "-q", "-b", "feature-x")
    head = checkout.commit("Add the checkout button")
    # A GitHub App (or GitLab, or Bitbucket Data Center) project: none of the deprecated
    # CIRCLE_SHA1, CIRCLE_BRANCH, CIRCLE_PULL_REQUEST, CIRCLE_PROJECT_* variables.
    env = {
        "CI": "true",
        "CIRCLECI": "true",
        "CIRCLE_BUILD_NUM": "7",
        "CIRCLE_BUILD_URL": "https://app.circleci.com/pipelines/circleci/abc/def/7",
        "CIRCLE_JOB": "qa",
    }
    found = read_context(env)
    assert (found.sha, found.branch, found.repository) == (head, "feature-x", "octo/shop")
    assert found.commit_message == "Add the checkout button"
    assert found.source == "circleci" and found.pr_number is None


# Bitbucket: https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/


def test_bitbucket_custom_pipeline_takes_the_branch_from_git(checkout: Checkout) -> None:
    checkout.git("checkout", "-q", "-b", "feature-x")
    head = checkout.commit("Add the checkout button")
    env = {
        "CI": "true",
        "BITBUCKET_BUILD_NUMBER": "7",
        "BITBUCKET_COMMIT": head,
        "BITBUCKET_REPO_FULL_NAME": "octo/shop",
        "BITBUCKET_GIT_HTTP_ORIGIN": "https://bitbucket.org/octo/shop",
    }
    assert context_of(env) == {
        "sha": head,
        "branch": "feature-x",
        "pr_number": None,
        "pr_url": None,
        "repository": "octo/shop",
    }


def test_bitbucket_tag_pipeline_has_no_branch(checkout: Checkout) -> None:
    tagged = checkout.commit("Release 1.2.0")
    checkout.git("tag", "v1.2.0")
    checkout.git("checkout", "-q", "v1.2.0")  # detached, as Bitbucket clones a tag
    env = {
        "CI": "true",
        "BITBUCKET_BUILD_NUMBER": "8",
        "BITBUCKET_COMMIT": tagged,
        "BITBUCKET_TAG": "v1.2.0",
        "BITBUCKET_REPO_FULL_NAME": "octo/shop",
    }
    found = read_context(env)
    assert found.sha == tagged and found.branch is None
    assert found.commit_message == "Release 1.2.0"


# Jenkins: the Git plugin, the Branch API plugin and the GitHub Pull Request Builder.

JENKINS = {
    "JENKINS_URL": "https://ci.example.com/",
    "BUILD_URL": "https://ci.example.com/job/shop/job/PR-42/3/",
}
JENKINS_PR = {
    **JENKINS,
    "BRANCH_NAME": "PR-42",
    "CHANGE_ID": "42",
    "CHANGE_URL": "https://github.com/octo/shop/pull/42",
    "CHANGE_TITLE": "Add the checkout button",
    "CHANGE_AUTHOR": "mona",
    "CHANGE_TARGET": "main",
    "CHANGE_BRANCH": "feature-x",
}
PULL_REQUEST_42 = {
    "branch": "feature-x",
    "pr_number": 42,
    "pr_url": "https://github.com/octo/shop/pull/42",
    "repository": "octo/shop",
}


def test_jenkins_pr_merge_build_sends_the_pull_request_s_head(checkout: Checkout) -> None:
    pull = PullRequest(checkout)
    merge = jenkins_merge(checkout, pull)
    env = {
        **JENKINS_PR,
        "GIT_COMMIT": merge,
        "GIT_BRANCH": "PR-42",
        "GIT_URL": "https://github.com/octo/shop.git",
    }
    assert context_of(env) == {"sha": pull.head, **PULL_REQUEST_42}
    assert read_context(env).commit_message == "Add the checkout button"


def test_jenkins_scripted_pr_merge_build_without_git_variables_sends_the_head(
    checkout: Checkout,
) -> None:
    pull = PullRequest(checkout)
    jenkins_merge(checkout, pull)
    assert context_of(JENKINS_PR) == {"sha": pull.head, **PULL_REQUEST_42}


def test_jenkins_builds_a_pull_request_whose_head_is_itself_a_merge_as_it_is(
    checkout: Checkout,
) -> None:
    pull = PullRequest(checkout)
    # GitHub's "Update branch": main merged into the pull request's branch, on GitHub.
    checkout.git("checkout", "-q", "feature-x")
    checkout.git("merge", "-q", "--no-edit", "main", who=("GitHub", "noreply@github.com"))
    updated = checkout.git("rev-parse", "HEAD")
    checkout.git("checkout", "-q", "--detach", updated)  # the "head" strategy
    env = {**JENKINS_PR, "GIT_COMMIT": updated, "GIT_BRANCH": "PR-42"}
    assert context_of(env) == {"sha": updated, **PULL_REQUEST_42}
    assert updated not in (pull.head, pull.target)


def test_jenkins_branch_build_keeps_its_merge_commit(checkout: Checkout) -> None:
    pull = PullRequest(checkout)
    merge = jenkins_merge(checkout, pull)
    env = {**JENKINS, "BRANCH_NAME": "main", "GIT_COMMIT": merge, "GIT_BRANCH": "origin/main"}
    found = context_of(env)
    assert (found["sha"], found["branch"], found["pr_number"]) == (merge, "main", None)


def test_jenkins_pr_build_keeps_git_commit_when_head_is_not_that_merge(
    checkout: Checkout,
) -> None:
    pull = PullRequest(checkout)
    jenkins_merge(checkout, pull)
    env = {**JENKINS_PR, "GIT_COMMIT": pull.target}
    assert context_of(env)["sha"] == pull.target


def test_jenkins_scripted_pipeline_takes_everything_from_git(checkout: Checkout) -> None:
    head = checkout.commit("Add the checkout button")
    found = read_context(JENKINS)  # no GIT_* in a scripted pipeline's environment
    assert (found.sha, found.branch, found.repository) == (head, "main", "octo/shop")
    assert found.commit_message == "Add the checkout button" and found.source == "jenkins"


def test_jenkins_github_pull_request_builder_sends_its_actual_commit() -> None:
    env = {
        **JENKINS,
        "GIT_COMMIT": MERGE,  # refs/pull/42/merge, GitHub's merge
        "GIT_URL": "https://github.com/octo/shop.git",
        "sha1": "origin/pr/42/merge",
        "ghprbActualCommit": SHA,
        "ghprbPullId": "42",
        "ghprbSourceBranch": "feature-x",
        "ghprbTargetBranch": "main",
        "ghprbPullLink": "https://github.com/octo/shop/pull/42",
    }
    assert context_of(env) == {"sha": SHA, **PULL_REQUEST_42}


def test_jenkins_tag_build_has_no_branch() -> None:
    env = {**JENKINS, "BRANCH_NAME": "v1.2.0", "TAG_NAME": "v1.2.0", "GIT_COMMIT": SHA}
    found = context_of(env)
    assert found["sha"] == SHA and found["branch"] is None


# Azure Pipelines: https://learn.microsoft.com/azure/devops/pipelines/build/variables

AZURE = {
    "TF_BUILD": "True",
    "SYSTEM_COLLECTIONURI": "https://dev.azure.com/fabrikam/",
    "SYSTEM_TEAMPROJECT": "Shop",
    "BUILD_BUILDID": "77",
}


def test_azure_github_pull_request_is_its_number_not_its_id() -> None:
    env = {
        **AZURE,
        "BUILD_REASON": "PullRequest",
        "BUILD_REPOSITORY_PROVIDER": "GitHub",
        "BUILD_REPOSITORY_NAME": "octo/shop",
        "BUILD_REPOSITORY_URI": "https://github.com/octo/shop",
        "BUILD_SOURCEBRANCH": "refs/pull/42/merge",
        "BUILD_SOURCEVERSION": MERGE,
        "BUILD_SOURCEVERSIONMESSAGE": "Merge pull request 42 from feature-x into main",
        "SYSTEM_PULLREQUEST_PULLREQUESTID": "1702849366",
        "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER": "42",
        "SYSTEM_PULLREQUEST_SOURCEBRANCH": "feature-x",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID": SHA,
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "main",
    }
    assert context_of(env) == {"sha": SHA, **PULL_REQUEST_42}
    assert read_context(env).commit_message is None  # not the merge's


def test_azure_github_pull_request_id_alone_is_no_number() -> None:
    env = {
        **AZURE,
        "BUILD_REPOSITORY_PROVIDER": "GitHub",
        "BUILD_REPOSITORY_NAME": "octo/shop",
        "SYSTEM_PULLREQUEST_PULLREQUESTID": "1702849366",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID": SHA,
    }
    found = context_of(env)
    assert found["pr_number"] is None and found["pr_url"] is None


@pytest.mark.parametrize(
    "where",
    [
        {"SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI": "https://dev.azure.com/fabrikam/Shop/_git/shop"},
        {"BUILD_REPOSITORY_URI": "https://fabrikam@dev.azure.com/fabrikam/Shop/_git/shop"},
    ],
    ids=["source-repository-uri", "repository-uri"],
)
def test_azure_repos_pull_request_is_its_id_at_the_repository(where: dict[str, str]) -> None:
    env = {
        **AZURE,
        **where,
        "BUILD_REASON": "PullRequest",
        "BUILD_REPOSITORY_PROVIDER": "TfsGit",
        "BUILD_REPOSITORY_NAME": "shop",
        "BUILD_SOURCEBRANCH": "refs/pull/17/merge",
        "BUILD_SOURCEVERSION": MERGE,
        "SYSTEM_PULLREQUEST_PULLREQUESTID": "17",
        "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/feature-x",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID": SHA,
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
    }
    assert context_of(env) == {
        "sha": SHA,
        "branch": "feature-x",
        "pr_number": 17,
        "pr_url": "https://dev.azure.com/fabrikam/Shop/_git/shop/pullrequest/17",
        "repository": "shop",
    }


def test_azure_tag_build_has_no_branch() -> None:
    env = {
        **AZURE,
        "BUILD_REASON": "IndividualCI",
        "BUILD_REPOSITORY_PROVIDER": "GitHub",
        "BUILD_REPOSITORY_NAME": "octo/shop",
        "BUILD_SOURCEBRANCH": "refs/tags/v1.2.0",
        "BUILD_SOURCEBRANCHNAME": "v1.2.0",
        "BUILD_SOURCEVERSION": SHA,
        "BUILD_SOURCEVERSIONMESSAGE": "Release 1.2.0",
    }
    found = read_context(env)
    assert (found.sha, found.branch, found.pr_number) == (SHA, None, None)
    assert found.commit_message == "Release 1.2.0"


def test_azure_branch_build_reads_the_branch_from_its_ref() -> None:
    env = {
        **AZURE,
        "BUILD_REPOSITORY_PROVIDER": "TfsGit",
        "BUILD_REPOSITORY_NAME": "shop",
        "BUILD_SOURCEBRANCH": "refs/heads/feature/tools",
        "BUILD_SOURCEBRANCHNAME": "tools",
        "BUILD_SOURCEVERSION": SHA,
    }
    assert read_context(env).branch == "feature/tools"


# Each field from git on its own, and git only when a field is missing.


def test_git_is_not_asked_when_the_variables_give_every_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_git(*args: str) -> str | None:
        raise AssertionError(f"git {' '.join(args)} was run")

    monkeypatch.setattr(ci_context, "_git", no_git)
    env = {
        "GITLAB_CI": "true",
        "CI_COMMIT_SHA": SHA,
        "CI_COMMIT_BRANCH": "main",
        "CI_COMMIT_TITLE": "Add the checkout button",
        "CI_PROJECT_PATH": "octo/shop",
    }
    assert read_context(env).sha == SHA


def test_git_names_no_branch_for_a_commit_it_has_not_checked_out(checkout: Checkout) -> None:
    built = checkout.commit("Add the checkout button")
    checkout.commit("Move the footer")  # main has moved on in the clone
    env = {"BITBUCKET_BUILD_NUMBER": "9", "BITBUCKET_COMMIT": built}
    found = read_context(env)
    assert (found.sha, found.branch) == (built, None)
    assert found.commit_message == "Add the checkout button"


def test_without_git_the_missing_fields_stay_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    found = read_context({"CIRCLECI": "true", "CIRCLE_BUILD_NUM": "7"})
    assert found == GitContext(source="circleci")


def test_outside_a_repository_the_missing_fields_stay_empty() -> None:
    found = read_context({"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_TAG": "v1.2.0"})
    assert found == GitContext(source="bitbucket-pipelines")
    assert read_context({}) == GitContext()

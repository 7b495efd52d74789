"""The pull request and commit under test, from the runner's environment and event payload.

For every event whose payload carries a pull request (`pull_request`,
`pull_request_target`, `pull_request_review`, `pull_request_review_comment`, …) the
commit is the pull request's head (not the merge commit in GITHUB_SHA) and the branch
its head branch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qarun import ci_context
from qarun.git_context import GITHUB_ACTIONS, GitContext

_MERGE_QUEUE_PR = re.compile(r"/pr-(\d+)-[0-9a-f]+$")


def read_context(env: Mapping[str, str]) -> GitContext:
    """The context from the CI system that runs qarun (GitHub Actions, GitLab CI, CircleCI,
    Bitbucket, Jenkins, Azure, Buildkite), else from `git` here, else empty. Never fails."""
    if env.get("GITHUB_ACTIONS") == "true":
        return read_github(env)
    for reader in ci_context.READERS:
        found = reader(env)
        if found is not None:
            return found
    return ci_context.local_git(env) or GitContext()


def read_github(env: Mapping[str, str]) -> GitContext:
    """GitHub Actions' context; a missing or unreadable payload leaves fields empty."""
    event = _load_event(env.get("GITHUB_EVENT_PATH", ""))
    event_name = env.get("GITHUB_EVENT_NAME") or None
    repository = env.get("GITHUB_REPOSITORY") or _str(_dig(event, "repository", "full_name"))
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    run_id = env.get("GITHUB_RUN_ID")
    run_url = f"{server}/{repository}/actions/runs/{run_id}" if repository and run_id else None
    actor = env.get("GITHUB_ACTOR") or _str(_dig(event, "sender", "login"))

    sha = env.get("GITHUB_SHA") or None
    branch = _branch_from_ref(env.get("GITHUB_REF", ""))
    pr_number: int | None = None
    pr_url: str | None = None
    message = _str(_dig(event, "head_commit", "message"))

    pull = _dig(event, "pull_request")
    if isinstance(pull, dict):
        sha = _str(_dig(pull, "head", "sha")) or sha
        branch = _str(_dig(pull, "head", "ref")) or env.get("GITHUB_HEAD_REF") or branch
        pr_number = _int(event.get("number")) or _int(pull.get("number"))
        pr_url = _str(pull.get("html_url"))
        message = _str(pull.get("title")) or message
    elif event_name == "merge_group":
        group = _dig(event, "merge_group")
        if isinstance(group, dict):
            sha = _str(group.get("head_sha")) or sha
            head_ref = _str(group.get("head_ref")) or ""
            match = _MERGE_QUEUE_PR.search(head_ref)
            pr_number = int(match.group(1)) if match else None
            message = _str(_dig(group, "head_commit", "message")) or message
    if pr_number is not None and pr_url is None and repository:
        pr_url = f"{server}/{repository}/pull/{pr_number}"

    return GitContext(
        repository=repository,
        sha=sha,
        branch=branch,
        pr_number=pr_number,
        pr_url=pr_url,
        actor=actor,
        workflow_run_url=run_url,
        commit_message=message,
        event_name=event_name,
        source=GITHUB_ACTIONS,
    )


def _load_event(path: str) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _branch_from_ref(ref: str) -> str | None:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

"""The commit under test: the PR head, never the merge commit (README, What it does;
docs/runner.md, The event payload)."""

from __future__ import annotations

import json
from pathlib import Path

from qarun.context import read_context
from tests.harness import HEAD_SHA, MERGE_SHA, pull_request_event, push_event


def env_for(
    tmp_path: Path, event_name: str, event: dict[str, object], **extra: str
) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_SHA": MERGE_SHA,
        "GITHUB_REF": "refs/pull/42/merge",
        "GITHUB_ACTOR": "mona",
        "GITHUB_RUN_ID": "777",
        "GITHUB_SERVER_URL": "https://github.com",
        **extra,
    }


def test_pull_request_uses_the_head_commit_and_branch(tmp_path: Path) -> None:
    context = read_context(env_for(tmp_path, "pull_request", pull_request_event(42)))
    assert context.sha == HEAD_SHA
    assert context.branch == "feature-x"
    assert context.pr_number == 42
    assert context.pr_url == "https://github.com/octo/shop/pull/42"
    assert context.workflow_run_url == "https://github.com/octo/shop/actions/runs/777"
    assert context.actor == "mona"


def test_pull_request_target_also_uses_the_head(tmp_path: Path) -> None:
    context = read_context(env_for(tmp_path, "pull_request_target", pull_request_event(7)))
    assert (context.sha, context.pr_number) == (HEAD_SHA, 7)


def test_push_uses_github_sha_and_the_branch_from_the_ref(tmp_path: Path) -> None:
    env = env_for(tmp_path, "push", push_event(), GITHUB_SHA=HEAD_SHA, GITHUB_REF="refs/heads/main")
    context = read_context(env)
    assert (context.sha, context.branch, context.pr_number) == (HEAD_SHA, "main", None)
    assert context.commit_message == "Fix the cart total"


def test_merge_group_reads_the_pr_number_from_the_head_ref(tmp_path: Path) -> None:
    event = {
        "merge_group": {
            "head_sha": HEAD_SHA,
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-128-" + "ab" * 20,
        }
    }
    context = read_context(env_for(tmp_path, "merge_group", event))
    assert (context.sha, context.pr_number) == (HEAD_SHA, 128)


def test_a_missing_or_broken_payload_leaves_fields_empty(tmp_path: Path) -> None:
    (tmp_path / "event.json").write_text("{not json")
    env = env_for(tmp_path, "pull_request", {})
    (tmp_path / "event.json").write_text("{not json")
    context = read_context(env)
    assert context.sha == MERGE_SHA
    assert context.pr_number is None

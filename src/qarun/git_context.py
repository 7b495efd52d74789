"""The pull request and commit under test, as every part of qarun shares them (read by
context.py on GitHub Actions, by ci_context.py elsewhere)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class GitContext:
    repository: str | None = None
    sha: str | None = None
    branch: str | None = None
    pr_number: int | None = None
    pr_url: str | None = None
    actor: str | None = None
    workflow_run_url: str | None = None
    commit_message: str | None = None
    event_name: str | None = None
    # The CI system that ran qarun, as Qualigate's `context.source` names it.
    source: str | None = None

    def as_report(self) -> dict[str, Any]:
        """The report's `context` object (README): everything but the commit message."""
        data = asdict(self)
        for private in ("commit_message", "event_name", "source"):
            data.pop(private)
        return data

    @property
    def short_sha(self) -> str:
        return (self.sha or "")[:7]

    @property
    def pr_label(self) -> str:
        """The pull request as its host calls it: "PR #7", or "MR !7" for a GitLab merge
        request."""
        if self.pr_url and "/-/merge_requests/" in self.pr_url:
            return f"MR !{self.pr_number}"
        return f"PR #{self.pr_number}"


GITHUB_ACTIONS = "github-actions"

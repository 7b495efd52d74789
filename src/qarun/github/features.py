"""`commit-status` and `pr-comment`: what each needs, whether it still goes on, and the one
warning that says what went wrong with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qarun.errors import TOKEN_VARIABLES, input_named
from qarun.github.api import GitHubError
from qarun.inputs import through_command
from qarun.urls import is_safe_url

# A missing permission (403), or a repository the token cannot see (404).
DENIED = frozenset({403, 404})
# Answers that every later call would get too.
REFUSED = DENIED | {401}


@dataclass
class Feature:
    """`commit-status` or `pr-comment`: what it needs, and whether it still goes on."""

    input: str
    what: str
    permission: str
    on: bool
    # Asked for through the `qarun` command: named as its option (`--commit-status`).
    as_option: bool = False
    failures: list[GitHubError] = field(default_factory=list)
    given_up: bool = False

    @property
    def named(self) -> str:
        return input_named(self.input, self.as_option)

    def yaml(self) -> str:
        return f"permissions:\n  contents: read\n  {self.permission}"

    def warning(self) -> str | None:
        """One warning for everything that went wrong with the feature in this action run,
        with what to do about it; None when nothing did. Clears what it reports."""
        if not self.failures:
            return None
        first, count = self.failures[0], len(self.failures)
        more = f" (and {count - 1} more failure(s))" if count > 1 else ""
        self.failures.clear()
        return (
            f"{self.named}: qarun could not {self.what}: {first}{more}. {self._advice(first)} "
            "The QA result is not affected."
        )

    def _advice(self, first: GitHubError) -> str:
        if first.retry_after is not None:
            return (
                "GitHub rate-limited the token and asked to wait longer than qarun had left; "
                "it may work on the next run."
            )
        if first.status in DENIED and self.as_option:
            return (
                f"The token ({' or '.join(TOKEN_VARIABLES)}) needs the `{self.permission}` "
                "permission on the repository: a fine-grained token's write access to its "
                "commit statuses or pull requests, or a classic token's `repo` scope."
            )
        if first.status in DENIED:
            return (
                f"The job's token needs the `{self.permission}` permission; add to the job "
                f"or the workflow:\n{self.yaml()}\nA pull request from a fork gets a "
                "read-only token, which no `permissions:` block can change."
            )
        if first.status == 401:
            where = " or ".join(TOKEN_VARIABLES) if self.as_option else "`github-token`"
            return f"Check the token ({where}): GitHub did not accept it."
        return "It may work on the next run."


def asked(statuses: bool, comment: bool, as_option: bool) -> tuple[Feature, Feature]:
    """`commit-status` and `pr-comment`, each on as asked (`as_option`: through the command)."""
    return (
        Feature("commit-status", "set commit statuses", "statuses: write", statuses, as_option),
        Feature(
            "pr-comment", "comment on the pull request", "pull-requests: write", comment, as_option
        ),
    )


def setup_problem(
    token: str, repository: str | None, api_url: str, env: Mapping[str, str]
) -> str | None:
    """Why neither feature can send anything at all, or None. Run as the `qarun` command, the
    token and the repository come from elsewhere than a workflow's (`env`)."""
    command = through_command(env)
    if not token:
        if command:
            return (
                f"no GitHub token: set {TOKEN_VARIABLES[0]} (or {TOKEN_VARIABLES[1]}) to a token "
                "that may write commit statuses and pull request comments on the repository."
            )
        return (
            "`github-token` is empty; leave it out of `with:` to use the job's token, or "
            "pass one: `github-token: ${{ secrets.GITHUB_TOKEN }}`."
        )
    if not repository:
        if command:
            return (
                "the CI system's variables name no repository, and `git` found no `origin` "
                "remote, so qarun does not know the GitHub repository."
            )
        return "GITHUB_REPOSITORY is not set, so qarun does not know the repository."
    if not is_safe_url(api_url):
        return (
            f"GITHUB_API_URL `{api_url}` is not an https:// URL; qarun does not send "
            "the token there."
        )
    return None

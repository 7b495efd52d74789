"""GitHub's REST API through PyGithub: commit statuses and one issue comment.

PyGithub comes with actions-toolkit and handles GitHub Enterprise Server base
URLs (`GITHUB_API_URL`, e.g. https://ghe.example.com/api/v3), the token
header and `Link` pagination. qarun sets what it leaves open: a timeout on
every call, no pause between writes (qarun makes a handful), and retries only
where sending twice is harmless: a connection never made, or a 5xx to a GET or
PATCH. Every failure comes out as GitHubError with GitHub's own message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from github import Auth, Github, GithubException, RateLimitExceededException
from github.GithubObject import NotSet
from urllib3.util.retry import Retry

from qarun.http import USER_AGENT
from qarun.http_failures import parse_retry_after

PER_PAGE = 100


# The token a workflow gets by default is the GitHub Actions app's; it cannot read
# GET /user, and the comments it writes are by this login.
ACTIONS_BOT = "github-actions[bot]"
# GitHub asks to wait at least a minute after a secondary rate limit that names no time.
SECONDARY_RATE_LIMIT_WAIT = 60.0


class GitHubError(Exception):
    """A GitHub call failed. `status` is the HTTP status, None when GitHub was not reached.

    `retry_after`: seconds GitHub asked to wait, for a rate limit (a 429, or a 403 whose
    message says rate limit: a secondary rate limit, not a missing permission).
    """

    def __init__(
        self, message: str, status: int | None = None, *, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _retry() -> Retry:
    return Retry(
        total=2,
        connect=2,
        read=0,
        status=2,
        other=0,
        backoff_factor=0.5,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "PATCH"}),
        respect_retry_after_header=False,
        raise_on_status=False,
    )


class GitHubApi:
    """One repository on one GitHub host, with one token."""

    def __init__(self, base_url: str, token: str, repository: str, *, timeout: int) -> None:
        self._github = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            user_agent=USER_AGENT,
            per_page=PER_PAGE,
            retry=_retry(),
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        # Lazy (the client's setting): no request until something is created or listed.
        self._repo = self._github.get_repo(repository)

    def close(self) -> None:
        self._github.close()

    def set_status(
        self, sha: str, *, state: str, context: str, description: str, target_url: str | None
    ) -> int:
        """POST /repos/{o}/{r}/statuses/{sha}; returns the new status's id."""
        with _calling():
            status = self._repo.get_commit(sha).create_status(
                state, target_url=target_url or NotSet, description=description, context=context
            )
            return status.id

    def sticky_comment(self, number: int, marker: str, body: str) -> tuple[bool, str]:
        """Edits the first comment that starts with `marker` and was written by this token's
        own user, else creates one: anyone can write the marker, only qarun's is edited.

        Returns whether it was created, and the comment's web address.
        """
        with _calling():
            issue = self._repo.get_issue(number)
            own: str | None = None
            for comment in issue.get_comments():
                if not (comment.body or "").startswith(marker):
                    continue
                own = own or self._own_login()
                if comment.user is not None and comment.user.login == own:
                    comment.edit(body)
                    return False, comment.html_url
            created = issue.create_comment(body)
            return True, created.html_url

    def _own_login(self) -> str:
        """The token's user: GET /user for a personal token; the Actions bot for the job's
        token, which GET /user refuses."""
        try:
            return str(self._github.get_user().login)
        except GithubException as error:
            if error.status in (401, 403, 404):
                return ACTIONS_BOT
            raise


@contextmanager
def _calling() -> Iterator[None]:
    try:
        yield
    except GithubException as error:
        said = _message(error.data) or error.message or "no message"
        raise GitHubError(
            f"GitHub answered HTTP {error.status} ({said})",
            error.status,
            retry_after=_rate_limit_wait(error, said),
        ) from None
    except requests.RequestException as error:
        raise GitHubError(f"GitHub could not be reached ({type(error).__name__})") from None


def _rate_limit_wait(error: GithubException, said: str) -> float | None:
    """Seconds to wait when the answer is a rate limit (429, or a 403 saying so), else None."""
    if error.status not in (403, 429):
        return None
    headers = {name.lower(): value for name, value in (error.headers or {}).items()}
    limited = (
        error.status == 429
        or isinstance(error, RateLimitExceededException)
        or "rate limit" in said.lower()
        or headers.get("x-ratelimit-remaining") == "0"
    )
    if not limited:
        return None
    asked = parse_retry_after(headers.get("retry-after", ""))
    if asked is not None:
        return asked
    try:
        return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
    except (KeyError, ValueError):
        return SECONDARY_RATE_LIMIT_WAIT


def _message(data: Any) -> str:
    """GitHub's `message`, with its validation errors' own words (422)."""
    if not isinstance(data, dict):
        return ""
    message = str(data.get("message") or "")
    errors = data.get("errors")
    if isinstance(errors, list):
        details = [
            str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")
        ]
        if details:
            message = f"{message}: {'; '.join(details)}" if message else "; ".join(details)
    return message

"""A fake GitHub REST API on loopback: commit statuses and issue comments (docs/runner.md,
REST endpoints for statuses and comments).

It serves under `/api/v3`, as GitHub Enterprise Server does, so a client that
drops the base URL's path fails here. Only what qarun uses is implemented:

- POST  /repos/{o}/{r}/statuses/{sha}          (422 for a description over 140 characters)
- GET   /repos/{o}/{r}/issues/{n}/comments     (`per_page`, `page`, and a `Link` header)
- POST  /repos/{o}/{r}/issues/{n}/comments     (422 for a body over 65,536 characters)
- PATCH /repos/{o}/{r}/issues/comments/{id}
- GET   /user                                  (403 for the job's token, as GitHub answers
                                                the Actions app; the login for a `login` token)

`granted` holds the token's write permissions; a write without its permission
gets 403 "Resource not accessible by integration", as a fork pull request's
read-only token does. Every request is recorded (FakePlatform.requests).
`hold_status` keeps a status write in until the test lets it go: a slow write
made certain, not hoped for.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.base import FakePlatform, Recorded, Reply

PREFIX = "/api/v3"
REPOSITORY = "octo/shop"
BOT = "github-actions[bot]"
STATUS_STATES = frozenset({"error", "failure", "pending", "success"})
MAX_DESCRIPTION = 140
MAX_BODY = 65_536
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30
STATUSES, PULL_REQUESTS = "statuses", "pull-requests"
NOT_ACCESSIBLE = "Resource not accessible by integration"
DOCS = "https://docs.github.com/rest"

_STATUS_PATH = re.compile(r"/repos/([^/]+/[^/]+)/statuses/([^/]+)")
_COMMENTS_PATH = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments")
_COMMENT_PATH = re.compile(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)")
_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass
class Comment:
    id: int
    issue: int
    body: str
    user: str = BOT


@dataclass(frozen=True)
class CommitStatus:
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None


@dataclass
class Hold:
    """A status write the fake keeps unanswered, its commit status not yet set, until
    `release()`: it takes effect as late as the test says (the request itself is in
    `requests` from its arrival). `arrived` is set once the request is in."""

    state: str
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class GitHubFake(FakePlatform):
    """GitHub's REST API for one repository and one token.

    granted: the write permissions the token has (`statuses`, `pull-requests`);
    read_only() gives none, like a fork pull request's token.
    """

    def __init__(
        self,
        token: str,
        *,
        granted: Iterable[str] = (STATUSES, PULL_REQUESTS),
        repository: str = REPOSITORY,
        login: str | None = None,
    ) -> None:
        super().__init__(api_key=token)
        # None: the job's own token (the Actions app); a name: a personal access token's user.
        self.login = login
        self.granted = frozenset(granted)
        self.repository = repository
        self.statuses: list[CommitStatus] = []
        self.comments: list[Comment] = []
        self._ids: Iterator[int] = itertools.count(1001)
        self._state = threading.Lock()
        self._holds: list[Hold] = []

    @classmethod
    def read_only(cls, token: str) -> GitHubFake:
        return cls(token, granted=())

    @property
    def url(self) -> str:
        """What GITHUB_API_URL holds on GitHub Enterprise Server."""
        return super().url + PREFIX

    # --- scripting ---------------------------------------------------------------------
    def add_comments(self, issue: int, bodies: Iterable[str], user: str = "mona") -> list[Comment]:
        """Comments already on the pull request, oldest first."""
        added = []
        with self._state:
            for body in bodies:
                added.append(Comment(next(self._ids), issue, body, user))
            self.comments.extend(added)
        return added

    def hold_status(self, state: str) -> Hold:
        """Keeps the next status POST with this `state` in until the test releases it; only
        then is it recorded and answered."""
        hold = Hold(state)
        with self._state:
            self._holds.append(hold)
        return hold

    def stop(self) -> None:
        for hold in self._holds:  # a held request never outlives its test
            hold.release()
        super().stop()

    def comments_on(self, issue: int) -> list[Comment]:
        return [comment for comment in self.comments if comment.issue == issue]

    def statuses_for(self, context: str) -> list[CommitStatus]:
        return [status for status in self.statuses if status.context == context]

    # --- HTTP --------------------------------------------------------------------------
    def authorized(self, request: Recorded) -> bool:
        given = request.headers.get("authorization", "")
        return given in (f"token {self.api_key}", f"Bearer {self.api_key}")

    def unauthorized(self) -> Reply:
        return _error(401, "Bad credentials")

    def route(self, request: Recorded) -> Reply:
        path = request.path.removeprefix(PREFIX) if request.path.startswith(PREFIX + "/") else ""
        if path == "/user" and request.method == "GET":
            if self.login is None:
                return _error(403, NOT_ACCESSIBLE)
            return Reply(200, {"login": self.login, "type": "User"})
        for pattern, method, handler in (
            (_STATUS_PATH, "POST", self._create_status),
            (_COMMENTS_PATH, "GET", self._list_comments),
            (_COMMENTS_PATH, "POST", self._create_comment),
            (_COMMENT_PATH, "PATCH", self._update_comment),
        ):
            match = pattern.fullmatch(path)
            if match and request.method == method:
                if match.group(1) != self.repository:
                    return _error(404, "Not Found")
                return handler(match.group(2), request)
        return _error(404, "Not Found")

    def _create_status(self, sha: str, request: Recorded) -> Reply:
        if STATUSES not in self.granted:
            return _error(403, NOT_ACCESSIBLE)
        body = request.body if isinstance(request.body, dict) else {}
        if not _SHA.fullmatch(sha):
            return _error(422, f"No commit found for SHA: {sha}")
        state, description = body.get("state"), body.get("description")
        if state not in STATUS_STATES:
            return _invalid("Status", "state", f"state is not included in the list: {state}")
        if isinstance(description, str) and len(description) > MAX_DESCRIPTION:
            return _invalid(
                "Status", "description", "description is too long (maximum is 140 characters)"
            )
        self._wait_if_held(state)
        status = CommitStatus(
            sha=sha,
            state=state,
            context=body.get("context") or "default",
            description=description,
            target_url=body.get("target_url"),
        )
        with self._state:
            self.statuses.append(status)
            number = len(self.statuses)
        return Reply(201, {"id": number, "url": self.url + request.path, **body})

    def _wait_if_held(self, state: str) -> None:
        with self._state:
            hold = next(
                (h for h in self._holds if h.state == state and not h.arrived.is_set()), None
            )
            if hold is not None:
                hold.arrived.set()
        if hold is not None:
            hold.released.wait()

    def _list_comments(self, issue: str, request: Recorded) -> Reply:
        per_page = min(MAX_PER_PAGE, _int(request.query, "per_page", DEFAULT_PER_PAGE))
        page = max(1, _int(request.query, "page", 1))
        comments = self.comments_on(int(issue))
        last = max(1, -(-len(comments) // per_page))
        shown = comments[(page - 1) * per_page : page * per_page]
        base = f"http://{self.host}:{self.port}{request.path}?per_page={per_page}&page="
        links = []
        if page < last:
            links.append(f'<{base}{page + 1}>; rel="next"')
            links.append(f'<{base}{last}>; rel="last"')
        headers = {"Link": ", ".join(links)} if links else {}
        return Reply(200, [self._comment_answer(c) for c in shown], headers=headers)

    def _create_comment(self, issue: str, request: Recorded) -> Reply:
        if PULL_REQUESTS not in self.granted:
            return _error(403, NOT_ACCESSIBLE)
        body = request.body.get("body") if isinstance(request.body, dict) else None
        problem = _body_problem(body)
        if problem:
            return problem
        (comment,) = self.add_comments(int(issue), [str(body)], user=self.login or BOT)
        return Reply(201, self._comment_answer(comment))

    def _update_comment(self, comment_id: str, request: Recorded) -> Reply:
        if PULL_REQUESTS not in self.granted:
            return _error(403, NOT_ACCESSIBLE)
        found = next((c for c in self.comments if c.id == int(comment_id)), None)
        if found is None:
            return _error(404, "Not Found")
        body = request.body.get("body") if isinstance(request.body, dict) else None
        problem = _body_problem(body)
        if problem:
            return problem
        found.body = str(body)
        return Reply(200, self._comment_answer(found))

    def _comment_answer(self, comment: Comment) -> dict[str, Any]:
        issue_url = f"{self.url}/repos/{self.repository}/issues/{comment.issue}"
        return {
            "id": comment.id,
            "node_id": f"IC_{comment.id}",
            "url": f"{self.url}/repos/{self.repository}/issues/comments/{comment.id}",
            "html_url": f"https://github.com/{self.repository}/pull/{comment.issue}"
            f"#issuecomment-{comment.id}",
            "issue_url": issue_url,
            "body": comment.body,
            "user": {"login": comment.user, "type": "Bot" if comment.user == BOT else "User"},
            "created_at": "2026-11-23T10:00:00Z",
            "updated_at": "2026-11-23T10:00:00Z",
        }


def _body_problem(body: Any) -> Reply | None:
    if not isinstance(body, str) or not body:
        return _invalid("IssueComment", "body", "body cannot be blank")
    if len(body) > MAX_BODY:
        return _invalid("IssueComment", "body", "Body is too long (maximum is 65536 characters)")
    return None


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(query.get(name, [str(default)])[-1])
    except ValueError:
        return default


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"message": message, "documentation_url": DOCS})


def _invalid(resource: str, field: str, message: str) -> Reply:
    error = {"resource": resource, "code": "custom", "field": field, "message": message}
    return Reply(
        422, {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS}
    )

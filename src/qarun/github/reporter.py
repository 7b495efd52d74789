"""When qarun writes to GitHub, and what it says when GitHub refuses.

Pending statuses go out right after the triggers; final statuses and the
comment once the outcome is known, after the job summary and outputs are on
disk. Each feature warns once at most, at the end (a 403 or 404 names the
permission to add, with the YAML), gives up after a refusal or when GitHub is
unreachable, and never raises: the QA verdict stands whatever GitHub answers.
After a cancel the runner kills the step within seconds, so the final writes
then get a short budget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from qarun.cancel import Cancellation, WorkTimedOut
from qarun.clock import SYSTEM, Clock
from qarun.console import Console
from qarun.context import GitContext
from qarun.errors import CanceledError
from qarun.github import content
from qarun.github.api import GitHubApi, GitHubError
from qarun.model import Outcome, Run, Status
from qarun.settings import Settings
from qarun.urls import is_safe_url

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_API_URL = "https://api.github.com"
REQUEST_TIMEOUT = 10.0
# Seconds for each phase's writes; after a cancel the runner kills the step ~10 s
# after its first signal, and the report must be complete within 5.
PENDING_BUDGET = 30.0
FINAL_BUDGET = 60.0
STOPPING_BUDGET = 3.0
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
    failures: list[GitHubError] = field(default_factory=list)
    given_up: bool = False

    def yaml(self) -> str:
        return f"permissions:\n  contents: read\n  {self.permission}"


@dataclass
class GitHubReporter:
    """Commit statuses and the PR comment for one action run."""

    api_url: str
    token: str
    provider: str
    provider_title: str
    marker: str
    git: GitContext
    console: Console
    waiting: bool
    statuses: Feature
    comment: Feature
    stopping: Callable[[], bool] = lambda: False
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    # The context each run's statuses use, fixed when it is first announced: a run's
    # name can change while it runs, and its final status must replace the pending one.
    contexts: dict[str, str] = field(default_factory=dict)
    _deadline: float = field(default=math.inf, init=False)
    _api: GitHubApi | None = field(default=None, init=False)
    _api_timeout: int = field(default=0, init=False)
    _problem: str | None = field(default=None, init=False)

    @classmethod
    def create(
        cls,
        env: Mapping[str, str],
        settings: Settings,
        git: GitContext,
        console: Console,
        *,
        provider_title: str,
        plan: Iterable[str],
        stopping: Callable[[], bool] = lambda: False,
        clock: Clock = SYSTEM,
    ) -> GitHubReporter:
        reporter = cls(
            api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            token=settings.github_token,
            provider=settings.provider,
            provider_title=provider_title,
            marker=content.comment_marker(env, settings.provider, plan),
            git=git,
            console=console,
            waiting=settings.wait,
            statuses=Feature(
                "commit-status", "set commit statuses", "statuses: write", settings.commit_status
            ),
            comment=Feature(
                "pr-comment",
                "comment on the pull request",
                "pull-requests: write",
                settings.pr_comment,
            ),
            stopping=stopping,
            clock=clock.now,
            # On a helper thread (`*_in_time`), which a signal abandons: no need to wake.
            sleep=clock.sleep,
        )
        reporter._problem = reporter._setup_problem()
        return reporter

    def _setup_problem(self) -> str | None:
        """Why nothing can be sent at all, or None."""
        if not self.token:
            return (
                "`github-token` is empty; leave it out of `with:` to use the job's token, or "
                "pass one: `github-token: ${{ secrets.GITHUB_TOKEN }}`."
            )
        if not self.git.repository:
            return "GITHUB_REPOSITORY is not set, so qarun does not know the repository."
        if not is_safe_url(self.api_url):
            return (
                f"GITHUB_API_URL `{self.api_url}` is not an https:// URL; qarun does not send "
                "the token there."
            )
        return None

    # --- the two moments -----------------------------------------------------------------

    def pending(self, runs: Sequence[Run], *, reruns_of: Mapping[str, str] | None = None) -> None:
        """A pending status for each run just started. `reruns_of`: rerun id → first run id.

        Raises nothing but CanceledError, which a signal may raise in the middle of a call.
        """
        for rerun_id, first_id in (reruns_of or {}).items():
            if first_id in self.contexts:
                self.contexts[rerun_id] = self.contexts[first_id]
        self._deadline = self.clock() + PENDING_BUDGET
        self._safely(self._pending_statuses, runs)

    def pending_in_time(
        self,
        runs: Sequence[Run],
        cancel: Cancellation,
        budget: float,
        *,
        reruns_of: Mapping[str, str] | None = None,
    ) -> None:
        """`pending`, abandoned after `budget` seconds (the time left before the deadline)
        or at a signal: a slow GitHub cannot hold the step."""
        try:
            cancel.call(lambda: self.pending(runs, reruns_of=reruns_of), budget)
        except WorkTimedOut:
            self.console.warning("GitHub did not take the pending commit statuses in time.")

    def finish_in_time(self, outcome: Outcome, cancel: Cancellation, budget: float) -> None:
        """`finish`, abandoned when its time is up however slowly GitHub answers: after a
        signal, once `budget` seconds from it have passed (a canceled step must exit within
        the 5 s the runner allows); otherwise after FINAL_BUDGET."""
        left = cancel.left_after_signal(budget) if cancel.requested else FINAL_BUDGET
        try:
            cancel.call(lambda: self.finish(outcome), left, stoppable=False)
        except WorkTimedOut:
            self.console.warning(
                "The commit statuses and the pull-request comment were abandoned: GitHub did "
                "not answer within the time a canceled step has."
            )

    def finish(self, outcome: Outcome) -> None:
        """Final statuses, then the comment. Never raises."""
        self._deadline = self.clock() + (STOPPING_BUDGET if self.stopping() else FINAL_BUDGET)
        self._safely(self._final_statuses, outcome)
        self._safely(self._sticky_comment, outcome)
        self._warn(self.statuses)
        self._warn(self.comment)
        if self._api is not None:
            self._api.close()

    def _safely(self, step: Callable[[T], None], argument: T) -> None:
        try:
            step(argument)
        except CanceledError:
            raise
        except Exception as error:  # a bug of ours or PyGithub's must not change the verdict
            self.console.warning(
                f"qarun could not finish writing to GitHub ({type(error).__name__}: {error}). "
                "The QA result is not affected."
            )

    # --- statuses ------------------------------------------------------------------------

    def _pending_statuses(self, runs: Sequence[Run]) -> None:
        self._name(runs)
        if not self._usable(self.statuses) or not self._sha_known():
            return
        sent = self._set_statuses(
            runs,
            state=lambda run: "pending",
            description=lambda run: content.pending_description(
                run, self.provider_title, waiting=self.waiting
            ),
        )
        if sent:
            self.console.info(f"Commit statuses: {sent} pending on {self.git.short_sha}.")

    def _final_statuses(self, outcome: Outcome) -> None:
        # `wait: false` leaves them pending: qarun never learns how the runs end.
        if outcome.status is Status.TRIGGERED or not outcome.runs:
            return
        if not self._usable(self.statuses) or not self._sha_known():
            return
        self._name(outcome.runs)
        sent = self._set_statuses(
            outcome.runs,
            state=content.final_state,
            description=lambda run: content.final_description(run, outcome),
        )
        if sent:
            self.console.info(f"Commit statuses: {sent} set on {self.git.short_sha}.")

    def _name(self, runs: Sequence[Run]) -> None:
        new = [run for run in runs if run.id not in self.contexts]
        names = content.status_contexts(self.provider, new, taken=self.contexts.values())
        self.contexts.update(zip((run.id for run in new), names, strict=True))

    def _set_statuses(
        self,
        runs: Sequence[Run],
        *,
        state: Callable[[Run], str],
        description: Callable[[Run], str],
    ) -> int:
        sent = 0
        for run in runs:
            done = self._call(
                self.statuses,
                GitHubApi.set_status,
                str(self.git.sha),
                state=state(run),
                context=self.contexts[run.id],
                description=self.console.redact(description(run)),
                target_url=content.target_url(run, self.git.workflow_run_url),
            )
            if self.statuses.given_up:
                break
            sent += done is not None
        return sent

    def _sha_known(self) -> bool:
        if self.git.sha:
            return True
        self.statuses.given_up = True
        self.console.warning(
            "`commit-status`: the commit under test is unknown (no GITHUB_SHA), so qarun sets "
            "no statuses. The QA result is not affected."
        )
        return False

    # --- the comment ---------------------------------------------------------------------

    def _sticky_comment(self, outcome: Outcome) -> None:
        if not self._usable(self.comment):
            return
        number = self.git.pr_number
        if number is None:
            event = self.git.event_name or "this"
            self.console.info(
                f"PR comment: a `{event}` event has no pull request, so qarun writes no comment."
            )
            return
        body = self.console.redact(content.comment_body(outcome, self.marker))
        done = self._call(self.comment, GitHubApi.sticky_comment, number, self.marker, body)
        if done is not None:
            created, url = done
            self.console.info(f"PR comment: {'created' if created else 'updated'} {url}")

    # --- plumbing ------------------------------------------------------------------------

    def _usable(self, feature: Feature) -> bool:
        if not feature.on or feature.given_up:
            return False
        if self._problem is not None:
            feature.given_up = True
            self.console.warning(
                f"`{feature.input}`: {self._problem} The QA result is not affected."
            )
            return False
        return True

    def _call(
        self,
        feature: Feature,
        method: Callable[Concatenate[GitHubApi, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T | None:
        """One GitHub call; a failure is recorded on the feature and gives None, never raises."""
        api = self._connection()
        if api is None:
            feature.failures.append(GitHubError("no time was left for it"))
            feature.given_up = True
            return None
        try:
            return method(api, *args, **kwargs)
        except GitHubError as error:
            wait = error.retry_after
            if wait is not None and self.clock() + wait < self._deadline and not self.stopping():
                # A rate limit, not a refusal: wait as asked, within the budget, then again.
                self.sleep(wait)
                return self._call(feature, method, *args, **kwargs)
            feature.failures.append(error)
            # The same answer awaits every later call; a 5xx or a rate limit may pass.
            feature.given_up = wait is None and (error.status is None or error.status in REFUSED)
            return None

    def _connection(self) -> GitHubApi | None:
        """The client, its timeout cut to what is left of the budget."""
        if self.stopping():
            self._deadline = min(self._deadline, self.clock() + STOPPING_BUDGET)
        left = self._deadline - self.clock()
        if left <= 0:
            return None
        timeout = max(1, math.floor(min(REQUEST_TIMEOUT, left)))
        if self._api is None or timeout < self._api_timeout:
            if self._api is not None:
                self._api.close()
            self._api = GitHubApi(
                self.api_url, self.token, str(self.git.repository), timeout=timeout
            )
            self._api_timeout = timeout
        return self._api

    def _warn(self, feature: Feature) -> None:
        """One warning for everything that went wrong with the feature in this action run."""
        if not feature.failures:
            return
        first, count = feature.failures[0], len(feature.failures)
        more = f" (and {count - 1} more failure(s))" if count > 1 else ""
        feature.failures.clear()
        if first.retry_after is not None:
            advice = (
                "GitHub rate-limited the token and asked to wait longer than qarun had left; "
                "it may work on the next run."
            )
        elif first.status in DENIED:
            advice = (
                f"The job's token needs the `{feature.permission}` permission; add to the job "
                f"or the workflow:\n{feature.yaml()}\nA pull request from a fork gets a "
                "read-only token, which no `permissions:` block can change."
            )
        elif first.status == 401:
            advice = "Check `github-token`: GitHub did not accept it."
        else:
            advice = "It may work on the next run."
        self.console.warning(
            f"`{feature.input}`: qarun could not {feature.what}: {first}{more}. {advice} "
            "The QA result is not affected."
        )

"""When qarun writes to GitHub, and what it says when GitHub refuses.

Pending statuses go out right after the triggers; final statuses and the
comment once the outcome is known, after the job summary and outputs are on
disk. Each feature warns once at most, at the end (a 403 or 404 names the
permission to add, with the YAML), gives up after a refusal or when GitHub is
unreachable, and never raises: the QA verdict stands whatever GitHub answers.
After a cancel the runner kills the step within seconds, so the final writes
then get a short budget.

Each moment is a phase on a helper thread, which a deadline or a signal may
abandon in the middle of a call to GitHub. A phase has its own deadline and
client; the phases share one turn to call GitHub, and a call in flight keeps
it until its answer comes. An abandoned phase makes no call after that, and a
phase that begins abandons every earlier one: whatever an abandoned thread was
sending reaches GitHub before the final statuses, and nothing from it after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from qarun.cancel import Cancellation, WorkTimedOut
from qarun.clock import SYSTEM, Clock
from qarun.console import Console
from qarun.errors import CanceledError
from qarun.git_context import GitContext
from qarun.github import content
from qarun.github.api import GitHubApi, GitHubError
from qarun.github.features import REFUSED, Feature, asked, setup_problem
from qarun.github.phases import Abandoned, Phase, Turns
from qarun.inputs import through_command
from qarun.model import Outcome, Run, Status
from qarun.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_API_URL = "https://api.github.com"
# Seconds for each phase's writes; after a cancel the runner kills the step ~10 s
# after its first signal, and the report must be complete within 5.
PENDING_BUDGET = 30.0
FINAL_BUDGET = 60.0
STOPPING_BUDGET = 3.0


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
    # Changed in a phase's turn only: another phase's thread may be reading it.
    contexts: dict[str, str] = field(default_factory=dict)
    _problem: str | None = field(default=None, init=False)
    _turns: Turns = field(default_factory=Turns, init=False, repr=False)
    _latest: Phase | None = field(default=None, init=False, repr=False)

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
        statuses, comment = asked(settings.commit_status, settings.pr_comment, through_command(env))
        reporter = cls(
            api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            token=settings.github_token,
            provider=settings.provider,
            provider_title=provider_title,
            marker=content.comment_marker(env, settings.provider, plan),
            git=git,
            console=console,
            waiting=settings.wait,
            statuses=statuses,
            comment=comment,
            stopping=stopping,
            clock=clock.now,
            # On a helper thread (`*_in_time`), which a signal abandons: no need to wake.
            sleep=clock.sleep,
        )
        reporter._problem = setup_problem(
            reporter.token, reporter.git.repository, reporter.api_url, env
        )
        return reporter

    # --- the two moments -----------------------------------------------------------------

    def pending(self, runs: Sequence[Run], *, reruns_of: Mapping[str, str] | None = None) -> None:
        """A pending status for each run just started. `reruns_of`: rerun id → first run id.

        Raises nothing but CanceledError, which a signal may raise in the middle of a call.
        It waits behind a call to GitHub still in flight: `pending_in_time` bounds that.
        """
        phase = self._begin(PENDING_BUDGET)
        self._run(phase, lambda: self._pending(phase, runs, reruns_of))

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
        phase = self._begin(PENDING_BUDGET)
        try:
            cancel.call(
                lambda: self._run(phase, lambda: self._pending(phase, runs, reruns_of)), budget
            )
        except WorkTimedOut:
            self.console.warning("GitHub did not take the pending commit statuses in time.")
        finally:
            # Done or given up on: from here its thread, if still blocked in a call, sends
            # nothing more and changes nothing the final phase reads.
            self._turns.abandon(phase)

    def finish_in_time(
        self,
        outcome: Outcome,
        cancel: Cancellation,
        budget: float,
        until: float | None = None,
    ) -> None:
        """`finish`, abandoned when its time is up however slowly GitHub answers (or an
        abandoned pending write it waits behind): after a signal, once `budget` seconds from
        it have passed (a canceled step must exit within the 5 s the runner allows);
        otherwise after FINAL_BUDGET, and by `until` (the step's `timeout` deadline, on the
        run's clock) where given. Once abandoned, it writes nothing, then or later."""
        left = cancel.left_after_signal(budget) if cancel.requested else FINAL_BUDGET
        if until is not None and not cancel.requested:
            left = max(0.0, min(left, until - self.clock()))
        phase = self._begin(self._final_budget())
        try:
            cancel.call(
                lambda: self._run(phase, lambda: self._finish(phase, outcome)),
                left,
                stoppable=False,
            )
        except WorkTimedOut:
            self.console.warning(
                "The commit statuses and the pull-request comment were abandoned: GitHub did "
                "not answer within the time a canceled step has."
            )
        finally:
            self._turns.abandon(phase)

    def finish(self, outcome: Outcome) -> None:
        """Final statuses, then the comment. Never raises. It waits behind a call to GitHub
        still in flight (an abandoned pending write): `finish_in_time` bounds that."""
        phase = self._begin(self._final_budget())
        self._run(phase, lambda: self._finish(phase, outcome))

    def _final_budget(self) -> float:
        return STOPPING_BUDGET if self.stopping() else FINAL_BUDGET

    def _begin(self, budget: float) -> Phase:
        """A new phase, the only one that writes from now on: the one before is abandoned."""
        if self._latest is not None:
            self._turns.abandon(self._latest)
        self._latest = Phase(deadline=self.clock() + budget)
        return self._latest

    def _run(self, phase: Phase, work: Callable[[], None]) -> None:
        """The phase's work, on the thread that runs it; it closes the phase's own client."""
        try:
            work()
        except Abandoned:
            pass  # a later phase took over, or the caller gave up: nothing more to do
        finally:
            phase.close()

    def _pending(
        self, phase: Phase, runs: Sequence[Run], reruns_of: Mapping[str, str] | None
    ) -> None:
        self._safely(lambda: self._pending_statuses(phase, runs, reruns_of or {}))

    def _finish(self, phase: Phase, outcome: Outcome) -> None:
        self._safely(lambda: self._final_statuses(phase, outcome))
        self._safely(lambda: self._sticky_comment(phase, outcome))
        self._warn(self.statuses)
        self._warn(self.comment)

    def _safely(self, step: Callable[[], None]) -> None:
        try:
            step()
        except (CanceledError, Abandoned):
            raise
        except Exception as error:  # a bug of ours or PyGithub's must not change the verdict
            self.console.warning(
                f"qarun could not finish writing to GitHub ({type(error).__name__}: {error}). "
                "The QA result is not affected."
            )

    # --- statuses ------------------------------------------------------------------------

    def _pending_statuses(
        self, phase: Phase, runs: Sequence[Run], reruns_of: Mapping[str, str]
    ) -> None:
        with self._turns.held(phase):
            for rerun_id, first_id in reruns_of.items():
                if first_id in self.contexts:
                    self.contexts[rerun_id] = self.contexts[first_id]
            self._name(runs)
            ready = self._usable(self.statuses) and self._sha_known()
        if not ready:
            return
        sent = self._set_statuses(
            phase,
            runs,
            state=lambda run: "pending",
            description=lambda run: content.pending_description(
                run, self.provider_title, waiting=self.waiting
            ),
        )
        if sent:
            self.console.info(f"Commit statuses: {sent} pending on {self.git.short_sha}.")

    def _final_statuses(self, phase: Phase, outcome: Outcome) -> None:
        # `wait: false` leaves them pending: qarun never learns how the runs end.
        if outcome.status is Status.TRIGGERED or not outcome.runs:
            return
        with self._turns.held(phase):
            ready = self._usable(self.statuses) and self._sha_known()
            if ready:
                self._name(outcome.runs)
        if not ready:
            return
        sent = self._set_statuses(
            phase,
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
        phase: Phase,
        runs: Sequence[Run],
        *,
        state: Callable[[Run], str],
        description: Callable[[Run], str],
    ) -> int:
        sent = 0
        for run in runs:
            done = self._call(
                phase,
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
            f"{self.statuses.named}: the commit under test is unknown (no GITHUB_SHA), so qarun "
            "sets no statuses. The QA result is not affected."
        )
        return False

    # --- the comment ---------------------------------------------------------------------

    def _sticky_comment(self, phase: Phase, outcome: Outcome) -> None:
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
        done = self._call(phase, self.comment, GitHubApi.sticky_comment, number, self.marker, body)
        if done is not None:
            created, url = done
            self.console.info(f"PR comment: {'created' if created else 'updated'} {url}")

    # --- plumbing ------------------------------------------------------------------------

    def _usable(self, feature: Feature) -> bool:
        if not feature.on or feature.given_up:
            return False
        if self._problem is not None:
            feature.given_up = True
            self.console.warning(f"{feature.named}: {self._problem} The QA result is not affected.")
            return False
        return True

    def _call(
        self,
        phase: Phase,
        feature: Feature,
        method: Callable[Concatenate[GitHubApi, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T | None:
        """One GitHub call, in the phase's turn; a failure is recorded on the feature and gives
        None. Raises only Abandoned, when the phase was abandoned before or during the call."""
        while True:
            with self._turns.held(phase):
                answer = self._attempt(phase, method, *args, **kwargs)
                if not isinstance(answer, GitHubError):
                    return answer
                wait = answer.retry_after
                if wait is None or self.clock() + wait >= phase.deadline or self.stopping():
                    feature.failures.append(answer)
                    # The same answer awaits every later call; a 5xx or a rate limit may pass.
                    feature.given_up = wait is None and (
                        answer.status is None or answer.status in REFUSED
                    )
                    return None
            # A rate limit, not a refusal: wait as asked, within the budget and out of turn,
            # then again.
            self.sleep(wait)

    def _attempt(
        self,
        phase: Phase,
        method: Callable[Concatenate[GitHubApi, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T | GitHubError:
        """The call itself: its answer, or why there is none."""
        api = self._connection(phase)
        if api is None:
            return GitHubError("no time was left for it")
        try:
            answer: T | GitHubError = method(api, *args, **kwargs)
        except GitHubError as error:
            answer = error
        # Abandoned while the call was in flight: its answer no longer counts.
        if phase.abandoned:
            raise Abandoned
        return answer

    def _connection(self, phase: Phase) -> GitHubApi | None:
        """The phase's client, its timeout cut to what is left of the phase's budget."""
        if self.stopping():
            phase.deadline = min(phase.deadline, self.clock() + STOPPING_BUDGET)
        repository = str(self.git.repository)
        return phase.connect(
            lambda timeout: GitHubApi(self.api_url, self.token, repository, timeout=timeout),
            self.clock(),
        )

    def _warn(self, feature: Feature) -> None:
        """One warning for everything that went wrong with the feature in this action run."""
        said = feature.warning()
        if said is not None:
            self.console.warning(said)

"""One action run, top to bottom: settings → trigger → wait → verdict → report → exit code.

Whatever happens, the outputs, the summary and the report are written with
what is known at that point, and one `::error::` line says why the step failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from qarun.cancel import EXIT_BUDGET, Cancellation
from qarun.clock import SYSTEM, Clock
from qarun.console import Console
from qarun.context import read_context
from qarun.deadline import Deadline
from qarun.errors import (
    EXIT_PLATFORM,
    AuthError,
    CanceledError,
    InputError,
    OutOfTimeError,
    PlatformError,
    QarunError,
    RerunRefusedError,
)
from qarun.git_context import GitContext
from qarun.http import HttpClient
from qarun.inputs import env_name
from qarun.model import Outcome, Run, Status
from qarun.providers import PROVIDERS
from qarun.providers.base import Provider, TriggerSpec
from qarun.settings import Settings, load_settings, report_targets
from qarun.verdict import exit_code, failure_sentence, final_statuses, overall_status, settled

if TYPE_CHECKING:
    from qarun.github.reporter import GitHubReporter

EXIT_UNEXPECTED = 1


@dataclass
class ActionRun:
    """The state of one run of the action, so that any failure can still report it."""

    env: Mapping[str, str]
    console: Console
    cancel: Cancellation
    settings: Settings | None = None
    context: GitContext = field(default_factory=GitContext)
    client: HttpClient | None = None
    runs: list[Run] = field(default_factory=list)
    attempts: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    triggered_at: datetime | None = None
    triggered_mono: float | None = None
    # `commit-status` / `pr-comment`; None when both are off.
    github: GitHubReporter | None = None
    # The trigger being sent: a cancel then may leave a run qarun never heard of.
    sending: TriggerSpec | None = None

    def clock(self) -> float:
        """Monotonic seconds on the run's clock (the cancellation's: one clock for a run)."""
        return self.cancel.clock.now()

    # --- the run -----------------------------------------------------------------
    def execute(self) -> Outcome:
        try:
            self.settings = load_settings(self.env)
        except InputError as problems:
            return self._stopped(Status.ERROR, problems.exit_code, str(problems), problems=problems)
        settings = self.settings
        self.context = read_context(self.env)
        provider = self._provider(settings)
        specs = [spec.with_payload(settings.payload) for spec in provider.plan()]
        if settings.dry_run:
            return self._dry_run(provider, specs)
        self._connect_github(provider, specs)
        assert self.client is not None
        self.client.deadline = Deadline.after(self.clock, settings.timeout)
        deadline = self.client.deadline.at or self.clock()
        try:
            self.cancel.check()
            if settings.wait_for_url and not self._wait_for_url(settings.wait_for_url, deadline):
                return self._finish(
                    timed_out=True,
                    error=(
                        f"{settings.wait_for_url} did not answer below HTTP 400 within the timeout "
                        f"({settings.timeout:g} s); nothing was triggered. Check the preview "
                        "deployment, or raise `timeout`."
                    ),
                )
            self._trigger_all(provider, specs)
            self._announce(self.runs, deadline)
            if not settings.wait:
                return self._finish(status=Status.TRIGGERED)
            timed_out = self._wait(provider, deadline)
            self._complete(provider)
            if not timed_out:
                timed_out = self._rerun_failed(provider, settings.rerun_failed, deadline)
            return self._finish(timed_out=timed_out)
        except CanceledError:
            return self._canceled()
        except QarunError as error:
            return self._stopped(Status.ERROR, error.exit_code, self._explained(error))

    def _explained(self, error: QarunError) -> str:
        """The error, plus where a valid key comes from when the platform rejected the key."""
        if isinstance(error, AuthError) and self.settings is not None:
            return f"{error} {PROVIDERS[self.settings.provider].key_help}"
        return str(error)

    def _provider(self, settings: Settings) -> Provider:
        cls = PROVIDERS[settings.provider]
        self.client = HttpClient(
            base_url=settings.api_url,
            headers=cls.auth_headers(settings.api_key),
            sleep=self.cancel.sleep,
            call=self.cancel.call,
            clock=self.clock,
            notify=self.console.info,
            redact=self.console.redact,
            rejects_key=cls.rejects_key,
        )
        assert settings.options is not None
        provider: Provider = cls.create(
            settings.options, self.client, self.context, settings.attach_context
        )
        return provider

    def _dry_run(self, provider: Provider, specs: list[TriggerSpec]) -> Outcome:
        assert self.client is not None and self.settings is not None
        headers = {name: "***" for name in provider.auth_headers("x")}
        self.console.info(f"Dry run: {len(specs)} request(s) would be sent; nothing is sent.")
        for spec in specs:
            text = spec.request.describe(self.client.url(spec.request.path), headers)
            self.planned.append(text)
            for line in text.splitlines():
                self.console.info(line)
        return self._finish(status=Status.SKIPPED, dry_run=True)

    def _connect_github(self, provider: Provider, specs: list[TriggerSpec]) -> None:
        """`commit-status`, `pr-comment`: PyGithub is imported only when one of them is on."""
        assert self.settings is not None
        if not (self.settings.commit_status or self.settings.pr_comment):
            return
        from qarun.github.reporter import GitHubReporter

        self.github = GitHubReporter.create(
            self.env,
            self.settings,
            self.context,
            self.console,
            provider_title=provider.title,
            plan=[f"{spec.label} | {spec.device or ''}" for spec in specs],
            stopping=lambda: self.cancel.requested,
            clock=self.cancel.clock,
        )

    def _wait_for_url(self, url: str, deadline: float) -> bool:
        from qarun.preview import wait_for_url

        return wait_for_url(url, deadline, self.clock, self.cancel, self.console.info)

    def _announce(
        self, runs: list[Run], deadline: float, reruns_of: Mapping[str, str] | None = None
    ) -> None:
        if self.github is not None:
            left = max(0.0, deadline - self.clock())
            self.github.pending_in_time(runs, self.cancel, left, reruns_of=reruns_of)

    def _trigger_all(self, provider: Provider, specs: list[TriggerSpec]) -> None:
        self.triggered_at = datetime.now(UTC)
        self.triggered_mono = self.clock()
        for spec in specs:
            self.sending = spec
            started = provider.trigger(spec)
            self.sending = None
            self.runs.extend(started)
            for run in started:
                link = f" {run.url}" if run.url else ""
                self.console.info(f"Triggered {spec.label}: run {run.id} ({run.name}){link}")

    def _wait(self, provider: Provider, deadline: float, started: float | None = None) -> bool:
        """Polls until the runs end; `started`: when they were triggered (a rerun's own
        trigger), which their schedule and durations count from."""
        # Imported here, after the trigger: the first request goes out sooner.
        from qarun.wait import Schedule, Waiter

        assert self.settings is not None and self.client is not None
        if all(run.finished for run in self.runs):
            return False
        waiter = Waiter(
            poll=self._polling(provider),
            schedule=Schedule(self.settings.poll_interval, slowdown=self.client.limits.slowdown),
            clock=self.clock,
            sleep=self.cancel.sleep,
            deadline=deadline,
            report=self.console.progress,
        )
        began = started if started is not None else self.triggered_mono
        result = waiter.wait(self.runs, self.clock() if began is None else began)
        self.runs = result.runs
        return result.timed_out

    def _polling(self, provider: Provider) -> Callable[[Sequence[Run]], list[Run]]:
        """`provider.poll`, keeping each answer: a later error or cancel still reports it."""

        def poll(runs: Sequence[Run]) -> list[Run]:
            try:
                fresh = provider.poll(runs)
            except OutOfTimeError as error:
                # The wait ends as a timeout; this says what ran the time out.
                self.notes.append(str(error))
                raise
            seen = {run.id: run for run in fresh}
            self.runs = [settled(run, seen[run.id]) if run.id in seen else run for run in self.runs]
            return fresh

        return poll

    def _complete(self, provider: Provider) -> None:
        """Per-test details; a failure here is a warning, the verdict stands on the runs."""
        finished = [run for run in self.runs if run.finished and not run.tests]
        if not finished:
            return
        try:
            detailed = {run.id: run for run in provider.complete(finished)}
        except (PlatformError, OutOfTimeError) as error:
            self.notes.append(f"The test details could not be fetched: {error}")
            self.console.warning(self.notes[-1])
            return
        self.runs = [
            settled(run, detailed[run.id]) if run.id in detailed else run for run in self.runs
        ]

    def _rerun_failed(self, provider: Provider, times: int, deadline: float) -> bool:
        """QA.tech `rerun-failed`: rerun the failed tests; the last attempt decides.

        The failed verdict is known before each rerun: a rerun the platform refuses, or one
        that cannot be started, waited for or read, leaves it standing with a warning."""
        refused: set[str] = set()
        for _ in range(times):
            failed = [
                run for run in self.runs if run.status is Status.FAILED and run.id not in refused
            ]
            if not failed:
                return False
            rerun_at = self.clock()
            reruns = self._start_reruns(provider, failed, refused)
            if not reruns:
                return False
            before = (list(self.runs), list(self.attempts))
            try:
                timed_out = self._await_reruns(provider, reruns, deadline, rerun_at)
            except (PlatformError, OutOfTimeError) as error:
                self.runs, self.attempts = before
                self._keep_verdict(f"The reruns could not be followed to their end: {error}")
                return False
            if timed_out:
                return True
        return False

    def _start_reruns(
        self, provider: Provider, failed: Sequence[Run], refused: set[str]
    ) -> dict[str, Run]:
        """The reruns started, by the id of the run each reruns."""
        reruns: dict[str, Run] = {}
        for run in failed:
            try:
                rerun = provider.rerun_failed(run)
            except (PlatformError, OutOfTimeError) as error:
                refused.add(run.id)
                reason = (
                    error
                    if isinstance(error, RerunRefusedError)
                    else (f"The failed tests of {run.name} (run {run.id}) were not rerun: {error}")
                )
                self._keep_verdict(str(reason))
                continue
            if rerun is not None:
                reruns[run.id] = rerun
                self.console.info(
                    f"Rerunning the failed tests of {run.name} (attempt {rerun.attempt}): "
                    f"run {rerun.id}"
                )
        return reruns

    def _await_reruns(
        self, provider: Provider, reruns: Mapping[str, Run], deadline: float, rerun_at: float
    ) -> bool:
        """Waits for the reruns, timed and scheduled from their own trigger; True when
        the timeout ran out first."""
        earlier = {reruns[run.id].id: run for run in self.runs if run.id in reruns}
        self.attempts.extend(earlier.values())
        firsts = {rerun_id: run.id for rerun_id, run in earlier.items()}
        self._announce(list(reruns.values()), deadline, reruns_of=firsts)
        self.runs = [reruns.get(run.id, run) for run in self.runs]
        timed_out = self._wait(provider, deadline, started=rerun_at)
        self._complete(provider)
        self.runs = [
            run.with_earlier_tests(earlier[run.id]) if run.id in earlier else run
            for run in self.runs
        ]
        return timed_out

    def _keep_verdict(self, reason: str) -> None:
        """A later, optional request failed: the verdict already known stands, with a warning."""
        self.notes.append(f"{reason.rstrip('.')}. The last attempt's result stands.")
        self.console.warning(self.notes[-1])

    # --- outcomes --------------------------------------------------------------------
    def _finish(
        self,
        *,
        status: Status | None = None,
        timed_out: bool = False,
        dry_run: bool = False,
        error: str | None = None,
    ) -> Outcome:
        assert self.settings is not None
        if status is None:
            status = overall_status(self.runs, timed_out=timed_out)
        happened = [status, *final_statuses(self.runs, timed_out=timed_out)]
        code = (
            0
            if status is Status.TRIGGERED or dry_run
            else exit_code(happened, self.settings.fail_on)
        )
        return self._outcome(status, code, error=error, timed_out=timed_out, dry_run=dry_run)

    def _canceled(self) -> Outcome:
        # The summary says the runs go on on the platform (none documents a way to stop one).
        if self.sending is not None:
            self.notes.append(
                f"The cancel came while qarun was triggering {self.sending.label}: a run may "
                "have started on the platform without qarun knowing its id; check the "
                "platform's dashboard."
            )
        return self._outcome(
            Status.CANCELED,
            1,
            error=f"The workflow was canceled ({self.cancel.signal_name}) before the runs ended.",
            canceled=True,
        )

    def _stopped(
        self, status: Status, code: int, message: str, problems: InputError | None = None
    ) -> Outcome:
        if problems is not None:
            # One annotation per problem; the summary lists them all too.
            for problem in problems.problems:
                self.console.error(str(problem))
        return self._outcome(status, code, error=message, annotate=problems is None)

    def _outcome(
        self,
        status: Status,
        code: int,
        *,
        error: str | None = None,
        timed_out: bool = False,
        canceled: bool = False,
        dry_run: bool = False,
        annotate: bool = True,
    ) -> Outcome:
        settings = self.settings
        name = settings.provider if settings else (self.env.get(env_name("provider")) or "")
        cls = PROVIDERS.get(name.lower().strip())
        mono = self.triggered_mono
        duration = None if mono is None else round(self.clock() - mono, 3)
        outcome = Outcome(
            provider=cls.name if cls else name.strip().lower(),
            provider_title=cls.title if cls else "qarun",
            status=status,
            exit_code=code,
            runs=tuple(self.runs),
            attempts=tuple(self.attempts),
            context=self.context,
            started_at=self.triggered_at,
            finished_at=datetime.now(UTC) if self.triggered_at else None,
            duration=duration,
            timed_out=timed_out,
            canceled=canceled,
            dry_run=dry_run,
            error=error,
            notes=tuple(self.notes),
            planned=tuple(self.planned),
        )
        if code != 0 and annotate:
            self.console.error(error or failure_sentence(outcome))
        return outcome


def main(
    env: Mapping[str, str] | None = None, early_signals: Sequence[int] = (), clock: Clock = SYSTEM
) -> int:
    """The action, reading `env` (the process's environment by default). `clock`: a test's."""
    env = dict(os.environ) if env is None else env
    console = Console.for_env(env)
    # Mask the secrets before anything else is printed.
    console.mask(env.get(env_name("api-key"), ""))
    console.mask(env.get(env_name("github-token"), ""))
    cancel = Cancellation(clock)
    cancel.install(early_signals)
    action = ActionRun(env=env, console=console, cancel=cancel)
    try:
        outcome = action.execute()
    except Exception as error:  # a bug of ours: report it, with its traceback in a group
        console.bug("qarun stopped on an unexpected error", error, fatal=True)
        outcome = action._outcome(
            Status.ERROR,
            EXIT_UNEXPECTED,
            error=f"qarun stopped on an unexpected error ({type(error).__name__}: {error}); "
            "please report it with this log.",
            annotate=False,
        )
    from qarun.report.outputs import redact_outcome
    from qarun.report.write import write_results

    # Redacted before rendering: escaping (Markdown, XML) could hide a key from a later redaction.
    outcome = redact_outcome(outcome, console.redact)
    targets = action.settings.targets if action.settings else report_targets(env)
    if not write_results(outcome, targets, env, console, cancel):
        outcome = replace(outcome, exit_code=EXIT_PLATFORM)
    if action.github is not None:
        # After the report: GitHub may be slow, never decisive.
        action.github.finish_in_time(outcome, cancel, EXIT_BUDGET)
    if outcome.runs and outcome.status is not Status.TRIGGERED:
        from qarun.wait import progress_line

        console.info(progress_line(outcome.runs, outcome.duration or 0.0))
    console.info(f"qarun: {outcome.status.value} (exit {outcome.exit_code})")
    cancel.settle()
    return outcome.exit_code

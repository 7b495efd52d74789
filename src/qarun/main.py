"""One action run, top to bottom: settings → trigger → wait → verdict → report → exit code.

Whatever happens, the outputs, the summary and the report are written with
what is known at that point (RunState), and one `::error::` line says why the
step failed (outcomes.Ending).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qarun.cancel import EXIT_BUDGET, Cancellation
from qarun.clock import SYSTEM, Clock
from qarun.console import Console
from qarun.context import read_context
from qarun.deadline import Deadline
from qarun.errors import (
    EXIT_BAD_INPUT,
    EXIT_PLATFORM,
    AuthError,
    CanceledError,
    InputError,
    QarunError,
    input_named,
)
from qarun.git_context import GITHUB_ACTIONS
from qarun.http import HttpClient
from qarun.inputs import env_name, through_command
from qarun.job import Job
from qarun.model import Outcome, Status
from qarun.outcomes import Ending
from qarun.providers import PROVIDERS
from qarun.providers.base import Provider, TriggerSpec, key_advice
from qarun.reruns import rerun_failed
from qarun.run_state import RunState
from qarun.settings import Settings, load_settings, report_targets
from qarun.steps import complete_runs, trigger_all, wait_for_runs

if TYPE_CHECKING:
    from qarun.github.reporter import GitHubReporter

EXIT_UNEXPECTED = 1
# What the wait leaves of the `timeout` for GitHub's final writes, when they are asked for:
# a few calls of a few hundred milliseconds each (at most this share of the whole `timeout`).
GITHUB_RESERVE = 5.0
GITHUB_RESERVE_SHARE = 0.1


@dataclass
class ActionRun:
    """One run of the action: reads its settings, builds its Job, and runs the steps."""

    env: Mapping[str, str]
    console: Console
    cancel: Cancellation
    ending: Ending
    job: Job | None = None

    @classmethod
    def create(cls, env: Mapping[str, str], console: Console, cancel: Cancellation) -> ActionRun:
        ending = Ending(env, console, cancel.clock.now, RunState())
        return cls(env, console, cancel, ending)

    @property
    def state(self) -> RunState:
        return self.ending.state

    def execute(self) -> Outcome:
        try:
            settings = load_settings(self.env)
        except InputError as problems:
            return self.ending.stopped(problems.exit_code, str(problems), problems=problems)
        self.ending.settings = settings
        self.state.context = read_context(self.env)
        problem = self._github_elsewhere(settings)
        if problem:
            return self.ending.stopped(EXIT_BAD_INPUT, problem)
        provider, client = self._platform(settings)
        specs = [spec.with_payload(settings.payload) for spec in provider.plan()]
        if settings.dry_run:
            return self._dry_run(provider, client, specs)
        github = self._github(settings, provider, specs)
        # GitHub's final statuses and comment must end by the `timeout` too: the wait keeps
        # them a share of it.
        kept = min(GITHUB_RESERVE, GITHUB_RESERVE_SHARE * settings.timeout) if github else 0.0
        now = self.cancel.clock.now()
        client.deadline = Deadline.after(self.cancel.clock.now, settings.timeout - kept)
        self.job = Job(
            settings,
            provider,
            client,
            self.console,
            self.cancel,
            step_deadline=now + settings.timeout,
            github=github,
        )
        try:
            return self._steps(self.job, specs)
        except CanceledError:
            return self.ending.canceled(self.cancel.signal_name)
        except QarunError as error:
            return self.ending.stopped(error.exit_code, self._explained(error))

    def _steps(self, job: Job, specs: Sequence[TriggerSpec]) -> Outcome:
        settings = job.settings
        job.cancel.check()
        if settings.wait_for_url and not self._wait_for_url(job, settings.wait_for_url):
            return self.ending.finished(
                timed_out=True,
                error=(
                    f"{settings.wait_for_url} did not answer below HTTP 400 within the timeout "
                    f"({settings.timeout:g} s); nothing was triggered. Check the preview "
                    f"deployment, or raise {input_named('timeout', through_command(self.env))}."
                ),
            )
        trigger_all(job, self.state, specs)
        job.announce(self.state.runs)
        if not settings.wait:
            return self.ending.finished(status=Status.TRIGGERED)
        timed_out = wait_for_runs(job, self.state)
        complete_runs(job, self.state)
        if not timed_out:
            timed_out = rerun_failed(job, self.state)
        return self.ending.finished(timed_out=timed_out)

    def _explained(self, error: QarunError) -> str:
        """The error, plus where a valid key comes from when the platform rejected the key."""
        settings = self.ending.settings
        if isinstance(error, AuthError) and settings is not None:
            advice = key_advice(PROVIDERS[settings.provider], through_command(self.env))
            return f"{error} {advice}"
        return str(error)

    def _platform(self, settings: Settings) -> tuple[Provider, HttpClient]:
        cls = PROVIDERS[settings.provider]
        client = HttpClient(
            base_url=settings.api_url,
            headers=cls.auth_headers(settings.api_key),
            sleep=self.cancel.sleep,
            call=self.cancel.call,
            clock=self.cancel.clock.now,
            notify=self.console.info,
            redact=self.console.redact,
            rejects_key=cls.rejects_key,
            # Its messages, and its providers', name the command's options.
            as_options=through_command(self.env),
        )
        assert settings.options is not None
        context = self.state.context
        provider = cls.create(settings.options, client, context, settings.attach_context)
        return provider, client

    def _dry_run(
        self, provider: Provider, client: HttpClient, specs: Sequence[TriggerSpec]
    ) -> Outcome:
        headers = {name: "***" for name in provider.auth_headers("x")}
        self.console.info(f"Dry run: {len(specs)} request(s) would be sent; nothing is sent.")
        for spec in specs:
            text = spec.request.describe(client.url(spec.request.path), headers)
            self.state.planned.append(text)
            for line in text.splitlines():
                self.console.info(line)
        return self.ending.finished(status=Status.SKIPPED, dry_run=True)

    def _github(
        self, settings: Settings, provider: Provider, specs: Sequence[TriggerSpec]
    ) -> GitHubReporter | None:
        """`commit-status`, `pr-comment`: PyGithub is imported only when one of them is on."""
        if not (settings.commit_status or settings.pr_comment):
            return None
        from qarun.github.reporter import GitHubReporter

        return GitHubReporter.create(
            self.env,
            settings,
            self.state.context,
            self.console,
            provider_title=provider.title,
            plan=[f"{spec.label} | {spec.device or ''}" for spec in specs],
            stopping=lambda: self.cancel.requested,
            clock=self.cancel.clock,
        )

    def _github_elsewhere(self, settings: Settings) -> str | None:
        """Outside GitHub Actions, why `--commit-status` or `--pr-comment` cannot be done
        (the repository is not on GitHub); None where they can."""
        asked = [
            option
            for option, on in (
                ("--commit-status", settings.commit_status),
                ("--pr-comment", settings.pr_comment),
            )
            if on
        ]
        if not asked or self.state.context.source == GITHUB_ACTIONS:
            return None
        # Only here, outside Actions with a GitHub option: not on every job's start.
        from qarun.ci_context import origin_url
        from qarun.code_host import code_host, host_problem

        found = code_host(self.env, self.state.context, origin_url)
        return host_problem(self.env, found, asked)

    def _wait_for_url(self, job: Job, url: str) -> bool:
        from qarun.preview import wait_for_url

        return wait_for_url(url, job.deadline, job.now, self.cancel, self.console.info)

    def unexpected(self, error: Exception) -> Outcome:
        """A bug of ours: reported with its traceback in a group, never a bare one."""
        self.console.bug("qarun stopped on an unexpected error", error, fatal=True)
        return self.ending.outcome(
            Status.ERROR,
            EXIT_UNEXPECTED,
            error=f"qarun stopped on an unexpected error ({type(error).__name__}: {error}); "
            "please report it with this log.",
            annotate=False,
        )


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
    action = ActionRun.create(env, console, cancel)
    try:
        outcome = action.execute()
    except Exception as error:  # a bug of ours: report it, with its traceback in a group
        outcome = action.unexpected(error)
    return report(outcome, action, env, console, cancel)


def report(
    outcome: Outcome,
    action: ActionRun,
    env: Mapping[str, str],
    console: Console,
    cancel: Cancellation,
) -> int:
    """Writes everything the step leaves behind, then GitHub's part; returns the exit code."""
    from qarun.report.outputs import redact_outcome
    from qarun.report.write import write_results

    # Redacted before rendering: escaping (Markdown, XML) could hide a key from a later redaction.
    outcome = redact_outcome(outcome, console.redact)
    settings = action.ending.settings
    targets = settings.targets if settings else report_targets(env)
    said = ", a dry run" if outcome.dry_run else ""
    if not write_results(outcome, targets, env, console, cancel):
        said += "; the outputs were not written"
        # Bad input stays exit 2: nothing was sent, and the input is what to fix first.
        if outcome.exit_code != EXIT_BAD_INPUT:
            outcome = replace(outcome, exit_code=EXIT_PLATFORM)
    job = action.job
    if job is not None and job.github is not None:
        # After the report: GitHub may be slow, never decisive, and done by the `timeout`.
        job.github.finish_in_time(outcome, cancel, EXIT_BUDGET, until=job.step_deadline)
    console.info(f"qarun: {outcome.status.value}{said} (exit {outcome.exit_code})")
    cancel.settle()
    return outcome.exit_code

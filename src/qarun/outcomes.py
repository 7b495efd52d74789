"""How a run ends: the Outcome every report renders, from the RunState and what stopped it,
with its exit code and the one `::error::` line that says why the step failed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from qarun.console import Console
from qarun.errors import InputError, input_named
from qarun.failure import failure_sentences
from qarun.inputs import env_name, through_command
from qarun.model import Outcome, Status
from qarun.providers import PROVIDERS
from qarun.run_state import RunState
from qarun.settings import Settings
from qarun.verdict import (
    exit_code,
    final_statuses,
    outcomes_of_tests,
    overall_status,
    worst,
)
from qarun.wait import progress_line, told


@dataclass
class Ending:
    """Turns a run's state into its Outcome, whichever way the run stops."""

    env: Mapping[str, str]
    console: Console
    clock: Callable[[], float]
    state: RunState
    settings: Settings | None = None

    def finished(
        self,
        *,
        status: Status | None = None,
        timed_out: bool = False,
        dry_run: bool = False,
        error: str | None = None,
    ) -> Outcome:
        """The runs' verdict (or `status`), failing the step on any outcome in fail-on."""
        assert self.settings is not None
        runs = self.state.runs
        self._aggregates_said()
        if status is None:
            status = overall_status(runs, timed_out=timed_out)
        happened = [
            status,
            *final_statuses(runs, timed_out=timed_out),
            *outcomes_of_tests(runs),
            *self.state.happened,
        ]
        quiet = status is Status.TRIGGERED or dry_run
        code = 0 if quiet else exit_code(happened, self.settings.fail_on)
        return self.outcome(status, code, error=error, timed_out=timed_out, dry_run=dry_run)

    def _aggregates_said(self) -> None:
        """A note for each aggregate verdict worse than the runs it covers: the summary says
        why the step failed when no run's own status does."""
        for run in self.state.runs:
            verdict, why = run.platform_verdict, run.platform_why
            if verdict is None or why is None or verdict in (Status.PASSED, Status.SKIPPED):
                continue
            if worst([verdict, run.status]) is verdict and verdict is not run.status:
                note = f"The platform's own verdict over the runs is {verdict.value}: {why}"
                if note not in self.state.notes:
                    self.state.note(note)

    def canceled(self, signal_name: str | None) -> Outcome:
        # The summary says the runs go on on the platform (none documents a way to stop one).
        if self.state.sending is not None:
            self.state.note(
                f"The cancel came while qarun was triggering {self.state.sending}: a run may "
                "have started on the platform without qarun knowing its id; check the "
                "platform's dashboard."
            )
        return self.outcome(
            Status.CANCELED,
            1,
            error=f"The job was canceled ({signal_name}) before the runs ended.",
            canceled=True,
        )

    def stopped(self, code: int, message: str, problems: InputError | None = None) -> Outcome:
        """Stopped by bad input (exit 2, one annotation per problem) or the platform (exit 3)."""
        if problems is not None:
            for problem in problems.problems:
                self.console.error(str(problem))
        return self.outcome(Status.ERROR, code, error=message, annotate=problems is None)

    def outcome(
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
        state = self.state
        name = self.settings.provider if self.settings else self.env.get(env_name("provider"))
        cls = PROVIDERS.get((name or "").lower().strip())
        mono = state.triggered_mono
        outcome = Outcome(
            provider=cls.name if cls else (name or "").strip().lower(),
            provider_title=cls.title if cls else "qarun",
            status=status,
            exit_code=code,
            runs=tuple(state.runs),
            attempts=tuple(state.attempts),
            context=state.context,
            started_at=state.triggered_at,
            finished_at=datetime.now(UTC) if state.triggered_at else None,
            duration=None if mono is None else round(self.clock() - mono, 3),
            timed_out=timed_out,
            canceled=canceled,
            dry_run=dry_run,
            error=error,
            notes=tuple(state.notes),
            planned=tuple(state.planned),
            as_options=through_command(self.env),
        )
        self._recap(outcome)
        if code != 0 and annotate:
            if error is None:
                said, for_summary = self._failure_sentences(outcome)
                outcome = replace(outcome, failure=for_summary)
            self.console.error(error or said)
        return outcome

    def _recap(self, outcome: Outcome) -> None:
        """The runs' tally as it ended, after the wait's lines and before the verdict's, unless
        the wait's last line said it already; a timeout or a cancel says when the wait
        stopped, whatever the tally."""
        if not outcome.runs or outcome.status is Status.TRIGGERED:
            return
        last = self.console.last_progress
        if outcome.timed_out or outcome.canceled or not told(outcome.runs, last):
            self.console.info(progress_line(outcome.runs, outcome.duration or 0.0))

    def _failure_sentences(self, outcome: Outcome) -> tuple[str, str]:
        """`failure_sentences` for the log and for the summary, from the outcome as redacted (a
        message cut short could keep part of a key), naming the input as the interface does;
        the log's points where this run shows its details: the job summary, the text summary
        below, or the platform."""
        from qarun.report.outputs import redact_outcome  # the report's, loaded when it ends

        # Only `finished` ends on the results (every other ending gives its error), after
        # the settings were read.
        assert self.settings is not None
        timeout = input_named("timeout", outcome.as_options)
        redacted = redact_outcome(outcome, self.console.redact)
        if not self.settings.summary:
            where = "see each run on the platform"
        else:
            where = "see the job summary" if self.console.github else "see the summary below"
        return failure_sentences(redacted, self.settings.fail_on, timeout, where)

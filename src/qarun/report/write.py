"""Writing the results: the report package's one job, called once by main.

The JSON report, the JUnit file, the `output-filter` result, the job summary
and the step outputs are each written on their own: an unwritable path or a
bug while rendering one loses that one only, with a warning that names it
(a bug also shows its traceback in a collapsed group). The outputs go last, so
that they can name the files written; `write_results` says whether they could
be written, since later steps would read empty outputs (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from qarun.cancel import EXIT_BUDGET, Cancellation
from qarun.console import Console
from qarun.errors import InputProblem, input_named
from qarun.inputs import through_command
from qarun.model import Outcome
from qarun.report.jq_filter import TIME_LIMIT, FilterError, run_filter
from qarun.report.json_report import build_report, render_json
from qarun.report.junit import render_junit
from qarun.report.outputs import ActionWriter, OutputsNotWritten, output_values
from qarun.report.summary import render_summary
from qarun.report.text import render_text
from qarun.settings import ReportTargets

T = TypeVar("T")


def write_results(
    outcome: Outcome,
    targets: ReportTargets,
    env: Mapping[str, str],
    console: Console,
    cancel: Cancellation | None = None,
) -> bool:
    """Writes everything the step leaves behind; False when the outputs could not be written."""
    writer = ActionWriter(env, console.redact)
    as_option = through_command(env)
    document = _made(console, "the JSON report", lambda: build_report(outcome))
    report_path, junit_path = targets.report_file, targets.junit_file
    report_file = junit_file = filtered = ""
    if report_path is not None and document is not None:
        what = f"the JSON report ({input_named('report-file', as_option)}) to {report_path}"
        render = partial(render_json, document)
        report_file = _file(console, writer, targets, report_path, what=what, render=render)
    # One path for both is bad input: the JSON report keeps the path, the JUnit file is not written.
    if junit_path is not None and junit_path != report_path and not outcome.dry_run:
        what = f"the JUnit file ({input_named('junit-file', as_option)}) to {junit_path}"
        render = partial(render_junit, outcome)
        junit_file = _file(console, writer, targets, junit_path, what=what, render=render)
    if targets.output_filter and document is not None:
        filtered = _filtered(targets.output_filter, document, console, cancel, as_option=as_option)
    summary_written = False
    if targets.summary:
        # The command writes its Markdown summary where `--summary-file` says.
        summary = "the Markdown summary (`--summary-file`)" if as_option else "the job summary"
        markdown = _made(console, summary, lambda: render_summary(outcome))
        if markdown is not None:
            summary_written = _written(console, summary, writer.append_summary, markdown)
    if not console.github and targets.summary:
        _text_summary(console, outcome)  # whatever becomes of the outputs
        summary_written = True  # the log's text summary shows the result too
    values = _made(
        console,
        "the step outputs",
        lambda: output_values(
            outcome, report_file=report_file, junit_file=junit_file, filtered=filtered
        ),
    )
    if values is None:
        return False
    shown = _shown_in(summary_written, bool(report_file or junit_file))
    return _set_outputs(console, writer, values, shown=shown, as_option=as_option)


def _set_outputs(
    console: Console,
    writer: ActionWriter,
    values: dict[str, str],
    *,
    shown: str,
    as_option: bool,
) -> bool:
    """The outputs written; False, said in the interface's words, when they could not be
    (`shown`: where the result still is)."""
    try:
        writer.set_outputs(values)
    except OutputsNotWritten as error:
        outputs, later, fails = (
            ("The outputs", "jobs", "qarun fails")
            if as_option
            else ("The step outputs", "steps or jobs", "the step fails")
        )
        console.error(
            f"{outputs} could not be written to {error.where} ({error.reason}); later {later} "
            f"would read them empty, so {fails}.{shown}"
        )
        return False
    return True


def _shown_in(summary: bool, files: bool) -> str:
    """Where the result still is, once the outputs are lost (the summary and the report files
    that were written): " The summary shows the result"."""
    where = [*(["the summary"] if summary else []), *(["the report files"] if files else [])]
    if not where:
        return ""
    verb = "shows" if where == ["the summary"] else "show"
    return f" {' and '.join(where).capitalize()} {verb} the result."


def _text_summary(console: Console, outcome: Outcome) -> None:
    """Outside GitHub nobody shows the Markdown: the summary goes to the log as text."""
    lines = _made(console, "the summary", lambda: render_text(outcome)) or []
    for number, line in enumerate(lines):
        if number == 0:
            console.verdict(line, good=outcome.exit_code == 0)
        else:
            console.info(line)


def _file(
    console: Console,
    writer: ActionWriter,
    targets: ReportTargets,
    path: Path,
    *,
    what: str,
    render: Callable[[], str],
) -> str:
    """A report file written, as later steps name it; empty when it could not be. `what`
    names it in a warning: the file, its input and its path."""
    text = _made(console, what, render)
    if text is None or not _written(console, what, writer.write_file, path, text):
        return ""
    return _as_given(path, targets.workspace)


def _filtered(
    program: str,
    document: dict[str, Any],
    console: Console,
    cancel: Cancellation | None,
    *,
    as_option: bool,
) -> str:
    """`output-filter`'s result, or empty with a warning (naming the input as the interface
    does). After a cancel signal the filter gets what is left of the time a canceled step has;
    a signal while it runs stops it."""
    time_limit, stopped = float(TIME_LIMIT), (lambda: False)
    if cancel is not None and cancel.requested:
        time_limit = min(time_limit, cancel.left_after_signal(EXIT_BUDGET))
    elif cancel is not None:
        stopped = lambda: cancel.requested  # noqa: E731
    try:
        return run_filter(program, document, time_limit=max(0.1, time_limit), stopped=stopped)
    except FilterError as error:
        # The jq program's own words are kept as they are; the hint names the input as the
        # interface does.
        report = input_named("report-file", as_option)
        # The command's outputs are the dotenv file's QARUN_<NAME> lines.
        output = "`QARUN_FILTERED`" if as_option else "output `filtered`"
        said = f"{error}; {output} is left empty. Try the program with `jq` on the file that "
        said += f"{report} writes."
        console.warning(str(InputProblem("output-filter", said, as_option=as_option)))
        return ""


def _made(console: Console, what: str, render: Callable[[], T]) -> T | None:
    """`render()`, or None when a bug of ours stopped it (said, with its traceback)."""
    try:
        return render()
    except Exception as error:  # a bug of ours: the rest must still be written
        console.bug(f"qarun could not write {what}", error)
        return None


def _written(console: Console, what: str, write: Callable[..., None], *args: object) -> bool:
    """Whether `write(*args)` wrote; an unwritable path is a warning naming what was lost."""
    try:
        write(*args)
    except OSError as error:
        console.warning(f"Could not write {what}: {error.strerror or error}")
        return False
    except Exception as error:  # a bug of ours
        console.bug(f"qarun could not write {what}", error)
        return False
    return True


def _as_given(path: Path, workspace: Path) -> str:
    """A written path as later steps can use it: relative to the workspace when inside it.

    Inside the container the workspace is /github/workspace, which later steps on the
    host do not have, so an absolute path there would point nowhere.
    """
    try:
        return str(path.relative_to(workspace))
    except ValueError:
        return str(path)

"""The job summary: GitHub-flavoured Markdown, also the body of the pull-request comment.

Everything a platform sends is untrusted: `escape_md` makes it inert text that
cannot break the table, open HTML, link, or mention anyone, and `link_url`
lets through only http(s) links. The result stays within `max_bytes` however
many runs there are: the heading, the verdict, the error and the counts always
show, and each section past its share of the budget says how much it left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from qarun.errors import input_named
from qarun.model import PROBLEMS, Outcome, Run, Status, TestResult
from qarun.report.markdown import code_block, escape_md, escape_with_code
from qarun.text import clip
from qarun.urls import link_url
from qarun.words import DID_NOT_WAIT, counts_words, says_more

DEFAULT_MAX_BYTES = 1_000_000

STATUS_EMOJI: dict[Status, str] = {
    Status.QUEUED: "⏳",
    Status.RUNNING: "⏳",
    Status.PASSED: "✅",
    Status.FAILED: "❌",
    Status.ERROR: "💥",
    Status.TIMEOUT: "⏱️",
    Status.CANCELED: "🚫",
    Status.SKIPPED: "⏭️",
    Status.TRIGGERED: "🚀",
}

# One platform string cannot take over the summary on its own.
NAME_CHARS = 300
MESSAGE_CHARS = 2_000
ERROR_CHARS = 4_000
# Room kept in each section for its "… N more not shown" line.
NOTE_RESERVE = 200
GOES_ON = "They go on on the platform: none of the platforms documents a way to stop a run."


def render_summary(outcome: Outcome, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The whole summary, never longer than `max_bytes` in UTF-8."""
    head = _head(outcome)
    budget = _Budget(max_bytes - _size(head), full_list=_full_list(outcome.as_options))
    # Filled in order of importance, each taking at most a share of what is left.
    filled = {
        "notes": _notes(outcome, budget.share(0.1)),
        "unfinished": _unfinished(outcome, budget.share(0.2)),
        "problems": _problems(outcome, budget.share(0.5)),
        "attempts": _attempts(outcome, budget.share(0.2)),
        "planned": _planned(outcome, budget.share(1.0)),
        "table": _table(outcome, budget.share(1.0)),
    }
    order = ("table", "unfinished", "problems", "attempts", "planned", "notes")
    sections = [head, *(filled[name] for name in order)]
    text = "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"
    return _cut(text, max_bytes)


# --- the parts every summary has -------------------------------------------------


def _head(outcome: Outcome) -> list[str]:
    lines = [_heading(outcome)]
    context = _context_line(outcome)
    if context:
        lines += ["", context]
    if outcome.dry_run:
        lines += ["", "**Dry run:** nothing was sent. These are the requests qarun would send."]
    if outcome.status is Status.TRIGGERED:
        wait = input_named("wait", outcome.as_options)
        lines += ["", f"{wait} is false: {DID_NOT_WAIT}."]
    if outcome.error:
        lines += ["", f"> **Error:** {escape_with_code(clip(outcome.error, ERROR_CHARS))}"]
    elif outcome.failure:
        # Why the results failed the step, in the `::error::` line's words: the heading says the
        # runs' status, which `fail-on` may not hold (`skipped` under a green heading).
        why = escape_with_code(clip(outcome.failure, ERROR_CHARS))
        fails = "qarun fails" if outcome.as_options else "The step fails"  # no step outside GitHub
        lines += ["", f"> **{fails}:** {why}"]
    if not outcome.dry_run and outcome.status is not Status.TRIGGERED:
        lines += ["", _counts_line(outcome)]
    return lines


def _heading(outcome: Outcome) -> str:
    title = escape_md(outcome.provider_title or outcome.provider)
    if outcome.dry_run:
        return f"## 🧪 {title}: dry run"
    return f"## {STATUS_EMOJI[outcome.status]} {title}: {outcome.status.value}"


def _context_line(outcome: Outcome) -> str:
    context = outcome.context
    if context is None:
        return ""
    parts: list[str] = []
    if context.pr_number is not None:
        parts.append(_link(context.pr_label, context.pr_url))
    if context.sha:
        sha = context.short_sha
        parts.append(f"commit `{sha}`" if sha.isalnum() else f"commit {escape_md(sha)}")
    if context.branch:
        parts.append(f"branch {escape_md(context.branch)}")
    if context.workflow_run_url:
        parts.append(_link("workflow run", context.workflow_run_url))
    return " · ".join(parts)


def _counts_line(outcome: Outcome) -> str:
    head, tally = counts_words(outcome.counts)
    words = f"**{head}:** {tally}" if head else tally
    took = _human_duration(outcome.duration)
    return f"{words} · took {took}" if took else words


# --- sections that grow with the runs ----------------------------------------------


def _table(outcome: Outcome, budget: _Budget) -> list[str]:
    if not outcome.runs:
        return []
    with_device = any(run.device for run in outcome.runs)
    columns = ["Run", "Run id", "Device", "Status", "Duration", "Link"]
    if not with_device:
        columns.remove("Device")
    header = [_row(columns), _row(["---"] * len(columns))]
    return budget.fill(
        header,
        outcome.runs,
        lambda run: [_row(_cells(run, with_device=with_device))],
        "runs",
    )


def _cells(run: Run, *, with_device: bool) -> list[str]:
    name = escape_md(clip(run.name, NAME_CHARS))
    if run.attempt > 1:
        name += f" (attempt {run.attempt})"
    # The id always shows: with it a run still going can be found on the platform.
    cells = [name, escape_md(clip(run.id, NAME_CHARS))]
    if with_device:
        cells.append(escape_md(clip(run.device or "", NAME_CHARS)))
    url = link_url(run.url)
    cells += [
        _status_words(run.status, run.provider_status),
        _human_duration(run.seconds) or "—",
        f"[open]({url})" if url else "",
    ]
    return cells


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _status_words(status: Status, provider_status: str) -> str:
    """The normalized word, and the platform's own when it does not already say as much."""
    words = f"{STATUS_EMOJI[status]} {status.value}"
    if says_more(status, provider_status):
        words += f" ({escape_md(clip(provider_status, NAME_CHARS))})"
    return words


def _unfinished(outcome: Outcome, budget: _Budget) -> list[str]:
    runs = outcome.unfinished
    if not runs or outcome.status is Status.TRIGGERED:
        return []
    if outcome.canceled:
        title = "### 🚫 Canceled before these runs finished"
        why = "qarun was canceled while these runs were still going."
    elif outcome.timed_out:
        title = "### ⏱️ Not finished when the timeout ran out"
        timeout = "timeout (`--timeout`)" if outcome.as_options else "`timeout`"
        why = f"These runs had not finished when the {timeout} ran out."
    else:
        title = "### ⏳ Still going when qarun stopped"
        why = "qarun stopped waiting (see the error above) while these runs were still going."
    header = [title, "", f"{why} {GOES_ON}", ""]
    return budget.fill(header, runs, _unfinished_item, "unfinished runs")


def _unfinished_item(run: Run) -> list[str]:
    status = _status_words(run.status, run.provider_status)
    run_id = escape_md(clip(run.id, NAME_CHARS))
    return [f"- {_link(_run_label(run), run.url)} (run id {run_id}): {status}"]


@dataclass(frozen=True)
class _Problem:
    """One line of the failures list: a run, or a test under its run."""

    run: Run
    test: TestResult | None = None


def _problems(outcome: Outcome, budget: _Budget) -> list[str]:
    problems = list(_problem_items(outcome.runs))
    if not problems:
        return []
    header = ["### What failed", ""]
    return budget.fill(header, problems, _problem_lines, "failures")


def _problem_items(runs: Iterable[Run]) -> Iterable[_Problem]:
    for run in runs:
        failed_tests = [test for test in run.tests if test.status in PROBLEMS]
        if run.status in PROBLEMS or failed_tests:
            yield _Problem(run)
        for test in failed_tests:
            yield _Problem(run, test)


def _problem_lines(problem: _Problem) -> list[str]:
    if problem.test is None:
        run = problem.run
        name = _link(f"**{_run_label(run)}**", run.url)
        return ["- " + _problem_words(name, run.status, run.message)]
    test = problem.test
    name = _link(escape_md(clip(test.name, NAME_CHARS)), test.url)
    return ["  - " + _problem_words(name, test.status, test.message)]


def _problem_words(name: str, status: Status, message: str | None) -> str:
    words = f"{STATUS_EMOJI[status]} {name} ({status.value})"
    if message and message.strip():
        return f"{words}: {escape_md(clip(message, MESSAGE_CHARS))}"
    return words


def _attempts(outcome: Outcome, budget: _Budget) -> list[str]:
    chains = [chain for chain in _attempt_chains(outcome) if len(chain) > 1]
    if not chains:
        return []
    header = ["### Reruns", ""]
    return budget.fill(header, chains, _attempt_line, "reruns")


def _attempt_chains(outcome: Outcome) -> list[list[Run]]:
    """Each run with its earlier attempts, oldest first.

    A rerun keeps its run's name and device but gets a new id, so that pair
    ties the attempts together.
    """
    earlier: dict[tuple[str, str | None], list[Run]] = {}
    for attempt in outcome.attempts:
        earlier.setdefault((attempt.name, attempt.device), []).append(attempt)
    return [
        sorted([*earlier.get((run.name, run.device), []), run], key=lambda r: r.attempt)
        for run in outcome.runs
    ]


def _attempt_line(chain: list[Run]) -> list[str]:
    steps = " → ".join(_attempt_words(run) for run in chain)
    return [f"- **{_run_label(chain[-1])}**: {steps}"]


def _attempt_words(run: Run) -> str:
    label = _link(f"Attempt {run.attempt}", run.url)
    words = f"{label}: {STATUS_EMOJI[run.status]} {run.status.value}"
    counts = run.counts()
    failed = counts.failed + counts.error
    if failed and (run.tests or run.reported is not None):
        words += f" ({failed:,} failed)"
    return words


def _planned(outcome: Outcome, budget: _Budget) -> list[str]:
    if not outcome.dry_run or not outcome.planned:
        return []
    lines = budget.fill([], outcome.planned, lambda text: [*code_block(text), ""], "requests")
    # The blank line keeps two blocks apart; the section's end needs none.
    return lines[:-1] if lines and not lines[-1] else lines


def _notes(outcome: Outcome, budget: _Budget) -> list[str]:
    if not outcome.notes:
        return []
    return budget.fill(
        ["### Notes", ""],
        outcome.notes,
        lambda note: [f"- {escape_with_code(clip(note, MESSAGE_CHARS))}"],
        "notes",
    )


# --- the budget ----------------------------------------------------------------------

_Item = TypeVar("_Item")


@dataclass
class _Budget:
    """UTF-8 bytes left for the summary; a share is a slice whose unused bytes return."""

    left: int
    # Where the items not shown are: the JSON report, named as the interface names it.
    full_list: str
    parent: _Budget | None = field(default=None, repr=False)

    def share(self, fraction: float) -> _Budget:
        return _Budget(int(max(0, self.left) * fraction), self.full_list, parent=self)

    def fill(
        self,
        header: list[str],
        items: Sequence[_Item],
        render: Callable[[_Item], list[str]],
        what: str,
    ) -> list[str]:
        """The header and as many items as fit, then a line saying how many did not."""
        room = self.left - NOTE_RESERVE - _size(header)
        if room < 0:
            lines = [self._not_shown(len(items), what)] if self.left >= NOTE_RESERVE else []
            self._spend(_size(lines))
            return lines
        lines = list(header)
        for index, item in enumerate(items):
            item_lines = render(item)
            cost = _size(item_lines)
            if cost > room:
                lines += ["", self._not_shown(len(items) - index, what, more=True)]
                break
            room -= cost
            lines += item_lines
        self._spend(_size(lines))
        return lines

    def _not_shown(self, count: int, what: str, *, more: bool = False) -> str:
        return f"… {count:,} {'more ' if more else ''}{what} not shown; {self.full_list}."

    def _spend(self, size: int) -> None:
        self.left -= size
        if self.parent is not None:
            self.parent._spend(size)


def _full_list(as_options: bool) -> str:
    """Where every item is: "the JSON report (input `report-file`)", or the command's option."""
    what = "option" if as_options else "input"
    return f"the full list is in the JSON report ({what} {input_named('report-file', as_options)})"


def _size(lines: Sequence[str]) -> int:
    # Each line plus its newline, and the blank line that separates sections.
    return sum(len(line.encode("utf-8")) + 1 for line in lines) + 1


def _cut(text: str, max_bytes: int) -> str:
    """Last resort for absurdly small limits: cut at a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max(0, max_bytes)].decode("utf-8", errors="ignore")


# --- small words ---------------------------------------------------------------------


def _run_label(run: Run) -> str:
    """The run's name, and its device: one suite on three viewports is three runs."""
    label = escape_md(clip(run.name, NAME_CHARS))
    if run.device:
        label += f" · {escape_md(clip(run.device, NAME_CHARS))}"
    return label


def _link(text: str, url: str | None) -> str:
    safe = link_url(url)
    return f"[{text}]({safe})" if safe else text


def _human_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m"

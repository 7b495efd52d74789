"""The job summary: what a reader sees on GitHub, safe from whatever the platforms send.

Rendering checks go through cmark-gfm (GitHub's own Markdown engine, via
cmarkgfm) with raw HTML allowed, so any markup that slipped through shows up
as a tag in the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from qarun.model import Outcome, Status
from qarun.report.markdown import escape_md, escape_with_code
from qarun.report.summary import render_summary
from qarun.report.text import render_text
from qarun.urls import link_url
from tests import factories
from tests.conftest import Serve
from tests.contract import only
from tests.factories import make_context, make_outcome, make_run, make_test, many_runs
from tests.fakes.base import RunScript, TestScript
from tests.goldens import assert_golden
from tests.harness import run_in_process

HOSTILE = [
    "::warning::x",
    "a|b",
    "</table><script>alert(1)</script>",
    "line1\nline2",
    "```",
    "@everyone",
    "[x](javascript:alert(1))",
    "![img](https://evil.test/p.png)",
    "see https://evil.test/a_b) or www.evil.test or mail@evil.test",
    "- not a list",
    "1. not a list",
    "    not code",
    "# not a heading",
    "**not bold** _not em_ ~~not struck~~ $not math$",
    "back\\slash \\| pipe",
    "&lt;entity&gt; &amp;",
    "\x1b[31mred\x1b[0m \u202eevil",
    "<!-- comment -->",
    "a\r\nb\rc",
    "snake_case and _em_ and trailing_ and __init__",
]
ALLOWED_TAGS = {
    "h2",
    "h3",
    "p",
    "a",
    "strong",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "li",
    "br",
    "blockquote",
    "code",
    "pre",
}


class Page(HTMLParser):
    """The rendered HTML, reduced to what a reader would notice."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        elif tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "br":
            self._data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self._data(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def _data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def render_html(markdown: str) -> Page:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    page = Page()
    page.feed(html)
    return page


def as_shown(text: str) -> str:
    """What the reader should see of a platform string: the same words, on its lines."""
    text = re.sub(r"\r\n|\r", "\n", text.strip())
    return re.sub("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", "", text).strip()


def seen(text: str) -> str:
    # The zero-width space after `@` is how mentions are prevented; it is invisible.
    return text.replace("\u200b", "")


# --- golden files -----------------------------------------------------------------------


def error_outcome() -> Outcome:
    return make_outcome(
        status=Status.ERROR,
        exit_code=3,
        error=(
            "QA.tech rejected the API key (HTTP 401: Invalid API key); check the secret "
            "passed as `api-key`."
        ),
        started_at=None,
        finished_at=None,
        duration=None,
    )


GOLDEN_SCENARIOS: dict[str, Callable[[], Outcome]] = {
    "summary_failed.md": factories.failed_outcome,
    "summary_timeout.md": factories.timeout_outcome,
    "summary_canceled.md": factories.canceled_outcome,
    "summary_dry_run.md": factories.dry_run_outcome,
    "summary_rerun.md": factories.rerun_outcome,
    "summary_error.md": error_outcome,
}


@pytest.mark.parametrize("name", sorted(GOLDEN_SCENARIOS))
def test_summary_matches_the_reviewed_golden_file(name: str) -> None:
    assert_golden(name, render_summary(GOLDEN_SCENARIOS[name]()))


@pytest.mark.parametrize("name", sorted(GOLDEN_SCENARIOS))
def test_golden_summaries_render_only_expected_markup(name: str) -> None:
    page = render_html(render_summary(GOLDEN_SCENARIOS[name]()))
    assert set(page.tags) <= ALLOWED_TAGS
    assert all(href.startswith("https://") for href in page.hrefs)


# --- what the reader learns ---------------------------------------------------------------


def test_heading_shows_the_verdict_platform_and_pull_request() -> None:
    summary = render_summary(factories.failed_outcome())
    first = summary.splitlines()[0]
    assert first == "## ❌ QA.tech: failed"
    page = render_html(summary)
    assert "https://github.com/o/r/pull/42" in page.hrefs
    text = "".join(page.text)
    assert "PR #42" in text
    assert "a1b2c3d" in text
    assert "feature-x" in text


def test_table_has_a_row_per_run_with_status_duration_and_link() -> None:
    page = render_html(render_summary(factories.failed_outcome()))
    header, *rows = page.rows
    assert header == ["Run", "Run id", "Status", "Duration", "Link"]
    assert [[row[0], *row[2:]] for row in rows] == [
        ["Checkout regression", "❌ failed", "3m 2s", "open"],
        ["Smoke", "✅ passed", "42s", "open"],
    ]
    assert all(row[1] for row in rows)  # every run shows its id
    assert "https://app.qa.tech/p/shop/results/abc123" in page.hrefs


def test_failures_show_each_failed_test_with_the_platform_message() -> None:
    text = "".join(render_html(render_summary(factories.failed_outcome())).text)
    assert "Add to cart (failed): Expected the cart badge to show 1 item.\nIt showed 0" in text
    assert "Pay with card (error): The browser crashed while loading /checkout" in text
    assert "Login flow" not in text  # passed tests are not listed as failures


def test_counts_line_and_human_duration() -> None:
    summary = render_summary(factories.failed_outcome())
    assert "**5 tests:** 3 passed, 1 failed, 1 error · took 3m 12s" in summary


def test_unknown_platform_word_is_shown_beside_the_normalized_one() -> None:
    runs = (
        make_run(id="a", status=Status.ERROR, provider_status="EXPLODED"),
        make_run(id="b", status=Status.FAILED, provider_status="COMPLETED/FAILED"),
        make_run(id="c", status=Status.CANCELED, provider_status="CANCELLED"),
    )
    rows = render_html(render_summary(make_outcome(*runs))).rows[1:]
    assert [row[2] for row in rows] == ["💥 error (EXPLODED)", "❌ failed", "🚫 canceled"]


def test_device_column_appears_when_runs_have_devices() -> None:
    page = render_html(render_summary(factories.timeout_outcome()))
    assert page.rows[0] == ["Run", "Run id", "Device", "Status", "Duration", "Link"]
    assert [row[2] for row in page.rows[1:]] == ["desktop", "tablet", "mobile"]


def test_timeout_lists_unfinished_runs_and_says_they_go_on() -> None:
    summary = render_summary(factories.timeout_outcome())
    assert "### ⏱️ Not finished when the timeout ran out" in summary
    # Each unfinished run shows its id, so it can be found on the platform.
    assert "- Checkout suite · tablet (run id 880e8400-0002): ⏳ running" in summary
    assert "- Checkout suite · mobile (run id 880e8400-0003): ⏳ queued (pending)" in summary
    assert "none of the platforms documents a way to stop a run" in summary


def test_cancel_says_the_runs_go_on_on_the_platform() -> None:
    summary = render_summary(factories.canceled_outcome())
    assert summary.startswith("## 🚫 Panto AI: canceled")
    assert "They go on on the platform" in summary
    assert (
        "- Login smoke · iPhone 15 / ios 17.2 (run id testrun_02): ⏳ running (in_process)"
        in summary
    )


def test_error_is_shown_prominently_with_code_spans_kept() -> None:
    summary = render_summary(error_outcome())
    lines = summary.splitlines()
    assert lines[4].startswith("> **Error:** QA.tech rejected the API key \\(HTTP 401\\: ")
    page = render_html(summary)
    assert "blockquote" in page.tags
    assert "code" in page.tags  # `api-key` renders as code


def test_rerun_shows_every_attempt_in_order() -> None:
    text = "".join(render_html(render_summary(factories.rerun_outcome())).text)
    assert (
        "Checkout regression: Attempt 1: ❌ failed (3 failed) → Attempt 2: ❌ failed (1 failed) "
        "→ Attempt 3: ✅ passed"
    ) in text


def test_dry_run_shows_planned_requests_in_a_code_block() -> None:
    outcome = factories.dry_run_outcome()
    page = render_html(render_summary(outcome))
    assert "pre" in page.tags
    assert outcome.planned[0] in "".join(page.text)


def test_dry_run_fence_cannot_be_closed_by_the_content() -> None:
    planned = ('POST https://x.test/run\n{"name": "```\\n## injected"}\n````\n# also injected',)
    summary = render_summary(make_outcome(dry_run=True, planned=planned))
    assert "`````" in summary  # one backtick longer than the longest run inside
    page = render_html(summary)
    assert page.tags.count("h2") == 1  # only the summary's own heading
    assert planned[0] in "".join(page.text)


def test_each_planned_request_gets_its_own_block() -> None:
    planned = ("POST https://x.test/a\n{}", "POST https://x.test/b\n{}")
    summary = render_summary(make_outcome(dry_run=True, planned=planned))
    assert summary.endswith(
        "```\nPOST https://x.test/a\n{}\n```\n\n```\nPOST https://x.test/b\n{}\n```\n"
    )
    assert render_html(summary).tags.count("pre") == 2


def test_runs_still_going_after_a_platform_error_are_listed() -> None:
    run = make_run(status=Status.RUNNING, provider_status="RUNNING", duration=None)
    outcome = make_outcome(
        run, status=Status.ERROR, exit_code=3, error="QA.tech stopped answering (HTTP 503)."
    )
    summary = render_summary(outcome)
    assert "### ⏳ Still going when qarun stopped" in summary
    assert "They go on on the platform" in summary


def test_triggered_says_qarun_did_not_wait() -> None:
    runs = (make_run(status=Status.QUEUED, provider_status="INITIATED", duration=None),)
    summary = render_summary(make_outcome(*runs, status=Status.TRIGGERED, exit_code=0))
    assert summary.startswith("## 🚀 QA.tech: triggered")
    assert "did not wait" in summary


def test_notes_are_listed() -> None:
    summary = render_summary(make_outcome(make_run(), notes=("QA.tech gave no URL for run x.",)))
    assert "### Notes\n\n- QA.tech gave no URL for run x." in summary


def test_without_pull_request_shows_commit_and_branch() -> None:
    outcome = make_outcome(make_run(), context=make_context(pr_number=None, pr_url=None))
    context_line = render_summary(outcome).splitlines()[2]
    assert context_line.startswith("commit `a1b2c3d` · branch feature-x")


# --- hostile text ---------------------------------------------------------------------------


def test_hostile_names_cannot_break_the_table_or_inject_markup() -> None:
    runs = [
        make_run(
            id=f"r{index}",
            name=text,
            device=text,
            status=Status.ERROR,
            provider_status=text,
            message=text,
            url="https://x.test/ok",
            tests=(make_test(name=text, status=Status.FAILED, message=text),),
        )
        for index, text in enumerate(HOSTILE)
    ]
    context = make_context(branch="evil|`<b>`@x", pr_url="javascript:alert(1)")
    outcome = make_outcome(*runs, notes=tuple(HOSTILE), error=HOSTILE[2], context=context)
    page = render_html(render_summary(outcome))

    assert set(page.tags) <= ALLOWED_TAGS
    assert page.comments == []
    # Only the run links and the workflow run: the javascript: PR URL got none.
    assert set(page.hrefs) == {"https://x.test/ok", "https://github.com/o/r/actions/runs/1001"}
    header, *rows = page.rows
    assert len(rows) == len(HOSTILE)
    for text, row in zip(HOSTILE, rows, strict=True):
        assert len(row) == len(header)
        assert seen(row[0]) == as_shown(text)
        assert seen(row[2]) == as_shown(text)
        assert seen(row[3]) == f"💥 error ({as_shown(text)})"


def test_mentions_are_defused() -> None:
    summary = render_summary(make_outcome(make_run(name="@everyone ping @octocat")))
    assert "@everyone" not in summary
    assert "@octocat" not in summary
    assert "@\u200beveryone" in summary


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_md_renders_back_to_the_same_text_on_one_line(text: str) -> None:
    escaped = escape_md(text)
    assert "\n" not in escaped and "\r" not in escaped
    page = render_html(f"- {escaped}")
    assert set(page.tags) <= {"ul", "li", "br"}
    assert seen("".join(page.text)).strip() == as_shown(text)


def test_escape_with_code_keeps_code_spans_and_escapes_the_rest() -> None:
    escaped = escape_with_code("input `suite`: <b>not</b> | `a@b` @all")
    assert escaped == "input `suite`\\: &lt;b&gt;not&lt;/b&gt; \\| `a@b` @\u200ball"


@pytest.mark.parametrize("invisible", ["\x07", "\u202e", " "])
def test_a_blank_code_span_cannot_unbalance_the_next_one_into_markup(invisible: str) -> None:
    """A span holding only an invisible character (removed) or a blank would leave an empty
    pair of backticks, joining the next span's into an unmatched run: its text then acted."""
    text = f"`{invisible}``<img src=https://evil.example/p.png onerror=alert(1)>` and `[a](b)`"
    page = render_html(f"> **Error:** {escape_with_code(text)}")
    assert set(page.tags) <= {"blockquote", "p", "strong", "code"}, page.tags


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.qa.tech/p/x/results/abc", "https://app.qa.tech/p/x/results/abc"),
        ("HTTP://example.test/a?b=1&c=2#f", "HTTP://example.test/a?b=1&c=2#f"),
        ("  https://x.test/a b  ", "https://x.test/a%20b"),
        ("https://x.test/a)](javascript:x(1))", "https://x.test/a%29]%28javascript:x%281%29%29"),
        ('https://x.test/a|b<c>"d`e', "https://x.test/a%7Cb%3Cc%3E%22d%60e"),
        ("https://x.test/é", "https://x.test/%C3%A9"),
        ("https://x.test/already%20encoded", "https://x.test/already%20encoded"),
        ("javascript:alert(1)", None),
        ("JavaScript://x.test/%0aalert(1)", None),
        ("data:text/html,<b>", None),
        ("ftp://x.test/file", None),
        ("//x.test/no-scheme", None),
        ("/relative/path", None),
        ("https://", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_keeps_only_http_links_and_encodes_link_breakers(
    url: str | None, expected: str | None
) -> None:
    assert link_url(url) == expected


def test_safe_url_makes_exactly_one_link_to_itself() -> None:
    url = link_url("https://x.test/a)](javascript:x(1)) b|c")
    assert url is not None
    page = render_html(f"| Link |\n| --- |\n| [open]({url}) |")
    assert len(page.hrefs) == 1
    assert unquote(page.hrefs[0]) == unquote(url)  # cmark normalizes `]` to %5D
    assert page.rows[1] == ["open"]


def test_non_http_run_urls_get_no_link() -> None:
    outcome = make_outcome(make_run(url="javascript:alert(document.cookie)"))
    summary = render_summary(outcome)
    assert "javascript" not in summary
    assert render_html(summary).rows[1][-1] == ""


# --- size and speed ---------------------------------------------------------------------------


@pytest.mark.parametrize("max_bytes", [1_000_000, 65_000, 5_000])
def test_huge_outcomes_stay_within_the_byte_limit_and_say_what_is_missing(max_bytes: int) -> None:
    outcome = many_runs(5_000)
    summary = render_summary(outcome, max_bytes=max_bytes)

    assert len(summary.encode("utf-8")) <= max_bytes
    assert summary.startswith("## ❌ QA.tech: failed")
    assert "> **Error:** The platform answered 503" in summary
    assert "**10,000 tests:** 5,000 passed, 5,000 failed" in summary
    shown = summary.count("\n| Very long run name")
    note = re.search(
        r"… ([\d,]+) more runs not shown; the full list is in the JSON report", summary
    )
    assert note is not None
    assert int(note.group(1).replace(",", "")) == 5_000 - shown
    assert "more failures not shown" in summary


def test_the_command_s_summary_names_its_options_not_the_action_s_inputs() -> None:
    late = make_run(status=Status.RUNNING, provider_status="RUNNING", duration=None)
    for as_options, report, timeout in (
        (False, "input `report-file`", "the `timeout` ran out"),
        (True, "option `--report-file`", "the timeout (`--timeout`) ran out"),
    ):
        cut = render_summary(replace(many_runs(2_000), as_options=as_options), max_bytes=65_000)
        assert f"more runs not shown; the full list is in the JSON report ({report})." in cut
        timed_out = make_outcome(late, timed_out=True, as_options=as_options)
        assert f"These runs had not finished when {timeout}." in render_summary(timed_out)


def test_truncated_summary_still_renders_a_whole_table() -> None:
    page = render_html(render_summary(many_runs(2_000), max_bytes=65_000))
    assert set(page.tags) <= ALLOWED_TAGS
    assert all(len(row) == 5 for row in page.rows)


def test_absurdly_small_limit_is_still_respected() -> None:
    summary = render_summary(many_runs(10), max_bytes=300)
    assert len(summary.encode("utf-8")) <= 300


def test_the_plain_text_summary_counts_as_the_markdown_one_does() -> None:
    """Outside GitHub the summary is text in the log: the same count, in the same words."""
    timed_out = factories.timeout_outcome()
    markdown = render_summary(timed_out)
    (count,) = [line for line in render_text(timed_out) if "tests:" in line]
    assert count.strip().split(" · ")[0] == "7 tests: 5 passed, 2 not finished"
    assert "**7 tests:** 5 passed, 2 not finished" in markdown
    nothing = factories.make_outcome(exit_code=2, status=Status.ERROR, error="bad `timeout`")
    # The error that failed the step is the log's line just above: not said again.
    assert render_text(nothing) == ["QA.tech: error", "  No tests ran · took 192 s"]


def test_a_plain_text_run_line_names_its_device_and_the_platform_s_word_where_it_says_more() -> (
    None
):
    """Two viewports of one suite are told apart; `completed` beside `failed` is the platform's
    word, not a second status, and `COMPLETED/FAILED` is not repeated."""
    bare = {"name": "suite 770e8400", "status": Status.FAILED, "url": None, "duration": None}
    runs = [
        factories.make_run(id=ident, device=device, provider_status=word, started_at=None, **bare)
        for ident, device, word in (
            ("r1", "mobile", "completed"),
            ("r2", "desktop", "COMPLETED/FAILED"),
        )
    ]
    late = {**bare, "status": Status.TIMEOUT}
    runs.append(factories.make_run(id="r3", device="tablet", provider_status="TIMED_OUT", **late))
    lines = render_text(factories.make_outcome(*runs))
    assert "  - suite 770e8400 on mobile [r1]: failed (the platform said completed)" in lines
    assert "  - suite 770e8400 on desktop [r2]: failed" in lines
    (timed_out,) = [line for line in lines if "[r3]" in line]
    assert timed_out.startswith("  - suite 770e8400 on tablet [r3]: timeout")
    assert "the platform said" not in timed_out  # `TIMED_OUT` says `timeout`


def test_a_gitlab_merge_request_is_named_as_gitlab_names_it() -> None:
    url = "https://gitlab.com/octo/shop/-/merge_requests/7"
    merge = factories.make_outcome(context=factories.make_context(pr_number=7, pr_url=url))
    assert f"[MR !7]({url})" in render_summary(merge)
    pull = factories.make_outcome()
    assert "[PR #42](" in render_summary(pull)


def test_runs_that_passed_with_an_outcome_fail_on_holds_say_why_the_step_fails(
    serve: Serve, tmp_path: Path
) -> None:
    """`fail-on: skipped`, a run passed with a skipped test: exit 1, and the summary says why
    under its green heading, in the words of the `::error::` line."""
    case = only("qatech")
    tests = (TestScript("Cart"), TestScript("Search", "skipped"))
    fake = serve(case.with_runs([RunScript("Checkout", "passed", 0.4, tests=tests)]))
    result = run_in_process(tmp_path, case.step_inputs(fake, fail_on="skipped"))
    assert result.exit_code == 1 and result.outputs["status"] == "passed"
    (error,) = result.errors()
    assert error == "::error::QA.tech: 1 skipped of 2 tests; see the job summary."
    # The summary's own line does not send the reader to the summary.
    said = "> **The step fails:** QA.tech\\: 1 skipped of 2 tests."
    assert said in result.summary
    # The command's summary: there is no step outside GitHub Actions.
    command = replace(make_outcome(make_run()), failure="QA.tech: 1 failed.", as_options=True)
    assert "> **qarun fails:** QA.tech\\: 1 failed." in render_summary(command)


def test_the_plain_text_summary_says_a_dry_run_and_a_run_not_waited_for_as_the_markdown_does() -> (
    None
):
    queued = make_run(status=Status.QUEUED, provider_status="INITIATED", duration=None)
    triggered = make_outcome(queued, status=Status.TRIGGERED, exit_code=0)
    assert render_text(triggered)[:2] == [
        "QA.tech: triggered",
        "  qarun started the runs and did not wait for them · took 192 s",
    ]
    dry = make_outcome(status=Status.SKIPPED, exit_code=0, dry_run=True, duration=None)
    assert render_text(dry) == [
        "QA.tech: dry run",
        "  Nothing was sent: the requests above are those qarun would send.",
    ]
    assert render_summary(dry).startswith("## 🧪 QA.tech: dry run")

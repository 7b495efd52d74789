"""Hostile text from the platform, end to end: test names, messages and device names are data.

None may issue a workflow command in the log, break the summary's table, open
HTML or mention anyone there, or break GITHUB_OUTPUT; the JSON report keeps
every one exactly as the platform sent it. `checked()` looks for injected
commands after every run.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import Serve
from tests.contract import ProviderCase
from tests.fakes.base import Reply
from tests.harness import ActionResult
from tests.robustness import OWN_COMMANDS, run, trigger_route

HOSTILE = (
    "l1\n::error::injected",
    "::warning::x",
    "::add-mask::x",
    "##[error]x",
    "a|b",
    "l1\nl2",
    "`code` and ```fence",
    "</table><script>alert(1)</script>",
    "@everyone",
    "%0A::error::x",
    "  ::set-output name=status::passed",
)
ALL_IN_ONE = " ".join(HOSTILE)
# The commands hidden in HOSTILE; qarun issues `error` and `warning` itself, so these are
# found by what follows the command.
INJECTED = ("::error::injected", "::warning::x", "::add-mask::x", "::error::x", "::set-output")
# Cells are split by pipes the summary did not escape.
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def run_hostile(case: ProviderCase, serve: Serve, tmp_path: Path) -> ActionResult:
    fake, given = case.hostile(HOSTILE)
    serve(fake)
    result = run(
        tmp_path,
        case,
        fake,
        report_file="qa/report.json",
        junit_file="qa/junit.xml",
        # Every name in one output: multi-line, with lines that look like commands.
        output_filter='[.runs[] | .name, (.tests[]?.name)] | join("\\n")',
        **given,
    )
    assert result.exit_code == 1, result.log
    return result


def report_names(report: dict[str, Any]) -> list[str]:
    return [name for run in report["runs"] for name in [run["name"], *_test_names(run)]]


def _test_names(run: dict[str, Any]) -> list[str]:
    return [test["name"] for test in run["tests"]]


def test_hostile_names_issue_no_command_and_stay_exact_in_the_report(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    result = run_hostile(case, serve, tmp_path)
    for line in result.log.splitlines():
        assert not line.strip().startswith(INJECTED), line
    issued = [line.split("::")[1] for line in result.log.splitlines() if line.startswith("::")]
    assert set(issued) <= OWN_COMMANDS

    report = json.loads(result.files["qa/report.json"])
    names = report_names(report)
    messages = [run["message"] for run in report["runs"]]
    messages += [test["message"] for run in report["runs"] for test in run["tests"]]
    assert set(HOSTILE) <= set(names)
    assert set(HOSTILE) <= set(messages)
    assert result.outputs["filtered"] == "\n".join(names)

    junit = ET.fromstring(result.files["qa/junit.xml"])
    assert len(junit.findall(".//testcase")) == int(result.outputs["total"])


def test_hostile_names_cannot_break_the_summary(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    result = run_hostile(case, serve, tmp_path)
    summary = result.summary
    rows = [line for line in summary.splitlines() if line.startswith("|")]
    header, _, *runs = rows
    width = len(_CELL_SPLIT.split(header))
    assert all(len(_CELL_SPLIT.split(row)) == width for row in rows), rows
    assert len(runs) == len(json.loads(result.outputs["run-ids"]))
    for raw in ("<script", "</table>", "@everyone", "\n::"):
        assert raw not in summary
    assert "@\u200beveryone" in summary


def test_a_hostile_error_message_is_one_inert_annotation(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    fake.inject(trigger_route(case), Reply(400, {"message": ALL_IN_ONE, "detail": ALL_IN_ONE}))
    result = run(tmp_path, case, fake)
    assert result.exit_code == 3
    (error,) = result.errors()
    assert "%250A::error::x" in error, "the runner would turn a bare %0A into a line break"
    assert "::warning::x" in error  # inside an annotation's text, it is only text

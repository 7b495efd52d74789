"""The writer: step outputs the runner can parse, the summary, report files, and no secret."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qarun.console import Redactor
from qarun.model import Outcome, Status
from qarun.report.json_report import build_report, render_json
from qarun.report.junit import render_junit
from qarun.report.outputs import ActionWriter, output_values, redact_outcome
from qarun.report.summary import render_summary
from tests import factories
from tests.factories import make_outcome, make_run, make_test
from tests.harness import parse_file_command

KEY = "qg_live_S3cr3t-Key/0123456789"


def runner_env(tmp_path: Path) -> dict[str, str]:
    """As the runner leaves it for a step: both command files exist and are empty."""
    output = tmp_path / "set_output_1"
    summary = tmp_path / "step_summary_1"
    output.touch()
    summary.touch()
    return {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}


def writer_for(env: dict[str, str]) -> ActionWriter:
    return ActionWriter(env, Redactor([KEY]))


# --- output values ----------------------------------------------------------------------------


def test_output_values_cover_every_output_of_the_spec() -> None:
    values = output_values(
        factories.failed_outcome(),
        report_file="qa/report.json",
        junit_file="qa/junit.xml",
        filtered="1",
    )
    assert values == {
        "status": "failed",
        "run-ids": '["abc123","def456"]',
        "urls": (
            '["https://app.qa.tech/p/shop/results/abc123",'
            '"https://app.qa.tech/p/shop/results/def456"]'
        ),
        "url": "https://app.qa.tech/p/shop/results/abc123",
        "total": "5",
        "passed": "3",
        "failed": "1",
        "skipped": "0",
        "duration": "192.0",
        "report-file": "qa/report.json",
        "junit-file": "qa/junit.xml",
        "filtered": "1",
    }
    action_yml = (Path(__file__).resolve().parent.parent / "action.yml").read_text()
    for name in values:
        assert f"\n  {name}:\n" in action_yml


def test_output_values_when_nothing_ran() -> None:
    outcome = make_outcome(status=Status.ERROR, exit_code=3, duration=None)
    values = output_values(outcome, report_file="", junit_file="", filtered="")
    assert values["status"] == "error"
    assert (values["run-ids"], values["urls"], values["url"]) == ("[]", "[]", "")
    assert values["total"] == "0" and values["duration"] == ""


def test_runs_without_url_are_left_out_of_urls() -> None:
    outcome = make_outcome(make_run(id="a", url=None), make_run(id="b"))
    values = output_values(outcome, report_file="", junit_file="", filtered="")
    assert json.loads(values["run-ids"]) == ["a", "b"]
    assert json.loads(values["urls"]) == ["https://app.qa.tech/p/shop/results/abc123"]
    assert values["url"] == "https://app.qa.tech/p/shop/results/abc123"


def test_duration_is_seconds_with_one_decimal() -> None:
    outcome = make_outcome(make_run(), duration=61.26)
    assert output_values(outcome, report_file="", junit_file="", filtered="")["duration"] == "61.3"


# --- GITHUB_OUTPUT ----------------------------------------------------------------------------

TRICKY_VALUES = {
    "plain": "passed",
    "empty": "",
    "multi": "line 1\nline 2\n",
    "crlf": "a\r\nb",
    "heredoc-like": "x<<EOF\nEOF\nghadelimiter_00000000-0000-0000-0000-000000000000",
    "equals": "name=value",
    "command": "::set-output name=status::passed",
    "unicode": "é ✓ 🚀",
}


def test_outputs_round_trip_through_the_runner_parser(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    writer_for(env).set_outputs(TRICKY_VALUES)
    text = Path(env["GITHUB_OUTPUT"]).read_bytes().decode("utf-8")
    assert "ghadelimiter_" in text  # actions-toolkit's heredoc form
    assert parse_file_command(text) == TRICKY_VALUES


def test_outputs_written_twice_are_both_kept_and_the_last_wins(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    writer = writer_for(env)
    writer.set_outputs({"status": "triggered", "url": "https://x.test/1"})
    writer.set_outputs({"status": "passed"})
    parsed = parse_file_command(Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8"))
    assert parsed == {"status": "passed", "url": "https://x.test/1"}


def test_outputs_without_github_output_write_nothing_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a file with a relative or empty path would land
    writer_for({}).set_outputs({"status": "passed"})
    captured = capsys.readouterr()
    # No deprecated `::set-output` fallback on stdout either.
    assert captured.out == "" and captured.err == ""
    assert list(tmp_path.iterdir()) == []


# --- summary and files ------------------------------------------------------------------------


def test_summary_is_appended(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    summary_path = Path(env["GITHUB_STEP_SUMMARY"])
    summary_path.write_text("# from an earlier action\n", encoding="utf-8")
    writer = writer_for(env)
    writer.append_summary("## first")
    writer.append_summary("## second\n")
    assert summary_path.read_text(encoding="utf-8") == (
        "# from an earlier action\n## first\n## second\n"
    )


def test_summary_without_github_step_summary_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    writer_for({}).append_summary("## nothing")
    assert capsys.readouterr().out == ""
    assert list(tmp_path.iterdir()) == []


def test_write_file_creates_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "qa" / "report.json"
    writer_for({}).write_file(path, '{"status": "passed"}\n')
    assert path.read_text(encoding="utf-8") == '{"status": "passed"}\n'


def test_write_file_errors_reach_the_caller(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OSError):
        writer_for({}).write_file(blocker / "report.json", "{}")


def echoing_outcome(key: str) -> Outcome:
    """A platform that echoes the key back everywhere it can."""
    echo = f"Invalid key {key} (JSON: {json.dumps(key)})"
    run = make_run(
        name=f"run {key}",
        message=echo,
        device=key,
        provider_status=key,
        url=f"https://x.test/r?key={key}",
        tests=(make_test(name=key, status=Status.FAILED, message=echo),),
    )
    return make_outcome(
        run,
        attempts=(run.updated(id="earlier", attempt=0),),
        error=echo,
        notes=(echo,),
        planned=(f"POST https://x.test\nAuthorization: {key}",),
        dry_run=True,  # the summary shows planned requests only for a dry run
    )


def write_everything(tmp_path: Path, outcome: Outcome, key: str) -> dict[str, str]:
    """Every file qarun writes for one outcome, by file name."""
    env = runner_env(tmp_path)
    writer = ActionWriter(env, Redactor([key]))
    report_path = tmp_path / "out" / "report.json"
    junit_path = tmp_path / "out" / "junit.xml"
    writer.write_file(report_path, render_json(build_report(outcome)))
    writer.write_file(junit_path, render_junit(outcome))
    writer.append_summary(render_summary(outcome))
    writer.set_outputs(output_values(outcome, report_file="", junit_file="", filtered=key))
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in [report_path, junit_path, *map(Path, env.values())]
    }


def test_the_writer_alone_redacts_a_usual_key_in_every_file(tmp_path: Path) -> None:
    written = write_everything(tmp_path, echoing_outcome(KEY), KEY)
    for name, text in written.items():
        assert "S3cr3t" not in text, name
        assert "***" in text, name
    json.loads(written["report.json"])  # still valid JSON after redaction
    ET.fromstring(written["junit.xml"].encode("utf-8"))
    assert parse_file_command(written["set_output_1"])["filtered"] == "***"


def test_redacted_outcome_hides_a_key_that_escaping_would_disguise(tmp_path: Path) -> None:
    # Markdown and XML escape these characters, so the rendered key no longer matches it.
    key = "k*y_S3cr3t:[x]<&>"
    outcome = redact_outcome(echoing_outcome(key), Redactor([key]))
    for name, text in write_everything(tmp_path, outcome, key).items():
        assert "S3cr3t" not in text, name


def test_redact_outcome_keeps_everything_that_is_not_secret() -> None:
    outcome = factories.rerun_outcome()
    assert redact_outcome(outcome, Redactor([KEY])) == outcome

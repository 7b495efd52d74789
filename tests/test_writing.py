"""Outputs, summary, JSON report and JUnit are written independently (README, Statuses and
exit codes: whatever the exit code, they are written): losing one never loses the others,
and a bug shows its traceback in a group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qarun.inputs import COMMAND, INTERFACE
from qarun.report import write
from qarun.report.outputs import DOTENV_FILE
from tests.conftest import Serve
from tests.contract import only
from tests.harness import ActionResult, run_in_process

CASE = only("qualigate")
FILES = {"report_file": "qa/report.json", "junit_file": "qa/junit.xml"}


def run(
    serve: Serve, tmp_path: Path, env: dict[str, str] | None = None, **inputs: str
) -> ActionResult:
    fake = serve(CASE.scenario("failed", duration=0.2))
    given = CASE.step_inputs(fake, poll_interval="0.1s", **{**FILES, **inputs})
    return run_in_process(tmp_path, given, extra_env=env)


def test_an_unwritable_github_output_fails_the_step_after_the_rest_is_written(
    serve: Serve, tmp_path: Path
) -> None:
    unwritable = tmp_path / "outputs-is-a-folder"
    unwritable.mkdir()
    result = run(serve, tmp_path, env={"GITHUB_OUTPUT": str(unwritable)})
    assert result.exit_code == 3
    assert any("GITHUB_OUTPUT" in error for error in result.errors())
    assert "Qualigate: failed" in result.summary
    assert json.loads(result.files["qa/report.json"])["status"] == "failed"
    assert "qa/junit.xml" in result.files


def test_an_unwritable_dotenv_file_is_named_as_the_dotenv_file_and_github_output_is_kept(
    serve: Serve, tmp_path: Path
) -> None:
    folder = tmp_path / "qarun-env-is-a-folder"
    folder.mkdir()
    result = run(serve, tmp_path, env={DOTENV_FILE: str(folder)})
    assert result.exit_code == 3
    errors = result.errors()
    assert any(f"the dotenv file {folder} (--dotenv-file)" in error for error in errors), errors
    assert not any("GITHUB_OUTPUT" in error for error in errors)
    assert result.outputs["status"] == "failed"  # the other file still gets them
    assert "Qualigate: failed" in result.summary


def test_lost_outputs_point_only_where_the_result_was_written(serve: Serve, tmp_path: Path) -> None:
    (tmp_path / "outputs-is-a-folder").mkdir()
    (tmp_path / "summary-is-a-folder").mkdir()
    lost = {
        "GITHUB_OUTPUT": str(tmp_path / "outputs-is-a-folder"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary-is-a-folder"),
    }
    result = run(serve, tmp_path, env=lost)
    assert result.exit_code == 3
    (error,) = [error for error in result.errors() if "could not be written" in error]
    assert "later steps or jobs would read them empty" in error  # the action's own words
    assert error.endswith("so the step fails. The report files show the result.")


def test_the_command_says_its_outputs_are_lost_in_its_own_words_and_on_its_last_line(
    serve: Serve, tmp_path: Path
) -> None:
    folder = tmp_path / "qarun-env-is-a-folder"
    folder.mkdir()
    command = {INTERFACE: COMMAND, "GITHUB_ACTIONS": "false", DOTENV_FILE: str(folder)}
    result = run(serve, tmp_path, env=command)
    assert result.exit_code == 3
    (error,) = [line for line in result.log.splitlines() if "could not be written" in line]
    assert f"The outputs could not be written to the dotenv file {folder}" in error
    assert "later jobs would read them empty, so qarun fails." in error
    assert error.endswith("The summary and the report files show the result.")
    assert "qarun: failed; the outputs were not written (exit 3)" in result.log.splitlines()


def test_bad_input_stays_exit_2_when_the_outputs_cannot_be_written_either(
    serve: Serve, tmp_path: Path
) -> None:
    folder = tmp_path / "outputs-is-a-folder"
    folder.mkdir()
    result = run(serve, tmp_path, env={"GITHUB_OUTPUT": str(folder)}, timeout="soon")
    assert result.exit_code == 2  # nothing was sent: the input is what to fix first
    assert any("GITHUB_OUTPUT" in error for error in result.errors())
    assert any("`timeout`" in error for error in result.errors())


def test_an_unwritable_report_path_loses_that_file_only(serve: Serve, tmp_path: Path) -> None:
    # The JUnit file's folder would be the JSON report, a file: that one write fails.
    result = run(serve, tmp_path, junit_file="qa/report.json/junit.xml")
    assert result.exit_code == 1  # the tests' verdict, unchanged
    (warning,) = [line for line in result.log.splitlines() if "Could not write" in line]
    assert "Could not write the JUnit file (`junit-file`) to " in warning  # which file, and why
    assert "qa/report.json/junit.xml: " in warning
    assert result.outputs["status"] == "failed" and result.outputs["junit-file"] == ""
    assert result.outputs["report-file"] == "qa/report.json"
    assert "Qualigate: failed" in result.summary


def test_the_command_s_warnings_name_the_file_by_its_option(serve: Serve, tmp_path: Path) -> None:
    (tmp_path / "summary-is-a-folder").mkdir()
    (tmp_path / "workspace" / "report-is-a-folder").mkdir(parents=True)
    command = {
        INTERFACE: COMMAND,
        "GITHUB_ACTIONS": "false",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary-is-a-folder"),
    }
    result = run(serve, tmp_path, env=command, report_file="report-is-a-folder")
    warnings = [line for line in result.log.splitlines() if "Could not write" in line]
    assert any("the JSON report (`--report-file`) to " in line for line in warnings), warnings
    assert any("the Markdown summary (`--summary-file`): " in line for line in warnings), warnings


def test_a_bug_while_rendering_the_summary_keeps_everything_else(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(outcome: object) -> str:
        raise KeyError("a bug of ours")

    monkeypatch.setattr(write, "render_summary", broken)
    result = run(serve, tmp_path)
    assert result.exit_code == 1
    assert result.outputs["status"] == "failed"
    assert json.loads(result.files["qa/report.json"])["status"] == "failed"
    lines = result.log.splitlines()
    warning = next(line for line in lines if "could not write the job summary" in line)
    assert "please report it" in warning
    group = lines.index("::group::Traceback of the error above (for a bug report)")
    assert "Traceback (most recent call last):" in lines[group + 1]
    assert "::endgroup::" in lines[group:]


def test_outside_github_a_bug_in_the_outputs_keeps_the_text_summary(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise KeyError("a bug of ours")

    monkeypatch.setattr(write, "output_values", broken)
    result = run(serve, tmp_path, env={"GITHUB_ACTIONS": "false"})
    assert result.exit_code == 3  # the outputs could not be made: the step fails
    lines = result.log.splitlines()
    # The log is the only summary outside GitHub: it is there, with the run's failure.
    assert "Qualigate: failed" in lines and any(line.startswith("  ! ") for line in lines)


def test_a_filter_that_never_ends_is_stopped_and_everything_else_is_written(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write, "TIME_LIMIT", 1.0)  # jq_filter's 10 s, shortened for the test
    result = run(serve, tmp_path, output_filter="last(range(1e13))")
    assert result.exit_code == 1
    assert result.outputs["status"] == "failed" and result.outputs["filtered"] == ""
    assert any("was stopped" in line for line in result.log.splitlines() if "::warning::" in line)
    assert "Qualigate: failed" in result.summary
    assert json.loads(result.files["qa/report.json"])["status"] == "failed"


@pytest.mark.parametrize(
    ("env", "named", "report"),
    [
        ({}, "input `output-filter`:", "`report-file`"),
        (
            {INTERFACE: COMMAND, "GITHUB_ACTIONS": "false"},
            "option `--output-filter` (`QARUN_OUTPUT_FILTER`):",
            "`--report-file`",
        ),
    ],
)
def test_a_failing_filter_is_named_as_the_interface_names_it(
    serve: Serve, tmp_path: Path, env: dict[str, str], named: str, report: str
) -> None:
    # The program's own words are its own, even where they name an input.
    result = run(serve, tmp_path, env=env, output_filter='error("set `suite` first")')
    assert result.exit_code == 1
    (warning,) = [line for line in result.log.splitlines() if "the jq program failed" in line]
    assert named in warning and f"the file that {report} writes" in warning
    left = "`QARUN_FILTERED` is left empty" if env else "output `filtered` is left empty"
    assert f"); {left}. Try the program" in warning
    assert "(set `suite` first)" in warning

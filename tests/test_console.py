"""The log: secrets redacted in every form, platform text unable to issue workflow commands."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from qarun.console import Console, Redactor, neutralize


def test_redactor_replaces_the_secret_and_its_encoded_forms() -> None:
    redact = Redactor(['s3cr"et/key'])
    text = 'raw s3cr"et/key json s3cr\\"et/key url s3cr%22et%2Fkey'
    assert redact(text) == "raw *** json *** url ***"


def test_short_values_are_not_treated_as_secrets() -> None:
    assert Redactor(["ab"])("abc") == "abc"


@pytest.mark.parametrize(
    "hostile",
    [
        "::warning::injected",
        "   ::add-mask::x",
        "name\n::error::second line",
        "text ##[error]legacy",
        "a\r::set-output name=x::y",
        "Azure: ##vso[task.setvariable variable=QARUN_STATUS]passed",
        "##VSO[task.complete result=Succeeded;]",
        "##teamcity[buildStatus status='SUCCESS']",
    ],
)
def test_neutralized_text_holds_no_workflow_command(hostile: str) -> None:
    line = neutralize(hostile)
    assert "\n" not in line and "\r" not in line
    assert not line.lstrip().startswith("::")
    assert not re.search(r"##\w*\[", line)
    assert "::" not in line


def test_console_masks_first_and_redacts_everything() -> None:
    stream = io.StringIO()
    console = Console(stream=stream)
    console.mask("key-0123456789")
    console.info("the key is key-0123456789")
    console.error("rejected key-0123456789\n::warning::x")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "::add-mask::key-0123456789"
    assert "key-0123456789" not in "\n".join(lines[1:])
    assert lines[2].startswith("::error::") and "%0A::warning::x" in lines[2]


class GoneReader(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_log_reader_gone_is_not_an_error_of_the_run() -> None:
    console = Console(stream=GoneReader(), github=False, tty=True)
    console.info("first line")
    console.progress("1/2 runs finished")
    console.verdict("qarun: passed", good=True)  # nothing raised: the run goes on


def test_the_command_piped_into_a_closed_reader_prints_no_traceback() -> None:
    """`qarun … | head -1`: the reader is gone before qarun writes (its end closed first, so
    every write is refused): the exit code is the run's, and no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "qarun", "--provider", "foo"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "QARUN_API_KEY": "abc"},
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


def test_a_log_reader_gone_on_a_stdout_with_no_file_behind_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """stdout replaced by a stream with no file descriptor (a tee, a test's capture)."""
    gone = GoneReader()
    monkeypatch.setattr(sys, "stdout", gone)
    console = Console(github=False)
    console.info("first line")  # nothing raised, no fileno asked of a stream without one
    console.info("second line")

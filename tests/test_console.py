"""The log: secrets redacted in every form, platform text unable to issue workflow commands."""

from __future__ import annotations

import io

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
    ],
)
def test_neutralized_text_holds_no_workflow_command(hostile: str) -> None:
    line = neutralize(hostile)
    assert "\n" not in line and "\r" not in line
    assert not line.lstrip().startswith("::")
    assert "##[" not in line
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

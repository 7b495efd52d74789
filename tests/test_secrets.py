"""Secrets, end to end: masked before anything is printed, and written nowhere by qarun itself.

The runner masks what `::add-mask::` registers in the log, but not in files
nor in what was printed before. So qarun must mask first, and redact the API
key and the GitHub token from every byte it writes (log, summary, outputs,
JSON report, JUnit), even when the platform echoes the key back.
`checked()` searches everything written after every run.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from qarun.console import Console, Redactor
from qarun.model import Status
from qarun.outcomes import Ending
from qarun.run_state import RunState
from qarun.settings import load_settings
from tests.conftest import Serve
from tests.contract import ProviderCase, only
from tests.factories import make_run, make_test
from tests.fakes.base import PASS, FakePlatform, Reply, RunScript, TestScript
from tests.harness import FAKE_GITHUB_TOKEN, ActionResult
from tests.robustness import poll_route, run, trigger_route

# A plain key, and one whose escaped forms (JSON, XML, Markdown, URL) differ from it.
KEYS = {
    "plain": "qa_live_4f9a8b7c6d5e4f3a2b1c",
    "tricky": 'qa/K3y+=&"<x>\\_*|`@%0A',
}


@pytest.fixture(params=list(KEYS))
def key(request: pytest.FixtureRequest) -> str:
    return KEYS[request.param]


def keyed(fake: FakePlatform, key: str) -> FakePlatform:
    """The fake, taking `key` as the only valid API key."""
    fake.api_key = key
    return fake


def run_with(tmp_path: Path, case: ProviderCase, fake: FakePlatform, **given: str) -> ActionResult:
    """`run()`, with the JSON report and JUnit written: more places a key could leak to."""
    files = {"report_file": "qa/report.json", "junit_file": "qa/junit.xml"}
    return run(tmp_path, case, fake, **{**files, **given})


def echoing(key: str) -> list[RunScript]:
    """Runs whose names and messages hold the key and the token, as a careless platform might."""
    leak = f"key={key} token={FAKE_GITHUB_TOKEN}"
    tests = (TestScript(f"Login {leak}", "failed", f"401 for {leak}"), TestScript("Cart"))
    return [RunScript(f"Checkout {leak}", "failed", 0.4, message=f"saw {leak}", tests=tests)]


def test_the_secrets_are_masked_before_anything_else_is_printed(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(keyed(case.scenario("passed"), KEYS["tricky"]))
    result = run_with(tmp_path, case, fake)
    assert result.exit_code == 0, result.log
    lines = result.stdout.splitlines()
    masks = [index for index, line in enumerate(lines) if line.startswith("::add-mask::")]
    assert masks == list(range(len(masks))), "every mask comes before any other line"
    assert len(masks) == 2
    assert f"::add-mask::{FAKE_GITHUB_TOKEN}" in lines
    assert result.stderr == ""


def test_a_key_echoed_in_names_and_messages_is_written_nowhere(
    case: ProviderCase, serve: Serve, tmp_path: Path, key: str
) -> None:
    fake = serve(keyed(case.with_runs(echoing(key)), key))
    result = run_with(tmp_path, case, fake)
    assert result.exit_code == 1, result.log
    assert {"qa/report.json", "qa/junit.xml"} <= set(result.files)
    assert "key=*** token=***" in result.files["qa/report.json"].decode()
    assert "key=*** token=***" in result.files["qa/junit.xml"].decode()
    assert "key=\\*\\*\\* token=\\*\\*\\*" in result.summary


def test_a_key_echoed_in_an_auth_error_is_written_nowhere(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    key = KEYS["tricky"]
    fake = serve(keyed(case.scenario("passed"), key))
    said = f"Invalid API key {key}"
    fake.inject(trigger_route(case), Reply(401, {"message": said, "detail": said, "error": said}))
    result = run_with(tmp_path, case, fake)
    assert result.exit_code == 3
    (error,) = result.errors()
    assert "Invalid API key ***" in error


def basic_forms(key: str) -> list[str]:
    """The key as HTTP Basic authentication carries it: base64 of `key`, `key:` and `:key`."""
    return [base64.b64encode(form.encode()).decode() for form in (key, f"{key}:", f":{key}")]


@pytest.mark.parametrize("form", range(3))
def test_a_key_echoed_base64_encoded_is_written_nowhere(
    serve: Serve, tmp_path: Path, key: str, form: int
) -> None:
    case = only("qualigate")
    encoded = basic_forms(key)[form]
    leak = f"Authorization: Basic {encoded}"
    tests = (TestScript(f"Login {leak}", "failed", f"401 for {leak}"),)
    fake = serve(keyed(case.with_runs([RunScript(f"Run {leak}", "failed", 0.3, tests=tests)]), key))
    result = run_with(tmp_path, case, fake, output_filter=".runs[0].name")
    assert result.exit_code == 1
    written = result.everything_written()
    assert encoded not in written and encoded.rstrip("=") not in written
    assert "Basic \\*\\*\\*" in result.summary  # redacted, then escaped


# Long enough that a message cut short for the log (300 characters) would end inside the key.
FILLER = "upstream said: " + "x" * 275


def test_a_key_echoed_in_a_trigger_error_is_written_nowhere_not_even_in_part(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    key = KEYS["plain"]
    fake = serve(keyed(case.scenario("passed"), key))
    fake.inject(trigger_route(case), Reply(500, raw=f"{FILLER} {key}".encode()))
    result = run_with(tmp_path, case, fake)
    assert result.exit_code == 3, result.log
    assert key[:8] not in result.everything_written()


def test_a_key_echoed_in_a_garbled_status_is_written_nowhere_not_even_in_part(
    serve: Serve, tmp_path: Path
) -> None:
    """The same for a read, retried (and logged) before the verdict: one platform suffices,
    the client cuts every platform's messages alike."""
    case, key = only("qatech"), KEYS["plain"]
    fake = serve(keyed(case.with_runs(echoing(key)), key))
    fake.inject(poll_route(case), Reply(502, raw=f"{FILLER} {key}".encode()), PASS)
    result = run_with(tmp_path, case, fake)
    assert result.exit_code == 1, result.log
    assert "Retrying in" in result.stdout
    assert key[:8] not in result.everything_written()


def test_a_dry_run_prints_no_secret_even_from_the_payload(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    key = KEYS["tricky"]
    fake = serve(keyed(case.scenario("passed"), key))
    payload = json.dumps({"auth": {"key": key, "token": FAKE_GITHUB_TOKEN}})
    result = run_with(tmp_path, case, fake, dry_run="true", payload=payload)
    assert result.exit_code == 0, result.log
    assert fake.requests == []
    assert '"key": "***"' in result.stdout


def test_a_key_in_a_run_s_words_quoted_by_the_failure_sentence_is_written_nowhere_not_even_in_part(
    tmp_path: Path,
) -> None:
    """A run that failed with every test passed: the `::error::` sentence quotes its message,
    cut short, with the key where the cut falls; it is redacted before it is cut."""
    key = KEYS["plain"]
    words = "x" * 180 + f" key={key}"  # the cut at 200 characters falls inside the key
    log = io.StringIO()
    state = RunState(runs=[make_run(status=Status.FAILED, message=words, tests=(make_test(),))])
    settings = load_settings({"INPUT_PROVIDER": "qatech", "INPUT_API-KEY": key})
    ending = Ending({}, Console(Redactor([key]), stream=log), lambda: 0.0, state, settings)
    assert ending.finished().exit_code == 1
    (error,) = [line for line in log.getvalue().splitlines() if line.startswith("::error::")]
    assert "Checkout regression ended failed (xxx" in error
    assert key[:8] not in log.getvalue()

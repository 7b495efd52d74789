"""What the fault-injection suites share: the platform fixture, one way to run the action, and
the checks every run must pass whatever went wrong (issue 4).

Every run through `run()` is checked for what must always hold: no traceback, no
workflow command the action did not mean to issue, neither secret anywhere in
what it wrote, a `status` output of README's Statuses and exit codes, and
GITHUB_OUTPUT that the runner can parse (the harness parses it by the runner's rules).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from actions_toolkit.command import escape_data

from tests.contract import ProviderCase
from tests.fakes.base import FakePlatform
from tests.harness import FAKE_GITHUB_TOKEN, ActionResult, Step, run_in_process

# The workflow commands qarun issues; any other one in the log was injected.
OWN_COMMANDS = frozenset({"add-mask", "error", "warning", "group", "endgroup"})
STATUSES = frozenset({"passed", "failed", "error", "timeout", "canceled", "skipped", "triggered"})
_COMMAND = re.compile(r"::([^\s:]*)")
TIMINGS = {"poll_interval": "0.2s", "timeout": "20s"}


def inputs(case: ProviderCase, fake: FakePlatform, **overrides: str) -> dict[str, str]:
    """The `with:` of a step against `fake` with short timings (see `ProviderCase.step_inputs`)."""
    return case.step_inputs(fake, **{**TIMINGS, **overrides})


def run(tmp_path: Path, case: ProviderCase, fake: FakePlatform, **overrides: str) -> ActionResult:
    return checked(run_in_process(tmp_path, inputs(case, fake, **overrides)), fake.api_key)


def checked(result: ActionResult, *secrets: str) -> ActionResult:
    """The result, once what must hold after any run does."""
    assert "Traceback" not in result.log, result.log
    assert injected_commands(result.log) == [], result.log
    secrets = (*secrets, FAKE_GITHUB_TOKEN)
    # `::add-mask::` only for the secrets: a platform's text must not mask anything.
    masks = {f"::add-mask::{escape_data(part)}" for key in secrets for part in key.splitlines()}
    for line in result.log.splitlines():
        assert not line.strip().startswith("::add-mask::") or line in masks, line
    written = result.everything_written()
    for secret in secrets:
        assert secret not in written
    assert result.outputs["status"] in STATUSES
    return result


def injected_commands(log: str) -> list[str]:
    """Lines the runner would take for a workflow command that qarun does not issue.

    The runner reads `::name …` at the start of a (trimmed) line; only in a line
    that is not such a command does it look for the legacy `##[name …]`, anywhere
    (docs/runner.md, Workflow commands; actions/runner ActionCommandManager: TryParseV2, then
    TryParse).
    """
    found = []
    for line in log.splitlines():
        command = _COMMAND.match(line.strip())
        legacy = command is None and "##[" in line
        if legacy or (command is not None and command.group(1) not in OWN_COMMANDS):
            found.append(line)
    return found


def wait_until(
    condition: Callable[[], object], timeout: float = 10.0, step: Step | None = None
) -> None:
    """Returns once `condition()` holds; fails the test after `timeout` seconds, or at once
    with the step's own output when `step` ended first (a step that died is not slow)."""
    end = time.monotonic() + timeout
    while not condition():
        if step is not None and step.process is not None and step.process.poll() is not None:
            out, err = step.process.communicate()
            raise AssertionError(
                f"the step ended (exit {step.process.returncode}) first:\n{out}{err}"
            )
        assert time.monotonic() < end, "the condition never held"
        time.sleep(0.01)


def read_until(step: Step, text: str, timeout: float = 10.0) -> list[str]:
    """Reads the running step's stdout up to the first line holding `text`; returns the lines.

    The lines read here are no longer in `finish()`'s result: add them back.
    """
    assert step.process is not None and step.process.stdout is not None
    lines: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = step.process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never appeared in the log:\n{''.join(lines)}")


def poll_route(case: ProviderCase) -> str:
    """The route of the status checks, for `FakePlatform.inject`."""
    return f"GET {case.poll_prefixes[0]}"


def trigger_route(case: ProviderCase) -> str:
    method, path = case.trigger
    return f"{method} {path}"

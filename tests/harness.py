"""Runs qarun (`python -m qarun`, the image's entry point) the way GitHub's runner runs the
container (docs/runner.md: How a container action is run, Inputs, File commands).

Every input declared in action.yml is exported as INPUT_<NAME> (hyphens kept),
with action.yml's default when the step does not set it; GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY are fresh files; the event payload sits at
GITHUB_EVENT_PATH. Outputs are parsed by the runner's own rules, so a value
the runner would reject fails the test.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.factories import HEAD_SHA
from tests.fakes.base import TestClock, running_fakes

ROOT = Path(__file__).resolve().parent.parent
# The image's ENTRYPOINT; qarun is installed in the test environment (scripts/test.sh).
ACTION_COMMAND = (sys.executable, "-m", "qarun")
FAKE_GITHUB_TOKEN = "ghs_FakeRunnerToken0123456789abcdef"
MERGE_SHA = "ffffeeeeddddccccbbbbaaaa9999888877776666"


def action_defaults() -> dict[str, str]:
    """action.yml's inputs and their defaults, as the runner evaluates them."""
    manifest = yaml.safe_load((ROOT / "action.yml").read_text())
    defaults = {}
    for name, spec in manifest["inputs"].items():
        value = str(spec.get("default", ""))
        if value.strip() == "${{ github.token }}":
            value = FAKE_GITHUB_TOKEN
        defaults[name] = value
    return defaults


def pull_request_event(number: int = 42, *, head_ref: str = "feature-x") -> dict[str, Any]:
    repo = {"full_name": "octo/shop", "name": "shop", "owner": {"login": "octo"}}
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "html_url": f"https://github.com/octo/shop/pull/{number}",
            "title": "Add express checkout",
            "head": {"sha": HEAD_SHA, "ref": head_ref, "repo": repo},
            "base": {"sha": "0" * 40, "ref": "main", "repo": repo},
        },
        "repository": repo,
        "sender": {"login": "mona"},
    }


def push_event() -> dict[str, Any]:
    return {
        "ref": "refs/heads/main",
        "after": HEAD_SHA,
        "head_commit": {"id": HEAD_SHA, "message": "Fix the cart total"},
        "repository": {"full_name": "octo/shop"},
        "sender": {"login": "mona"},
    }


@dataclass
class ActionResult:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path
    files: dict[str, bytes] = field(default_factory=dict)
    # Seconds that passed on the TestClock an in-process step ran on; None for a process.
    clock_seconds: float | None = None

    @property
    def took_on_test_clock(self) -> float:
        """Seconds the step took on its TestClock (in-process steps only)."""
        assert self.clock_seconds is not None, "a process has no test clock to read"
        return self.clock_seconds

    @property
    def log(self) -> str:
        return self.stdout + self.stderr

    def errors(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.startswith("::error::")]

    def everything_written(self) -> str:
        """Every byte the action wrote anywhere, for searching for secrets.

        `::add-mask::` lines are left out: they carry the secret to the runner, which
        registers it and never shows the line.
        """
        log = "\n".join(
            line for line in self.log.splitlines() if not line.startswith("::add-mask::")
        )
        parts = [log, self.summary, json.dumps(self.outputs)]
        parts += [data.decode("utf-8", "replace") for data in self.files.values()]
        return "\n".join(parts)


@dataclass
class Step:
    """A prepared step: environment, files, and the process once started."""

    env: dict[str, str]
    workspace: Path
    output_path: Path
    summary_path: Path
    process: subprocess.Popen[str] | None = None

    def start(self) -> Step:
        self.process = subprocess.Popen(
            ACTION_COMMAND,
            env=self.env,
            cwd=self.workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self

    def signal(self, signum: int = signal.SIGINT) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def finish(self, timeout: float = 60.0) -> ActionResult:
        assert self.process is not None
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, stderr = self.process.communicate()
            raise AssertionError(
                f"the action did not end within {timeout} s:\n{stdout}\n{stderr}"
            ) from None
        return self.result(self.process.returncode, stdout, stderr)

    def result(
        self, code: int, stdout: str, stderr: str, clock_seconds: float | None = None
    ) -> ActionResult:
        """What the step left behind: its outputs, summary and files, parsed."""
        files = {
            str(path.relative_to(self.workspace)): path.read_bytes()
            for path in self.workspace.rglob("*")
            if path.is_file()
        }
        return ActionResult(
            exit_code=code,
            stdout=stdout,
            stderr=stderr,
            outputs=parse_file_command(self.output_path.read_text(encoding="utf-8")),
            summary=self.summary_path.read_text(encoding="utf-8"),
            workspace=self.workspace,
            files=files,
            clock_seconds=clock_seconds,
        )


def prepare(
    tmp: Path,
    inputs: dict[str, str],
    *,
    event: dict[str, Any] | None = None,
    event_name: str = "pull_request",
    extra_env: dict[str, str] | None = None,
) -> Step:
    """Lays out the runner's files under `tmp` and builds the step's environment."""
    workspace = tmp / "workspace"
    commands = tmp / "_runner_file_commands"
    workflow = tmp / "_github_workflow"
    home = tmp / "_github_home"
    for folder in (workspace, commands, workflow, home):
        folder.mkdir(parents=True, exist_ok=True)
    guid = uuid.uuid4()
    output_path = commands / f"set_output_{guid}"
    summary_path = commands / f"step_summary_{guid}"
    output_path.write_text("")
    summary_path.write_text("")
    event_path = workflow / "event.json"
    event = pull_request_event() if event is None else event
    event_path.write_text(json.dumps(event))

    unknown = set(inputs) - set(action_defaults())
    assert not unknown, f"inputs not declared in action.yml: {unknown}"
    values = {**action_defaults(), **inputs}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_SHA": MERGE_SHA if event_name.startswith("pull_request") else HEAD_SHA,
        "GITHUB_REF": "refs/pull/42/merge"
        if event_name.startswith("pull_request")
        else "refs/heads/main",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_ACTOR": "mona",
        "GITHUB_RUN_ID": "777",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output_path),
        "GITHUB_STEP_SUMMARY": str(summary_path),
        "RUNNER_TEMP": str(tmp),
        "PYTHONUNBUFFERED": "1",
    }
    if event_name.startswith("pull_request"):
        env["GITHUB_HEAD_REF"] = "feature-x"
        env["GITHUB_BASE_REF"] = "main"
    for name, value in values.items():
        env["INPUT_" + name.replace(" ", "_").upper()] = value
    env.update(extra_env or {})
    return Step(env=env, workspace=workspace, output_path=output_path, summary_path=summary_path)


def run_action(
    tmp: Path, inputs: dict[str, str], *, timeout: float = 60.0, **kwargs: Any
) -> ActionResult:
    return prepare(tmp, inputs, **kwargs).start().finish(timeout)


def run_in_process(
    tmp: Path, inputs: dict[str, str], *, clock: TestClock | None = None, **kwargs: Any
) -> ActionResult:
    """The same step as `run_action`, run by `main(env)` in this process on a TestClock that
    every running fake reads too: time passes only when qarun pauses, so a run of minutes
    takes a moment and goes the same way every time (`result.took_on_test_clock`).
    Signals stay with the subprocess tier; the handlers qarun installs are put back."""
    from qarun.clock import Clock
    from qarun.main import main

    clock = TestClock() if clock is None else clock
    for fake in running_fakes():
        fake.clock = clock
    step = prepare(tmp, inputs, **kwargs)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    stdout, stderr = io.StringIO(), io.StringIO()
    started = clock()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(step.env, clock=Clock(now=clock, skip=clock.sleep))
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    return step.result(code, stdout.getvalue(), stderr.getvalue(), clock() - started)


class FileCommandError(AssertionError):
    """The runner would fail the step: 'Unable to process file command'."""


def parse_file_command(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT parsed exactly as the runner does (docs/runner.md, File commands)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        equals = line.find("=")
        heredoc = line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1 :]
            if not name:
                raise FileCommandError(f"Invalid format '{line}'")
            values[name] = value
            continue
        if heredoc < 0:
            raise FileCommandError(f"Invalid format '{line}'")
        name, delimiter = line[:heredoc], line[heredoc + 2 :]
        if not name or not delimiter:
            raise FileCommandError("Name must not be empty and delimiter must not be empty")
        body: list[str] = []
        while True:
            if index >= len(lines):
                raise FileCommandError(f"Invalid value. Matching delimiter not found '{delimiter}'")
            current = lines[index]
            index += 1
            if current == delimiter:
                if index == len(lines):
                    raise FileCommandError("Invalid value. EOF marker missing new line.")
                break
            body.append(current)
        values[name] = "\n".join(body)
    return values

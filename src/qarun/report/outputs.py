"""The one module that writes to the runner: step outputs, the job summary, report files.

Every text goes through `redact` on its way out, so the API key cannot reach
a file even when a platform echoes it back in a message. Rendering escapes
text (Markdown, XML), which can hide a secret from that last pass: so
`redact_outcome` cleans the outcome itself before anything renders it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from actions_toolkit.file_command import prepare_key_value_message

from qarun.model import Outcome, Run

# Where the `qarun` command's --dotenv-file writes the outputs as `QARUN_<NAME>=value` lines.
DOTENV_FILE = "QARUN_DOTENV_FILE"


class OutputsNotWritten(Exception):
    """The step outputs could not be written; `where` names the file as the user knows it."""

    def __init__(self, where: str, error: OSError) -> None:
        self.where = where
        self.reason = error.strerror or str(error)
        super().__init__(f"{where}: {self.reason}")


class ActionWriter:
    """Writes where the runner's environment says; a missing variable means "not here"."""

    def __init__(self, env: Mapping[str, str], redact: Callable[[str], str]) -> None:
        self._env = env
        self._redact = redact

    def set_outputs(self, values: Mapping[str, str]) -> None:
        """Writes the outputs to GITHUB_OUTPUT and, from the command, the dotenv file.

        Both are tried; OutputsNotWritten names the first that failed as the user knows it.
        """
        failures = [
            failure
            for failure in (self._dotenv(values), self._github_output(values))
            if failure is not None
        ]
        if failures:
            raise failures[0]

    def _dotenv(self, values: Mapping[str, str]) -> OutputsNotWritten | None:
        path = self._env.get(DOTENV_FILE)
        if not path:
            return None
        # GitLab's `artifacts: reports: dotenv` takes one `KEY=value` per line.
        lines = "".join(
            f"QARUN_{name.upper().replace('-', '_')}={_one_line(self._redact(value))}\n"
            for name, value in values.items()
        )
        try:
            write_text(Path(path), lines)
        except OSError as error:
            return OutputsNotWritten(f"the dotenv file {path} (--dotenv-file)", error)
        return None

    def _github_output(self, values: Mapping[str, str]) -> OutputsNotWritten | None:
        """Appends `name<<ghadelimiter_<uuid>` heredocs (actions-toolkit's format).

        `core.set_output` itself reads `os.environ` and falls back to the
        deprecated `::set-output` command, so the toolkit's formatting is used
        with the path from our own environment instead.
        """
        path = self._env.get("GITHUB_OUTPUT")
        if not path:
            return None
        commands = "".join(
            prepare_key_value_message(name, self._redact(value)) + os.linesep
            for name, value in values.items()
        )
        try:
            _append(Path(path), commands)
        except OSError as error:
            return OutputsNotWritten("GITHUB_OUTPUT", error)
        return None

    def append_summary(self, markdown: str) -> None:
        path = self._env.get("GITHUB_STEP_SUMMARY")
        if not path:
            return
        text = self._redact(markdown)
        _append(Path(path), text if text.endswith("\n") else text + "\n")

    def write_file(self, path: Path, text: str) -> None:
        """Writes a report file, creating its folders; OSError goes to the caller."""
        write_text(path, self._redact(text))


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def _one_line(value: str) -> str:
    return " ".join(value.splitlines())


def _append(path: Path, text: str) -> None:
    # newline="": the runner splits on "\n" only, so no translation may happen.
    with path.open("a", encoding="utf-8", newline="") as stream:
        stream.write(text)


def output_values(
    outcome: Outcome, *, report_file: str, junit_file: str, filtered: str
) -> dict[str, str]:
    """Every output of action.yml (README, Outputs), as the strings the runner stores."""
    counts = outcome.counts
    urls = outcome.urls
    return {
        "status": outcome.status.value,
        "run-ids": _json_array([run.id for run in outcome.runs]),
        "urls": _json_array(urls),
        "url": urls[0] if urls else "",
        "total": str(counts.total),
        "passed": str(counts.passed),
        "failed": str(counts.failed),
        "skipped": str(counts.skipped),
        # One decimal, like the report's example (192.0); empty when nothing was timed.
        "duration": "" if outcome.duration is None else f"{outcome.duration:.1f}",
        "report-file": report_file,
        "junit-file": junit_file,
        "filtered": filtered,
    }


def _json_array(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def redact_outcome(outcome: Outcome, redact: Callable[[str], str]) -> Outcome:
    """The outcome with `redact` applied to every text in it, before any renderer escapes it."""
    return replace(
        outcome,
        runs=tuple(_redact_run(run, redact) for run in outcome.runs),
        attempts=tuple(_redact_run(run, redact) for run in outcome.attempts),
        context=_redact_texts(outcome.context, redact) if outcome.context is not None else None,
        error=redact(outcome.error) if outcome.error is not None else None,
        failure=redact(outcome.failure) if outcome.failure is not None else None,
        notes=tuple(redact(note) for note in outcome.notes),
        planned=tuple(redact(request) for request in outcome.planned),
    )


def _redact_run(run: Run, redact: Callable[[str], str]) -> Run:
    run = _redact_texts(run, redact)
    return replace(run, tests=tuple(_redact_texts(test, redact) for test in run.tests))


def _redact_texts(record: Any, redact: Callable[[str], str]) -> Any:
    """A dataclass copy with every `str` field redacted; other fields as they were."""
    texts = {
        item.name: redact(value)
        for item in fields(record)
        if isinstance(value := getattr(record, item.name), str)
    }
    return replace(record, **texts)

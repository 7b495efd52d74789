"""The log: every line qarun prints goes through here, redacted and made inert.

The runner reads workflow commands from every line of stdout and stderr: a line
that starts with `::` after trimming, or that holds `##[` anywhere (the legacy
form). Text from a platform is untrusted, so plain log lines are neutralized,
and annotation messages are escaped the runner's way (actions-toolkit).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO
from urllib.parse import quote

from actions_toolkit.command import escape_data

# Zero-width joiner: keeps the text readable while no runner parser matches it.
_ZWJ = "\u200d"
# GitHub's legacy `##[error]`, and the logging commands of the other CI systems the `qarun`
# command runs in: Azure Pipelines acts on `##vso[...]` (and `##[...]`) anywhere in a line.
_LEGACY_COMMAND = re.compile(r"##(\w*)\[")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# Shorter values would blank out ordinary words in the log.
_MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every registered secret, in any form the runner would mask, with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        secret = secret.strip()
        if len(secret) < _MIN_SECRET_LENGTH:
            return
        forms = {secret, *_escaped_forms(secret)}
        self._forms.extend(form for form in forms if form not in self._forms)
        # Longest first, so a secret's JSON form is replaced before its bare form.
        self._forms.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, "***")
        return text


def _escaped_forms(secret: str) -> list[str]:
    forms = [json.dumps(secret)[1:-1], quote(secret, safe=""), quote(secret)]
    # As HTTP Basic authentication encodes it (`Basic base64(user:password)`), a platform
    # echoing its Authorization header would show one of these.
    for plain in (secret, f"{secret}:", f":{secret}"):
        encoded = base64.b64encode(plain.encode()).decode()
        forms += [encoded, encoded.rstrip("=")]
    return forms


def neutralize(text: str) -> str:
    """One log line from untrusted text: no newline, no workflow command."""
    line = _NEWLINES.sub(" ⏎ ", text)
    line = _LEGACY_COMMAND.sub(lambda found: "#" + _ZWJ + "#" + found[1] + "[", line)
    if line.lstrip().startswith("::"):
        line = _ZWJ + line
    return line.replace("::", ":" + _ZWJ + ":")


class Console:
    """Writes the step's log. Every method redacts; `info` also neutralizes.

    `github`: GitHub Actions reads workflow commands (`::error::`, groups, masks) from the log;
    elsewhere the same messages are plain lines and masking is redaction alone. `tty`: a
    terminal, where progress is one line updated in place.
    """

    def __init__(
        self,
        redactor: Redactor | None = None,
        stream: TextIO | None = None,
        *,
        github: bool = True,
        tty: bool = False,
        color: bool = False,
    ) -> None:
        self.redact = redactor or Redactor()
        self._stream = stream
        self.github = github
        self.tty = tty
        self.color = color
        self._progress_open = False
        # The last progress line (its text as given), so that a recap can tell it is one.
        self.last_progress: str | None = None
        self._gone = False  # the log's reader closed its end

    @classmethod
    def for_env(cls, env: Mapping[str, str]) -> Console:
        """Workflow commands inside GitHub Actions only; progress in place and colours on a
        terminal, unless NO_COLOR is set (https://no-color.org)."""
        tty = sys.stdout.isatty()
        return cls(
            github=env.get("GITHUB_ACTIONS") == "true",
            tty=tty,
            color=tty and not env.get("NO_COLOR") and env.get("TERM") != "dumb",
        )

    def _write(self, line: str) -> None:
        if self._progress_open:
            self._emit("\n")
            self._progress_open = False
        self._emit(line + "\n")

    def _emit(self, text: str) -> None:
        """Writes and flushes. A reader gone (`qarun … | head -1`) is not an error of the run:
        the log goes nowhere from then on, the run, its files and its exit code go on."""
        stream = self._stream or sys.stdout
        if self._gone:
            return
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            self._gone = True
            if stream is sys.stdout:
                # Python's own flush at exit would raise again: stdout points nowhere now.
                with contextlib.suppress(OSError, ValueError):
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, sys.stdout.fileno())
                    os.close(devnull)

    def mask(self, secret: str) -> None:
        """Registers the secret with the runner and with our own redactor."""
        if secret.strip():
            if self.github:
                for line in secret.splitlines():
                    if line.strip():
                        self._write(f"::add-mask::{_escape_data(line)}")
            self.redact.add(secret)

    def verdict(self, text: str, good: bool) -> None:
        """The verdict line: green or red where the terminal shows colours."""
        line = neutralize(self.redact(text))
        if self.color:
            line = ("\x1b[32m" if good else "\x1b[31m") + line + "\x1b[0m"
        self._write(line)

    def progress(self, text: str) -> None:
        """A progress line: updated in place on a terminal, one line each elsewhere."""
        self.last_progress = text
        if not self.tty:
            self.info(text)
            return
        self._emit("\r\x1b[K" + neutralize(self.redact(text)))
        self._progress_open = True

    def info(self, text: str) -> None:
        self._write(neutralize(self.redact(text)))

    def warning(self, text: str) -> None:
        if self.github:
            self._write(f"::warning::{_escape_data(self.redact(text))}")
        else:
            self._write("warning: " + neutralize(self.redact(text)))

    def error(self, text: str) -> None:
        if self.github:
            self._write(f"::error::{_escape_data(self.redact(text))}")
        else:
            self._write("error: " + neutralize(self.redact(text)))

    def bug(self, sentence: str, error: BaseException, *, fatal: bool = False) -> None:
        """A bug of ours: one line saying so, then its traceback (redacted) in a collapsed
        group, so that a bug report can be acted on."""
        import traceback

        said = f"{sentence} ({type(error).__name__}: {error}); please report it with this log."
        (self.error if fatal else self.warning)(said)
        title = "Traceback of the error above (for a bug report)"
        self._write(f"::group::{title}" if self.github else f"--- {title}")
        for line in traceback.format_exception(error):
            for part in line.rstrip("\n").splitlines():
                self.info(part)
        self._write("::endgroup::" if self.github else "---")


def _escape_data(text: str) -> str:
    # actions-toolkit's escaping of command data: a newline cannot start a new command.
    return str(escape_data(text))

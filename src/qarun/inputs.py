"""Reading the step's inputs as the runner passes them, and collecting what is wrong with them.

Every input arrives as a string in `INPUT_<NAME>` (upper-cased, hyphens kept).
Parsers here never raise: they record a problem naming the input and an
accepted form, so that every bad input is reported at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qarun.errors import InputError, InputProblem, input_named
from qarun.text import clip

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|h|m|s)?", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}
# The longest value a message about an input quotes back.
QUOTED_CHARS = 80
PROSE_CHARS = 1000
TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})


# Set by the `qarun` command in the environment it runs qarun with (qarun.cli); COMMAND_LINE
# holds what is wrong with its command line (a JSON list of [input, sentence]; "" for none in
# particular), refused as bad input like any other, with the results written.
INTERFACE, COMMAND = "QARUN_INTERFACE", "command"
COMMAND_LINE = "QARUN_COMMAND_LINE_PROBLEMS"


def through_command(env: Mapping[str, str]) -> bool:
    """qarun runs as the `qarun` command: messages name its options, not the action's inputs."""
    return env.get(INTERFACE) == COMMAND


def env_name(name: str) -> str:
    return "INPUT_" + name.replace(" ", "_").upper()


@dataclass
class Inputs:
    """The raw inputs, trimmed, plus the problems found while parsing them."""

    values: Mapping[str, str]
    problems: list[InputProblem] = field(default_factory=list)
    # Problems name the `qarun` command's options rather than the action's inputs.
    as_options: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str], names: list[str]) -> Inputs:
        values = {name: env.get(env_name(name), "").strip() for name in names}
        return cls(values, as_options=through_command(env))

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def given(self, name: str, default: str = "") -> bool:
        """True when the input holds something other than empty or its default."""
        value = self.text(name)
        return bool(value) and value.lower() != default.lower()

    def problem(self, name: str, message: str) -> None:
        """A problem with input `name`. A value it quotes (in backticks) is cut short: a 100 kB
        value pasted by mistake is not written back whole into the log and the summary."""
        parts = message.split("`")  # every other part is quoted, the first is not
        # A backtick in the value shifts the pairs: no part of ours between quotes is as long
        # as PROSE_CHARS, so a value's rest is cut there.
        limits = (PROSE_CHARS, QUOTED_CHARS)
        message = "`".join(clip(part, limits[i % 2]) for i, part in enumerate(parts))
        self.problems.append(InputProblem(name, message, self.as_options))

    def named(self, name: str) -> str:
        """How a message names input `name`: `suite`, or the command's `--suite`."""
        return input_named(name, self.as_options)

    def example(self, name: str, value: str) -> str:
        """An example of input `name`: `suite: 770e…` as a workflow's `with:` writes it, or
        `--suite 770e…` as the command takes it."""
        return f"`--{name} {value}`" if self.as_options else f"`{name}: {value}`"

    def per_line(self, name: str, what: str) -> str:
        """How several go in one input: "one tag per line under `tags: |`" (a YAML block), or
        for the command, which has no YAML, "one tag per line"."""
        return f"one {what} per line" + ("" if self.as_options else f" under `{name}: |`")

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(list(self.problems))

    def items(self, name: str) -> list[str]:
        """A list: one item per line or comma-separated, blanks dropped."""
        return split_items(self.text(name))

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.text(name).splitlines() if line.strip()]

    def boolean(self, name: str, default: bool) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.problem(name, f"`{self.text(name)}` is not a boolean; write `true` or `false`.")
        return default

    def duration(self, name: str, default: float, *, minimum: float, maximum: float) -> float:
        raw = self.text(name)
        if not raw:
            return default
        seconds = parse_duration(raw)
        if seconds is None:
            self.problem(
                name,
                f"`{raw}` is not a duration; write `90s`, `30m`, `1h`, `1h30m` or plain "
                "seconds like `600`.",
            )
            return default
        if not minimum <= seconds <= maximum:
            self.problem(
                name,
                f"`{raw}` is out of range; write from {minimum:g}s to {maximum / 3600:g}h, "
                f"e.g. `{format_duration(default)}`.",
            )
            return default
        return seconds

    def count(self, name: str, default: int, *, maximum: int) -> int:
        raw = self.text(name)
        if not raw:
            return default
        if not re.fullmatch(r"\d+", raw) or int(raw) > maximum:
            self.problem(name, f"`{raw}` is not a whole number from 0 to {maximum}; e.g. `2`.")
            return default
        return int(raw)

    def json_value(self, name: str, example: str) -> Any:
        raw = self.text(name)
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            self.problem(name, f"is not valid JSON ({exc.msg}, line {exc.lineno}); e.g. {example}.")
            return None


def several_hint(item: str, accepted: Callable[[str], object]) -> str:
    """For an item whose words are each accepted on their own (two ids with a space between;
    `accepted` gives None for a word it does not take): how several are written (`items`), the
    likely slip. `1280 × 720` gets no such hint."""
    words = item.split()
    several = len(words) > 1 and all(accepted(word) is not None for word in words)
    return " (several go on separate lines or after commas)" if several else ""


def split_items(raw: str) -> list[str]:
    return [item.strip() for line in raw.splitlines() for item in line.split(",") if item.strip()]


def format_duration(seconds: float) -> str:
    """A duration as the input takes it: `30m`, `10s`, `1h`."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def parse_duration(raw: str) -> float | None:
    """`90s`, `30m`, `1h`, `1h30m`, `1.5m` or plain seconds; None when it is none of these."""
    text = raw.strip().lower().replace(" ", "")
    if not text:
        return None
    total = 0.0
    position = 0
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if not match or match.end() == position:
            return None
        unit = match.group(2)
        # Plain seconds only alone: `1m2` is more likely a typo than 62 s.
        if unit is None and (position != 0 or match.end() != len(text)):
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[unit]
        position = match.end()
    return total

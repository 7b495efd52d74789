"""The action's inputs as action.yml declares them: the one source of their names, defaults
and descriptions (the `qarun` command's options come from here too).

action.yml ships inside the package (src/qarun/action.yml links to it). It is read
with a reader for exactly the shape it has, not a YAML library, which would cost
start-up time on every job: `inputs:` at the top, each input two spaces in, its
keys four spaces in, values on one line, plain or double-quoted. A test checks
this reader against a real YAML parser on the real file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_ENTRY = re.compile(r"^  ([A-Za-z0-9_-]+):\s*$")
_FIELD = re.compile(r"^    ([a-z-]+):\s*(.*?)\s*$")
# A default GitHub fills in before the step runs: outside GitHub it means "not given".
_EXPRESSION = re.compile(r"^\$\{\{.*\}\}$")


@dataclass(frozen=True)
class Input:
    name: str
    description: str
    default: str = ""
    required: bool = False


@cache
def inputs() -> dict[str, Input]:
    """action.yml's inputs by name, in the order it declares them."""
    text = resources.files("qarun").joinpath("action.yml").read_text(encoding="utf-8")
    return {item.name: item for item in parse_inputs(text)}


def parse_inputs(text: str) -> list[Input]:
    found: list[Input] = []
    fields: dict[str, str] = {}
    name: str | None = None
    inside = False

    def close() -> None:
        if name is not None:
            default = fields.get("default", "")
            found.append(
                Input(
                    name=name,
                    description=fields.get("description", ""),
                    default="" if _EXPRESSION.match(default) else default,
                    required=fields.get("required", "false") == "true",
                )
            )

    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            close()
            name, fields = None, {}
            inside = line.rstrip() == "inputs:"
            continue
        if not inside:
            continue
        if entry := _ENTRY.match(line):
            close()
            name, fields = entry.group(1), {}
        elif (item := _FIELD.match(line)) and name is not None:
            fields[item.group(1)] = _scalar(item.group(2))
    close()
    return found


def _scalar(raw: str) -> str:
    """A one-line YAML scalar: double-quoted (JSON's escapes), single-quoted, or plain."""
    if raw.startswith('"') and raw.endswith('"'):
        return str(json.loads(raw))
    if raw.startswith("'") and raw.endswith("'"):
        return raw[1:-1].replace("''", "'")
    return raw

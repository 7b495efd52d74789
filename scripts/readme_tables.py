"""Writes README.md's Inputs and Outputs tables from action.yml, so the two never drift.

The tables live between marker comments (`<!-- inputs:start -->` … `<!-- inputs:end -->`,
likewise `outputs`); everything around them is left alone. With `--check`, nothing
is written and the exit code is 1 when README.md is out of date (a test runs this).

    python scripts/readme_tables.py            # update README.md
    python scripts/readme_tables.py --check    # exit 1 if README.md differs
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("inputs", "outputs")


class ReadmeError(Exception):
    """README.md lacks the markers the tables go between."""


def render_inputs(manifest: Mapping[str, Any]) -> str:
    rows = [
        (
            _name(name, required=bool(spec.get("required"))),
            _cell(spec.get("description", "")),
            _default(spec.get("default", "")),
        )
        for name, spec in manifest.get("inputs", {}).items()
    ]
    return _table(("Input", "Description", "Default"), rows)


def render_outputs(manifest: Mapping[str, Any]) -> str:
    rows = [
        (_name(name, required=False), _cell(spec.get("description", "")))
        for name, spec in manifest.get("outputs", {}).items()
    ]
    return _table(("Output", "Description"), rows)


def update(readme: str, manifest: Mapping[str, Any]) -> str:
    """README text with both tables replaced by ones rendered from `manifest`."""
    readme = _fill(readme, "inputs", render_inputs(manifest))
    return _fill(readme, "outputs", render_outputs(manifest))


def skeleton() -> str:
    """A README holding only the marked sections, for the rest to be written around."""
    return "\n".join(
        f"## {section.capitalize()}\n\n{_start(section)}\n{_end(section)}\n" for section in SECTIONS
    )


def _fill(readme: str, section: str, table: str) -> str:
    pattern = re.compile(rf"{_start(section)}.*?{_end(section)}", re.S)
    if not pattern.search(readme):
        raise ReadmeError(
            f"README.md has no `{_start(section)}` … `{_end(section)}` markers; "
            f"add them where the {section} table belongs."
        )
    filled = f"{_start(section)}\n{table}{_end(section)}"
    # A function, not a replacement string: descriptions may hold backslashes.
    return pattern.sub(lambda _: filled, readme, count=1)


def _start(section: str) -> str:
    return f"<!-- {section}:start -->"


def _end(section: str) -> str:
    return f"<!-- {section}:end -->"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [header, tuple("---" for _ in header), *rows]
    return "".join("| " + " | ".join(line) + " |\n" for line in lines)


def _name(name: str, *, required: bool) -> str:
    return f"`{name}` (required)" if required else f"`{name}`"


def _default(value: object) -> str:
    text = str(value)
    return f"`{_cell(text)}`" if text else ""


def _cell(text: str) -> str:
    # A table row is one line, and `|` would end the cell early.
    return " ".join(str(text).split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate README.md's tables from action.yml.")
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    parser.add_argument("--action", type=Path, default=ROOT / "action.yml")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)

    manifest = yaml.safe_load(args.action.read_text(encoding="utf-8"))
    readme_path: Path = args.readme
    current = readme_path.read_text(encoding="utf-8") if readme_path.exists() else None
    try:
        wanted = update(skeleton() if current is None else current, manifest)
    except ReadmeError as error:
        print(f"::error file={readme_path.name}::{error}", file=sys.stderr)
        return 1
    if wanted == current:
        return 0
    if args.check:
        print(
            f"::error file={readme_path.name}::{readme_path.name} differs from "
            f"{args.action.name}; run `python scripts/readme_tables.py` and commit the result.",
            file=sys.stderr,
        )
        return 1
    readme_path.write_text(wanted, encoding="utf-8")
    print(f"{readme_path.name}: tables updated from {args.action.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

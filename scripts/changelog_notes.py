"""Prints one version's section of CHANGELOG.md: the release notes (release.yml).

python scripts/changelog_notes.py CHANGELOG.md 1.2.3
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def notes(changelog: str, version: str) -> str:
    """The text under `## [version]` (or `## version`), up to the next `## ` heading."""
    heading = re.compile(rf"^## \[?{re.escape(version)}\]?(?:\s.*)?$", re.MULTILINE)
    found = heading.search(changelog)
    if found is None:
        raise LookupError(f"CHANGELOG.md has no section for {version}; add `## [{version}]`.")
    rest = changelog[found.end() :]
    following = re.search(r"^## ", rest, re.MULTILINE)
    return rest[: following.start() if following else len(rest)].strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a version's release notes.")
    parser.add_argument("changelog", type=Path)
    parser.add_argument("version")
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(notes(args.changelog.read_text(encoding="utf-8"), args.version))
    except (OSError, LookupError) as error:
        print(f"::error::{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

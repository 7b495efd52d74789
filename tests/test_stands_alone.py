"""The repository stands alone: no file cites one that a reader of the public repository
cannot open.

Comments and docs cite the platforms' public documents, docs/platforms.md,
docs/runner.md, docs/verdicts.md or the README, never the notes the project was first
written from. Every file git tracks or would track (untracked, not ignored) is read,
except `.ci/`: `.ci/run` starts a Docker engine on CI machines with a script that lives
beside the checkout, and runs it by path.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.harness import ROOT

# Names of the notes outside the repository, and the folder they sit in. Case matters:
# docs/runner.md is ours.
OUTSIDE = re.compile(r"SPEC\.md|\bSPEC\b|RUNNER\.md|STYLE\.md|providers\.md|seeds/|\.\./shared")

# `.ci/run` runs the engine script by path (see the docstring).
SKIPPED_FOLDERS = (".ci/",)
SKIPPED_PARTS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
# This file names what it looks for.
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()


def repository_files() -> list[str]:
    """Tracked files and untracked ones git does not ignore; a plain walk without git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = [path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*")]
    return sorted(
        name
        for name in set(listed)
        if name
        and not name.startswith(SKIPPED_FOLDERS)
        and not SKIPPED_PARTS.intersection(Path(name).parts)
        and (ROOT / name).is_file()
    )


def citations(name: str) -> list[str]:
    """The lines of a file that cite a file outside the repository, as `path:line: text`."""
    try:
        text = (ROOT / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # not text
    return [
        f"{name}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE.search(line)
    ]


def test_the_walk_sees_the_repository() -> None:
    files = repository_files()
    for expected in ("README.md", "action.yml", "Dockerfile", "src/qarun/main.py", SELF):
        assert expected in files, expected
    assert not [name for name in files if name.startswith(".ci/")]


def test_no_file_cites_one_outside_the_repository() -> None:
    found = [hit for name in repository_files() if name != SELF for hit in citations(name)]
    assert not found, (
        "These lines cite files outside the repository. Cite what a reader of the public "
        "repository can open instead: docs/platforms.md (the platforms' documents, with their "
        "URLs), docs/runner.md (GitHub's runner), docs/verdicts.md, or a README section.\n"
        + "\n".join(found)
    )


def test_the_pattern_catches_each_name() -> None:
    for cited in (
        "(SPEC.md, Statuses)",
        "in SPEC's order",
        "RUNNER.md §5",
        "STYLE.md",
        "providers.md §2",
        "seeds/003",
        "../shared/tools/docker-engine.sh",
    ):
        assert OUTSIDE.search(cited), cited
    for ours in ("docs/runner.md, Cancellation", "docs/platforms.md, QA.tech", "SPEC_WORDS"):
        assert not OUTSIDE.search(ours), ours

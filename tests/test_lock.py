"""The image's lock (requirements.txt) agrees with its input (requirements.in) and with the
package's own dependency ranges (pyproject.toml), and pins every file by hash."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(text: str) -> dict[str, str]:
    """`name==version` lines (a lock's continuation lines and comments left aside)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s\\;]+)", line.strip())
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


LOCK = (ROOT / "requirements.txt").read_text(encoding="utf-8")
LOCKED = pins(LOCK)
# The image's two locks and their inputs: the runtime tree, and what builds qarun.
LOCKS = [
    ("requirements.in", "requirements.txt"),
    ("requirements-build.in", "requirements-build.txt"),
]


@pytest.mark.parametrize(("given", "lock"), LOCKS)
def test_every_input_is_locked_at_the_version_it_names(given: str, lock: str) -> None:
    wanted = pins((ROOT / given).read_text(encoding="utf-8"))
    locked = pins((ROOT / lock).read_text(encoding="utf-8"))
    assert wanted, f"{given} names no package"
    assert {name: locked.get(name) for name in wanted} == wanted


@pytest.mark.parametrize("lock", [lock for _, lock in LOCKS])
def test_every_locked_package_is_pinned_by_hash_and_wanted_by_something(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    packages = [entry for entry in entries if re.match(r"[A-Za-z0-9]", entry)]
    assert len(packages) == len(pins(text)) >= 1
    for entry in packages:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
        assert "# via" in entry, f"{entry.splitlines()[0]} is wanted by nothing"


def test_the_package_ranges_admit_the_locked_versions() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        version = LOCKED[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), f"{line} refuses the locked {version}"

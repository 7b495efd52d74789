"""README.md's Inputs and Outputs tables must say what action.yml says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "readme_tables.py"


def tables(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    action, readme = tmp_path / "action.yml", tmp_path / "README.md"
    action.write_text((ROOT / "action.yml").read_text(encoding="utf-8"), encoding="utf-8")
    readme.write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    return action, readme


def test_the_readme_matches_action_yml() -> None:
    check = tables("--check")

    assert check.returncode == 0, check.stderr


def test_a_changed_description_in_action_yml_is_caught_and_regenerated(
    copies: tuple[Path, Path],
) -> None:
    action, readme = copies
    original = "How long to wait for the runs"
    action.write_text(action.read_text().replace(original, "How long | to wait at most"))

    check = tables("--check", "--action", action, "--readme", readme)
    assert check.returncode == 1
    assert "README.md differs from action.yml" in check.stderr

    assert tables("--action", action, "--readme", readme).returncode == 0
    text = readme.read_text()
    assert "How long \\| to wait at most" in text
    assert original not in text
    assert tables("--check", "--action", action, "--readme", readme).returncode == 0


def test_a_hand_edited_table_is_caught(copies: tuple[Path, Path]) -> None:
    action, readme = copies
    readme.write_text(readme.read_text().replace("| `30m` |", "| `10m` |"))

    check = tables("--check", "--action", action, "--readme", readme)

    assert check.returncode == 1


def test_text_outside_the_markers_is_kept(copies: tuple[Path, Path]) -> None:
    action, readme = copies
    readme.write_text("# Intro\n\n" + readme.read_text() + "\n## Later\n\nHand-written.\n")

    assert tables("--action", action, "--readme", readme).returncode == 0
    text = readme.read_text()
    assert text.startswith("# Intro\n\n")
    assert text.endswith("\n## Later\n\nHand-written.\n")


def test_required_inputs_and_defaults_are_shown(copies: tuple[Path, Path]) -> None:
    _, readme = copies
    rows = {line.split(" | ")[0]: line for line in readme.read_text().splitlines()}

    assert "(required)" in rows["| `provider` (required)"]
    assert rows["| `timeout`"].endswith("| `30m` |")
    assert rows["| `github-token`"].endswith("| `${{ github.token }}` |")
    assert "| `status` |" in readme.read_text()


def test_a_missing_readme_is_created_with_both_sections(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"

    assert tables("--check", "--readme", readme).returncode == 1
    assert tables("--readme", readme).returncode == 0

    text = readme.read_text()
    assert text.index("## Inputs") < text.index("<!-- inputs:start -->")
    assert text.index("## Outputs") < text.index("<!-- outputs:start -->")
    assert "| `api-key` (required) |" in text


def test_a_readme_without_markers_is_an_error_not_a_rewrite(copies: tuple[Path, Path]) -> None:
    action, readme = copies
    readme.write_text("# qarun\n")

    result = tables("--action", action, "--readme", readme)

    assert result.returncode == 1
    assert "<!-- inputs:start -->" in result.stderr
    assert readme.read_text() == "# qarun\n"

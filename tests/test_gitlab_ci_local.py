"""The README's GitLab CI example, run by gitlab-ci-local (an independent runner of
`.gitlab-ci.yml`, as GitLab's runner runs it) against the QA.tech fake: `pip install qarun`
from the wheel this repository builds (PIP_FIND_LINKS, as the snippet would from PyPI), a
passing and a failing pipeline, the exit code failing the job, the dotenv report read by a
later job, the JUnit file kept as the report, and the key nowhere in the log.

gitlab-ci-local's Docker executor needs a helper image no registry here serves, so the jobs
run in its shell executor (`--force-shell-executor`): on this machine, in a virtual
environment of their own that the job's `pip install qarun` installs into.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import only
from tests.harness import ROOT
from tests.install import build_package
from tests.test_readme import README, yaml_blocks

pytestmark = pytest.mark.docker  # the container tier: an independent runner, as nektos/act

# Where scripts/gitlab-ci-local.sh installs it: outside the checkout.
TOOLS = Path(
    os.environ.get("QARUN_TOOLS")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qarun"
)
GITLAB_CI_LOCAL = TOOLS / "gitlab-ci-local" / "node_modules" / ".bin" / "gitlab-ci-local"
KEY = "qa_gitlab_Key0123456789abcdef"
QATECH = only("qatech")
# A later job of the same pipeline, reading the dotenv report the README's job leaves.
LATER_JOB = """
after-qa:
  stage: deploy
  needs: [qa]
  when: always
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - echo "qa said status=$QARUN_STATUS failed=$QARUN_FAILED"
"""


def require_gitlab_ci_local() -> None:
    """Skips without gitlab-ci-local or rsync (scripts/gitlab-ci-local.sh installs them);
    under CI=true their absence fails the test."""
    missing = [
        what
        for what, found in (
            ("gitlab-ci-local", GITLAB_CI_LOCAL.exists()),
            ("rsync", shutil.which("rsync")),
        )
        if not found
    ]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (bash scripts/gitlab-ci-local.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide them.")
    pytest.skip(reason)


def the_readme_gitlab_example() -> str:
    (block,) = [
        block
        for block in yaml_blocks(README)
        if "pip install qarun" in block and "\nqa:" in "\n" + block
    ]
    return block


@pytest.fixture(scope="module")
def job_python(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel this repository builds, in a folder of its own (PIP_FIND_LINKS), and a
    virtual environment for the jobs with qarun's locked dependencies but not qarun."""
    folder = tmp_path_factory.mktemp("gitlab")
    _, wheel = build_package(folder)
    venv = folder / "job-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--require-hashes", "-r", str(ROOT / "requirements.txt")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return wheel.parent, venv


def pipeline(
    tmp_path: Path, job_python: tuple[Path, Path], url: str
) -> subprocess.CompletedProcess[str]:
    """The README's example and a later job, committed in a repository of their own, run by
    gitlab-ci-local as a merge request pipeline."""
    require_gitlab_ci_local()
    wheels, venv = job_python
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitlab-ci.yml").write_text(the_readme_gitlab_example() + LATER_JOB, encoding="utf-8")
    git = ["git", "-c", "user.name=qarun", "-c", "user.email=qarun@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "A merge request"]):
        subprocess.run([*git, *args], cwd=repo, check=True)
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        # `pip install qarun` finds qarun in the built wheel, and nothing on an index: the
        # job's environment already has the locked dependencies.
        "PIP_FIND_LINKS": str(wheels),
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    variables = {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_IID": "42",
        "QATECH_API_KEY": KEY,  # the masked CI/CD variable the example names
        "QARUN_API_URL": url,
        "QARUN_POLL_INTERVAL": "0.2s",
    }
    command = [str(GITLAB_CI_LOCAL), "--force-shell-executor", "--no-color"]
    for name, value in variables.items():
        command += ["--variable", f"{name}={value}"]
    return subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize(("verdict", "exit_code"), [("passed", 0), ("failed", 1)])
def test_the_readme_gitlab_example_runs_under_gitlab_ci_local(
    serve: Serve, tmp_path: Path, job_python: tuple[Path, Path], verdict: str, exit_code: int
) -> None:
    fake = serve(QATECH.scenario(verdict, duration=0.3))
    fake.api_key = KEY
    done = pipeline(tmp_path, job_python, fake.url)
    log = done.stdout + done.stderr
    repo = tmp_path / "repo"

    # The platform got the trigger; the job's exit code is the pipeline's verdict.
    assert len(QATECH.triggers(fake)) == 1, log
    assert (done.returncode == 0) is (exit_code == 0), log
    job_log = (repo / ".gitlab-ci-local" / "output" / "qa.log").read_text(encoding="utf-8")
    assert f"QA.tech: {verdict}" in job_log
    assert ("PASS  qa" if exit_code == 0 else "FAIL  qa") in log
    # The later job read the dotenv report.
    later = (repo / ".gitlab-ci-local" / "output" / "after-qa.log").read_text(encoding="utf-8")
    failed = "0" if verdict == "passed" else "1"
    assert f"qa said status={verdict} failed={failed}" in later
    # The JUnit report, where the example keeps it, with a test case per test.
    junit = (repo / "qa" / "junit.xml").read_text(encoding="utf-8")
    assert "<testcase" in junit and ("<failure" in junit) is (verdict == "failed")
    # The key: nowhere in what gitlab-ci-local printed or kept.
    kept = [
        path.read_text(encoding="utf-8", errors="replace")
        for path in (repo / ".gitlab-ci-local" / "output").iterdir()
    ]
    assert KEY not in log and all(KEY not in text for text in kept)

"""The built image, run the way GitHub's runner runs a `uses: ./` step, against each fake platform.

The image is built once for the session with the runner's own `docker build`
line and run with its `docker run` line (tests/dockerutil.py): inputs and
paths travel as the runner passes them, outputs are parsed by the runner's
rules, and the summary is read from the file the runner would upload. The
fakes listen on the host's loopback, which `--network host` makes reachable.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import FAILURE, ProviderCase, failing, only
from tests.dockerutil import ContainerRun, Invocation, StartedAction, prepare_action
from tests.fakes import qualigate
from tests.fakes.base import FakePlatform
from tests.harness import ActionResult, parse_file_command, prepare, pull_request_event

pytestmark = pytest.mark.docker

# A hang guard, not a measure (cancel.py's EXIT_BUDGET bounds how fast a canceled step
# exits); below the 60 s timeout of the cancel test, so only a forwarded signal passes.
HANG_GUARD = 45.0
TIMINGS = {"poll_interval": "0.5s", "timeout": "30s"}


def prepare_step(
    image: str, case: ProviderCase, fake: FakePlatform, tmp_path: Path, **inputs: str
) -> Invocation:
    """The step's `docker run` as the runner builds it for a pull_request workflow."""
    env = prepare(tmp_path, case.step_inputs(fake, **{**TIMINGS, **inputs})).env
    # The harness sets this for a bare `python -m qarun`; here the image must.
    env.pop("PYTHONUNBUFFERED", None)
    return prepare_action(
        image, env, workspace=tmp_path / "workspace", temp=tmp_path, event=pull_request_event()
    )


def container_result(run: ContainerRun, workspace: Path) -> ActionResult:
    """What the runner makes of the container: exit code, log, outputs and summary."""
    return ActionResult(
        exit_code=run.completed.returncode,
        stdout=run.completed.stdout,
        stderr=run.completed.stderr,
        outputs=parse_file_command(run.output_file.read_text(encoding="utf-8")),
        summary=run.summary_file.read_text(encoding="utf-8"),
        workspace=workspace,
    )


def run_container(
    image: str, case: ProviderCase, fake: FakePlatform, tmp_path: Path, **inputs: str
) -> ActionResult:
    run = prepare_step(image, case, fake, tmp_path, **inputs).run(timeout=60)
    result = container_result(run, tmp_path / "workspace")
    assert "Traceback" not in result.log, result.log
    assert fake.api_key not in result.everything_written()
    return result


def test_the_image_is_built_as_a_container_action_should_be(image: str) -> None:
    inspect = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config}}", image],
        check=True,
        capture_output=True,
        text=True,
    )
    config = json.loads(inspect.stdout)
    # Root: the runner's file commands belong to its user, which only root can write as.
    assert config.get("User", "") == ""
    # entrypoint.py by absolute path: the same program as `python -m qarun` and `qarun`.
    assert config["Entrypoint"] == ["python", "/app/entrypoint.py"]
    assert {"PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1"} <= set(config["Env"])
    labels = config["Labels"]
    assert labels["org.opencontainers.image.licenses"] == "MIT"
    for name in ("source", "version", "revision"):
        assert labels[f"org.opencontainers.image.{name}"], name

    # qarun installed as a package (no sys.path tweaks), its bytecode compiled in the image for
    # the image's own Python; no tests, benchmarks or host bytecode carried in.
    where = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--entrypoint",
            "python",
            image,
            "-c",
            "import os, qarun; print(os.path.dirname(qarun.__file__))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert "site-packages" in where, where
    listing = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "find", image, "/app", where],
        check=True,
        capture_output=True,
        text=True,
    )
    files = listing.stdout.split()
    unwanted = [f for f in files if "/tests" in f or "/bench" in f]
    assert unwanted == []
    caches = [f for f in files if f.endswith(".pyc") and f.startswith(where)]
    assert any("/qarun/__pycache__/main.cpython-312" in f for f in caches), caches
    assert all(".cpython-312" in f for f in caches), caches


def test_a_passing_run_passes_the_step(
    image: str, case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))

    result = run_container(image, case, fake, tmp_path)

    assert result.exit_code == 0, result.log
    out = result.outputs
    assert out["status"] == "passed"
    assert json.loads(out["run-ids"])
    assert int(out["total"]) >= 1 and out["passed"] == out["total"] and out["failed"] == "0"
    assert case.title in result.summary and "passed" in result.summary
    assert not result.errors()
    (trigger,) = case.triggers(fake)
    case.context_sent(trigger.body)


def test_a_failing_run_fails_the_step_with_the_platform_message(
    image: str, case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing()))

    result = run_container(image, case, fake, tmp_path)

    assert result.exit_code == 1, result.log
    assert result.outputs["status"] == "failed"
    assert int(result.outputs["failed"]) >= 1
    assert case.title in result.summary and FAILURE in result.summary
    errors = result.errors()
    assert len(errors) == 1 and case.title in errors[0]


def test_sigint_to_the_docker_cli_mid_wait_reports_canceled(
    image: str, case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))

    with prepare_step(image, case, fake, tmp_path, timeout="60s").start() as started:
        wait_for_first_poll(case, fake, started)
        # The runner signals the CLI, never the container; the CLI forwards it to PID 1.
        started.process.send_signal(signal.SIGINT)
        # A hang guard below the step's 60 s timeout: only a forwarded signal ends it first.
        run = started.finish(timeout=HANG_GUARD)
        result = container_result(run, tmp_path / "workspace")

    assert result.exit_code == 1, result.log
    assert result.outputs["status"] == "canceled"
    assert json.loads(result.outputs["run-ids"])
    assert case.title in result.summary and "canceled" in result.summary.lower()
    assert "go on on the platform" in result.summary
    (error,) = result.errors()
    assert "canceled" in error and "SIGINT" in error


def wait_for_first_poll(case: ProviderCase, fake: FakePlatform, started: StartedAction) -> None:
    """Returns once the action has triggered and polled: it is then waiting."""
    deadline = time.monotonic() + 30
    while not case.polls(fake):
        if started.process.poll() is not None:
            stdout, stderr = started.process.communicate()
            pytest.fail(f"the container ended before its first poll:\n{stdout}{stderr}")
        if time.monotonic() > deadline:
            pytest.fail("the container sent no status request within 30 s")
        time.sleep(0.05)


def test_the_image_takes_the_command_s_arguments_in_any_ci(
    image: str, serve: Serve, tmp_path: Path
) -> None:
    """`docker run --rm -e QARUN_API_KEY <image> --provider …`, as a GitLab job would."""
    case = only("qualigate")
    fake = serve(case.scenario("failed", duration=0.3))
    argv = [
        "docker", "run", "--rm", "--network", "host", "-e", "QARUN_API_KEY",
        "-e", "GITLAB_CI", "-e", "CI_COMMIT_SHA", image,
        "--provider", "qualigate", "--api-url", fake.url, "--suite", qualigate.SUITE_ID,
        "--poll-interval", "0.3s",
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "QARUN_API_KEY": fake.api_key, "GITLAB_CI": "true"}
    env["CI_COMMIT_SHA"] = "c0ffee00" * 5
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=120)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "Qualigate: failed" in log and "::" not in log
    assert fake.api_key not in log
    (trigger,) = fake.trigger_bodies()
    assert trigger["context"]["source"] == "gitlab-ci"
    assert trigger["context"]["sha"] == "c0ffee00" * 5

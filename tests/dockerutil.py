"""Builds and runs the action's image exactly the way GitHub's runner does (docs/runner.md,
How a container action is run).

`build_image` (and the session-wide `image` fixture) runs the runner's `docker
build`; `prepare_action` builds its `docker run`, with the same flags in the
same order, the same mounts under a runner-like temp folder, values passed
through the docker CLI's environment (`-e NAME` carries only the name), and
host paths in the environment translated to the container's, so the image
meets what it meets on a hosted runner. `Invocation.run` runs it to its end;
`Invocation.start` starts it for a test to signal.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness import ROOT

LABEL = "qarun-tests"  # the runner labels with a hash of its .runner file; ours marks leftovers
DOCKER_SOCKET = "/var/run/docker.sock"
WORKSPACE = "/github/workspace"


@functools.cache
def engine_available() -> bool:
    """Whether a Docker CLI is installed and its engine answers."""
    if shutil.which("docker") is None:
        return False
    try:
        info = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            check=False,
            capture_output=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return False
    return info.returncode == 0


def require_engine() -> None:
    """Skips the test without a Docker engine; in CI (`CI=true`) a missing engine fails it."""
    if engine_available():
        return
    reason = "no Docker engine answers `docker info`, so the container tests cannot run"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide one (start it before the tests).")
    pytest.skip(f"{reason}; install or start Docker to run them.")


def require_base_image(repo_root: Path) -> None:
    """Skips the test when the image the Dockerfile starts `FROM` is neither on this machine
    nor to be pulled (no registry reachable); in CI (`CI=true`) that fails it instead."""
    base = base_image(repo_root)
    known = subprocess.run(
        ["docker", "image", "inspect", base], check=False, capture_output=True, timeout=60
    )
    if known.returncode == 0:
        return
    try:
        pulled = subprocess.run(
            ["docker", "pull", base], check=False, capture_output=True, text=True, timeout=120
        )
        why = (pulled.stderr.strip().splitlines() or ["no message"])[-1]
        if pulled.returncode == 0:
            return
    except subprocess.TimeoutExpired:
        why = "no answer in 120 s"
    reason = f"the base image `{base}` is not on this machine and could not be pulled ({why})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it (load or pull it before the tests).")
    pytest.skip(f"{reason}; pull it where a registry is reachable, or `docker load` it.")


def base_image(repo_root: Path) -> str:
    """The image the action's Dockerfile starts `FROM`."""
    for line in action_dockerfile(repo_root).read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].upper() == "FROM":
            return words[1]
    raise AssertionError("the action's Dockerfile has no FROM line")


def build_image(repo_root: Path, tag: str, *, timeout: float = 600) -> None:
    """`docker build -t <tag> -f <Dockerfile> <its folder>` for the Dockerfile action.yml names."""
    dockerfile = action_dockerfile(repo_root)
    build = subprocess.run(
        ["docker", "build", "-t", tag, "-f", str(dockerfile), str(dockerfile.parent)],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if build.returncode != 0:
        raise AssertionError(
            f"Docker build failed with exit code {build.returncode}:\n{build.stdout}{build.stderr}"
        )


def action_dockerfile(repo_root: Path) -> Path:
    """The Dockerfile action.yml names, as the runner finds it."""
    manifest = yaml.safe_load((repo_root / "action.yml").read_text(encoding="utf-8"))
    return (repo_root / str(manifest["runs"]["image"])).resolve()


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    """The action's image, built once per session as the runner builds it (`<label>:<id>`).

    tests/conftest.py loads this module as a plugin, so every test can take it.
    """
    require_engine()
    require_base_image(ROOT)
    tag = f"{LABEL}:{uuid.uuid4().hex}"
    build_image(ROOT, tag)
    yield tag
    # Only the tag's own top layer goes; its parents stay as the next build's cache.
    subprocess.run(["docker", "rmi", "--no-prune", tag], check=False, capture_output=True)


@dataclass(frozen=True)
class ContainerRun:
    """An ended `docker run`: what the CLI printed, and the runner's files to read."""

    completed: subprocess.CompletedProcess[str]
    output_file: Path
    summary_file: Path


@dataclass(frozen=True)
class Invocation:
    """A prepared `docker run`: its arguments, the CLI's environment, the files to read after."""

    argv: list[str]
    cli_env: dict[str, str]
    name: str
    output_file: Path
    summary_file: Path

    def start(self) -> StartedAction:
        """Starts the CLI and returns at once, for tests that signal it as the runner does.

        Use the result as a context manager so the container goes away even when the test fails.
        """
        process = subprocess.Popen(
            self.argv,
            env=self.cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return StartedAction(process, self)

    def run(self, timeout: float = 120) -> ContainerRun:
        """Runs the image to its end, as the runner runs an action step."""
        with self.start() as started:
            return started.finish(timeout)


@dataclass(frozen=True)
class StartedAction:
    """A `docker run` in flight; leaving the `with` block removes the container, come what may."""

    process: subprocess.Popen[str]
    call: Invocation

    def __enter__(self) -> StartedAction:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        # A killed CLI can leave its container running (docs/runner.md, Cancellation).
        remove_container(self.call.name)

    def finish(self, timeout: float) -> ContainerRun:
        """Waits for the CLI to exit; one still running `timeout` seconds later fails the test."""
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the container was still running {timeout} s later")
        completed = subprocess.CompletedProcess(
            self.process.args, self.process.returncode, stdout, stderr
        )
        return ContainerRun(completed, self.call.output_file, self.call.summary_file)


def prepare_action(
    image: str, env: dict[str, str], *, workspace: Path, temp: Path, event: dict[str, Any]
) -> Invocation:
    """Lays out the runner's files under `temp` and builds its `docker run` command.

    `env` is the step's environment (INPUT_*, GITHUB_REPOSITORY, …); the runner's
    own variables (HOME, GITHUB_OUTPUT, GITHUB_EVENT_PATH, …) are set on top, as
    the runner does. `--network host`, which the runner does not add, makes a
    fake platform on the host's 127.0.0.1 reachable.
    """
    workspace, temp = workspace.resolve(), temp.resolve()
    home, workflow, commands = (
        temp / "_github_home",
        temp / "_github_workflow",
        temp / "_runner_file_commands",
    )
    for folder in (workspace, home, workflow, commands):
        folder.mkdir(parents=True, exist_ok=True)
    (workflow / "event.json").write_text(json.dumps(event), encoding="utf-8")
    guid = uuid.uuid4()
    files = {
        kind: commands / f"{kind}_{guid}"
        for kind in ("set_output", "step_summary", "set_env", "save_state", "add_path")
    }
    for path in files.values():
        path.write_text("", encoding="utf-8")

    mounts = [
        (temp, "/github/runner_temp"),
        (home, "/github/home"),
        (workflow, "/github/workflow"),
        (commands, "/github/file_commands"),
        (workspace, WORKSPACE),
    ]
    runner_env = {
        "HOME": str(home),
        "GITHUB_EVENT_PATH": str(workflow / "event.json"),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(files["set_output"]),
        "GITHUB_STEP_SUMMARY": str(files["step_summary"]),
        "GITHUB_ENV": str(files["set_env"]),
        "GITHUB_STATE": str(files["save_state"]),
        "GITHUB_PATH": str(files["add_path"]),
        "RUNNER_TEMP": str(temp),
    }
    # The image's PATH is used: the runner never passes the host's.
    step_env = {k: v for k, v in {**env, **runner_env}.items() if k != "PATH"}
    container_env = {k: _translate(v, mounts) for k, v in step_env.items()}

    name = f"{re.sub(r'[^a-zA-Z0-9_.-]', '_', image)}_{uuid.uuid4().hex[:6]}"
    argv = ["docker", "run", "--name", name, "--label", LABEL, "--workdir", WORKSPACE, "--rm"]
    for variable in container_env:
        argv += ["-e", variable]
    argv += ["-e", "GITHUB_ACTIONS=true"]
    if "CI" not in container_env:
        argv += ["-e", "CI=true"]
    argv += ["--network", "host"]
    if Path(DOCKER_SOCKET).exists():  # else docker would create an empty folder there
        argv += ["-v", f"{DOCKER_SOCKET}:{DOCKER_SOCKET}"]
    for host, container in mounts:
        argv += ["-v", f"{host}:{container}"]
    argv.append(image)

    return Invocation(
        argv=argv,
        cli_env={**os.environ, **container_env},
        name=name,
        output_file=files["set_output"],
        summary_file=files["step_summary"],
    )


def remove_container(name: str) -> None:
    """Removes a container if it still exists; `--rm` has usually done it already."""
    subprocess.run(["docker", "rm", "--force", name], check=False, capture_output=True, timeout=30)


def _translate(value: str, mounts: list[tuple[Path, str]]) -> str:
    """A host path under a mount, as the container sees it; the deepest mount wins."""
    for host, container in sorted(mounts, key=lambda mount: len(str(mount[0])), reverse=True):
        root = str(host)
        if value == root or value.startswith(root + "/"):
            return container + value[len(root) :]
    return value

"""The container harness itself: the runner's `docker run` line, and the real image answering it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dockerutil import prepare_action, require_base_image
from tests.harness import ROOT, parse_file_command, push_event


def test_the_docker_run_line_follows_the_runner(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    step_env = {
        "INPUT_PROVIDER": "qatech",
        "INPUT_REPORT-FILE": str(workspace / "out" / "report.json"),
        "GITHUB_REPOSITORY": "octo/shop",
        "PATH": "/host/only/bin",
    }

    call = prepare_action(
        "qarun-test:x", step_env, workspace=workspace, temp=tmp_path, event=push_event()
    )

    argv = call.argv
    lead = f"docker run --name {call.name} --label qarun-tests --workdir /github/workspace --rm -e"
    assert " ".join(argv[:10]) == lead
    assert argv[-1] == "qarun-test:x"
    names = [argv[i + 1] for i, flag in enumerate(argv) if flag == "-e"]
    assert "INPUT_PROVIDER" in names and "PATH" not in names
    assert names[-2:] == ["GITHUB_ACTIONS=true", "CI=true"]
    assert argv.index("--network") > argv.index("CI=true")
    mounts = [argv[i + 1] for i, flag in enumerate(argv) if flag == "-v"]
    assert mounts[-5:] == [
        f"{tmp_path}:/github/runner_temp",
        f"{tmp_path}/_github_home:/github/home",
        f"{tmp_path}/_github_workflow:/github/workflow",
        f"{tmp_path}/_runner_file_commands:/github/file_commands",
        f"{workspace}:/github/workspace",
    ]
    env = call.cli_env
    assert env["INPUT_REPORT-FILE"] == "/github/workspace/out/report.json"
    assert env["GITHUB_OUTPUT"] == f"/github/file_commands/{call.output_file.name}"
    assert env["GITHUB_STEP_SUMMARY"] == f"/github/file_commands/{call.summary_file.name}"
    assert env["GITHUB_EVENT_PATH"] == "/github/workflow/event.json"
    assert env["HOME"] == "/github/home"
    assert call.output_file.name.startswith("set_output_")
    assert call.summary_file.name.startswith("step_summary_")
    assert (tmp_path / "_github_workflow" / "event.json").read_text().startswith('{"ref"')


@pytest.mark.docker
def test_the_built_image_rejects_a_step_without_inputs(image: str, tmp_path: Path) -> None:
    call = prepare_action(
        image, {}, workspace=tmp_path / "workspace", temp=tmp_path / "temp", event=push_event()
    )

    run = call.run()

    log = run.completed.stdout + run.completed.stderr
    assert run.completed.returncode == 2, log
    assert "::error::input `provider`" in run.completed.stdout
    # Written inside the container, read on the host: the mounts and paths line up.
    assert parse_file_command(run.output_file.read_text())["status"] == "error"
    assert "provider" in run.summary_file.read_text()


def _stub_docker(folder: Path, inspect: int, pull: int) -> None:
    """A `docker` whose `image inspect` and `pull` exit as told, as on a machine whose registry
    is out of reach."""
    folder.mkdir()
    script = folder / "docker"
    script.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = image ] && exit {inspect}\n'
        'echo "Error response from daemon: dial tcp: lookup registry: no such host" >&2\n'
        f"exit {pull}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


@pytest.mark.parametrize(
    ("ci", "ends"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_a_base_image_out_of_reach_skips_the_container_tests_and_fails_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str, ends: type[BaseException]
) -> None:
    _stub_docker(tmp_path / "bin", inspect=1, pull=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(ends) as stopped:
        require_base_image(ROOT)
    said = str(stopped.value)
    assert "the base image `python:3.12-slim` is not on this machine" in said
    assert "no such host" in said


def test_a_base_image_on_the_machine_or_pulled_lets_the_tests_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, inspect, pull in (("local", 0, 1), ("pulled", 1, 0)):
        _stub_docker(tmp_path / name, inspect=inspect, pull=pull)
        monkeypatch.setenv("PATH", f"{tmp_path / name}{os.pathsep}{os.environ['PATH']}")
        assert require_base_image(ROOT) is None

"""The verdict under every reading the platforms' documents allow (tests/fakes/README.md).

Each platform's fake takes a variant for every point its documents leave open;
each scenario runs under each variant, over real HTTP, through `main(env)`,
and the verdict, exit code, counts and summary must be right in all of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import VARIANT_CASES, ProviderCase
from tests.harness import ActionResult, run_in_process

TIMINGS = {"poll_interval": "0.1s", "timeout": "30s"}
# Seconds a scenario's runs take on the fake.
DURATION = 0.2


@pytest.fixture(params=VARIANT_CASES, ids=str)
def variant(request: pytest.FixtureRequest) -> ProviderCase:
    """Each platform under each variant of its documents."""
    return request.param  # type: ignore[no-any-return]


def run(case: ProviderCase, serve: Serve, tmp_path: Path, kind: str, **inputs: str) -> ActionResult:
    fake = serve(case.scenario(kind, duration=DURATION))
    result = run_in_process(tmp_path, case.step_inputs(fake, **{**TIMINGS, **inputs}))
    assert fake.api_key not in result.everything_written()
    assert "Traceback" not in result.log
    out = result.outputs
    # What holds for every scenario: a finished status word (README, Statuses and exit codes),
    # counts that add up, a report for each run.
    assert out["status"] in {"passed", "failed", "error", "timeout", "canceled", "skipped"}
    counted = sum(int(out[name]) for name in ("passed", "failed", "skipped"))
    assert counted <= int(out["total"])
    for run_id in json.loads(out["run-ids"]):
        assert run_id in result.summary
    return result


def test_passed(variant: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    result = run(variant, serve, tmp_path, "passed")
    assert (result.exit_code, result.outputs["status"]) == (0, "passed"), result.log
    assert result.outputs["passed"] == result.outputs["total"]
    assert result.outputs["failed"] == "0"
    assert not result.errors()


def test_failed(variant: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    result = run(variant, serve, tmp_path, "failed")
    assert (result.exit_code, result.outputs["status"]) == (1, "failed"), result.log
    assert int(result.outputs["failed"]) >= 1
    assert len(result.errors()) == 1


def test_mixed_never_passes(variant: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    result = run(variant, serve, tmp_path, "mixed")
    assert result.exit_code == 1, result.log
    if variant.outcomes_hidden:
        # Panto says only that the trigger partly passed: tests failed, and no run is claimed
        # passed; the run with a remark shows it, the others say why they are not a pass.
        assert result.outputs["status"] == "failed"
        assert result.outputs["passed"] == "0"
        assert "Cart empty" in result.summary
        assert "says it was not one of them" in result.summary
    else:
        assert result.outputs["status"] == "failed"
        assert int(result.outputs["passed"]) >= 1
        assert int(result.outputs["failed"]) >= 1


def test_a_test_in_error_is_never_a_pass(
    variant: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    result = run(variant, serve, tmp_path, "errored")
    assert (result.exit_code, result.outputs["status"]) == (1, "error"), result.log
    assert int(result.outputs["passed"]) < int(result.outputs["total"])


def test_fail_on_failed_alone_still_fails_a_trigger_that_failed(
    variant: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    # Whatever the runs' words made of it (error, where they say nothing), the platform
    # said some tests failed, and `fail-on: failed` asks to fail then.
    result = run(variant, serve, tmp_path, "mixed", fail_on="failed")
    assert result.exit_code == 1, result.log


def test_runs_still_going_at_the_timeout(
    variant: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    result = run(variant, serve, tmp_path, "never", timeout="1s")
    assert (result.exit_code, result.outputs["status"]) == (1, "timeout"), result.log
    # Each unfinished run can be found: its id (checked in `run`) and, where the platform
    # implies one, its link.
    assert "Not finished when the timeout ran out" in result.summary
    urls = json.loads(result.outputs["urls"])
    if variant.run_links:
        assert len(urls) == len(json.loads(result.outputs["run-ids"]))
        assert all(url in result.summary for url in urls)


def test_a_rejected_key_is_exit_3_whatever_the_code_it_comes_with(
    variant: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(variant.scenario("passed", duration=DURATION))
    inputs = variant.step_inputs(fake, api_key="wrong-key-0123456789", **TIMINGS)
    result = run_in_process(tmp_path, inputs)
    assert (result.exit_code, result.outputs["status"]) == (3, "error"), result.log
    assert "rejected the API key" in result.errors()[0]
    assert "wrong-key-0123456789" not in result.everything_written()

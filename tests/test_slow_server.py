"""A server that answers one byte at a time never holds qarun past its `timeout`, nor past
the 5 s a canceled step has (docs/failure-handling.md: What qarun retries, and
Cancellation): the limit is on the whole request, not on each read, for the platforms,
`wait-for-url` and GitHub."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.conftest import Serve
from tests.contract import only
from tests.fakes.base import FakePlatform, Recorded, Reply
from tests.fakes.github import GitHubFake
from tests.harness import FAKE_GITHUB_TOKEN, prepare, run_action
from tests.robustness import wait_until

# Starts qarun as a process and waits on it or signals it: bench/stress.py runs these.
pytestmark = pytest.mark.process

CASE = only("qualigate")
DRIP = Reply(action="drip")
# A hang guard, not a measure: the dripping answers alone would never end.
HANG_GUARD = 60


class Preview(FakePlatform):
    """A preview deployment: any path, no key."""

    def authorized(self, request: Recorded) -> bool:
        return True

    def route(self, request: Recorded) -> Reply:
        return Reply(200, {"ok": True})


@pytest.mark.parametrize("where", ["trigger", "status check", "wait-for-url"])
def test_a_dripping_answer_cannot_hold_the_step_past_its_timeout(
    serve: Serve, tmp_path: Path, where: str
) -> None:
    fake = serve(CASE.scenario("never"))
    inputs = CASE.step_inputs(fake, timeout="1s", poll_interval="0.2s", report_file="r.json")
    if where == "trigger":
        fake.inject(f"POST {CASE.trigger[1]}", DRIP)
    elif where == "status check":
        fake.inject(f"GET {CASE.trigger[1]}", *[DRIP] * 20)
    else:
        preview = serve(Preview())
        preview.inject("GET /preview", *[DRIP] * 20)
        inputs["wait-for-url"] = preview.url + "/preview"

    result = run_action(tmp_path, inputs, timeout=HANG_GUARD)

    assert result.exit_code in (1, 3), result.log
    assert result.outputs["status"] in ("timeout", "error")
    assert "r.json" in result.files and result.summary.strip()
    assert "Traceback" not in result.log


def test_a_dripping_github_is_abandoned_within_the_time_a_canceled_step_has(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve(CASE.scenario("never"))
    github = serve(GitHubFake(FAKE_GITHUB_TOKEN))
    github.inject("POST /api/v3/repos/octo/shop/statuses/", *[DRIP] * 20)
    inputs = CASE.step_inputs(fake, poll_interval="0.2s", commit_status="true")
    step = prepare(tmp_path, inputs, extra_env={"GITHUB_API_URL": github.url}).start()
    # The moment is certain: GitHub has begun to drip the first pending status.
    wait_until(lambda: github.requests_to("POST"))
    step.signal(signal.SIGINT)
    result = step.finish(timeout=HANG_GUARD)

    assert result.exit_code == 1
    assert result.outputs["status"] == "canceled"
    warnings = [line for line in result.log.splitlines() if line.startswith("::warning::")]
    assert any("abandoned" in line for line in warnings), result.log
    assert "Traceback" not in result.log

"""`wait-for-url`, end to end: nothing is triggered before the preview answers below 400."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.conftest import Serve
from tests.fakes.base import FakePlatform, Recorded, Reply
from tests.fakes.qatech import QatechFake, scenario
from tests.harness import ActionResult, run_in_process


class PreviewSite(FakePlatform):
    """A preview deployment: 503 until `up_after` seconds past the first check, then 200.
    (A preview that never answers: tests/test_slow_server.py.)"""

    def __init__(self, up_after: float = 0.0) -> None:
        super().__init__()
        self.up_after = up_after
        self.first_check: float | None = None
        self.first_up: Recorded | None = None
        self._first = threading.Lock()

    def authorized(self, request: Recorded) -> bool:
        return True

    def route(self, request: Recorded) -> Reply:
        with self._first:
            self.first_check = self.first_check or request.at
        if request.at - self.first_check < self.up_after:
            return Reply(503, raw=b"<h1>Deployment is building</h1>")
        self.first_up = self.first_up or request
        return Reply(200, raw=b"<h1>Shop</h1>", headers={"Content-Type": "text/html"})


def run(tmp_path: Path, qatech: QatechFake, preview: PreviewSite, timeout: str) -> ActionResult:
    result = run_in_process(
        tmp_path,
        {
            "provider": "qatech",
            "api-key": qatech.api_key,
            "api-url": qatech.url,
            "poll-interval": "0.2s",
            "timeout": timeout,
            "wait-for-url": preview.url + "/healthz",
        },
    )
    assert "Traceback" not in result.log
    return result


def test_triggers_once_the_url_comes_up(serve: Serve, tmp_path: Path) -> None:
    qatech, preview = serve(scenario("passed")), serve(PreviewSite(up_after=1.0))
    result = run(tmp_path, qatech, preview, timeout="20s")

    assert result.exit_code == 0, result.log
    assert result.outputs["status"] == "passed"
    (trigger,) = qatech.requests_to("POST", "/v1/run")
    assert preview.first_up is not None and trigger.order > preview.first_up.order
    assert {r.path for r in preview.requests} == {"/healthz"}
    assert len(preview.requests) >= 2
    assert "Waiting for" in result.stdout and "HTTP 503" in result.stdout
    assert "is up after" in result.stdout
    # The platform's key belongs to the platform, never to the preview.
    assert all("authorization" not in r.headers for r in preview.requests)


def test_a_url_that_never_comes_up_ends_in_timeout_with_nothing_triggered(
    serve: Serve, tmp_path: Path
) -> None:
    qatech, preview = serve(scenario("passed")), serve(PreviewSite(up_after=3600))
    result = run(tmp_path, qatech, preview, timeout="2s")

    assert result.exit_code == 1
    assert result.outputs["status"] == "timeout"
    assert result.outputs["run-ids"] == "[]"
    assert qatech.requests == []
    assert result.took_on_test_clock == 2.0, "it waited out the timeout, and no longer"
    (error,) = result.errors()
    assert "/healthz" in error and "nothing was triggered" in error
    assert "timeout" in result.summary.lower()


def test_the_wait_counts_against_the_timeout(serve: Serve, tmp_path: Path) -> None:
    """`timeout` bounds the whole step: a slow preview leaves less time for the runs."""
    qatech, preview = serve(scenario("never")), serve(PreviewSite(up_after=1.0))
    result = run(tmp_path, qatech, preview, timeout="2s")

    assert result.outputs["status"] == "timeout"
    (trigger,) = qatech.requests_to("POST", "/v1/run")
    assert preview.first_check is not None and trigger.at - preview.first_check >= 1.0
    # From trigger to outcome: what the 2 s left after the 1 s wait, not 2 s afresh.
    assert float(result.outputs["duration"]) < 1.6

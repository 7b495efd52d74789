"""`commit-status` and `pr-comment`, end to end against a fake GitHub REST API on loopback.

Every run checks what must always hold: the token is nowhere in what the action
wrote. GitHub's answers never change the QA verdict; the tests compare exit
codes and `status` with what the platform's scenario alone decides.
"""

from __future__ import annotations

import io
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

from qarun.cancel import HANDLED, Cancellation, WorkTimedOut
from qarun.clock import Clock
from qarun.console import Console
from qarun.errors import CanceledError
from qarun.github import content
from qarun.github.reporter import PENDING_BUDGET, GitHubReporter
from qarun.model import Outcome, Status
from qarun.settings import Settings
from tests import factories
from tests.conftest import Serve
from tests.contract import ProviderCase
from tests.fakes.base import FakePlatform, Reply, RunScript, TestClock, TestScript
from tests.fakes.github import BOT, PULL_REQUESTS, GitHubFake, Hold
from tests.fakes.qatech import DASHBOARD, QatechFake
from tests.harness import (
    FAKE_GITHUB_TOKEN,
    HEAD_SHA,
    ActionResult,
    prepare,
    push_event,
    run_in_process,
)

TOKEN = FAKE_GITHUB_TOKEN
CHECKOUT, SEARCH = "pln_checkout", "pln_search"
FAILURE = "Could not find the login button on the checkout page. " * 5
STATUSES = "/api/v3/repos/octo/shop/statuses/"
COMMENTS = "/api/v3/repos/octo/shop/issues/42/comments"
# A guard against a hang, never a measure: the moments below are made certain, not awaited.
HANG_GUARD = 30.0
T = TypeVar("T")


def qatech(checkout: str = "failed", search: str = "passed", duration: float = 0.5) -> QatechFake:
    """Two test plans, so two runs: Checkout regression and Search."""
    checkout_tests = (
        TestScript("Login flow", checkout, FAILURE if checkout != "passed" else None),
    )
    return QatechFake(
        {
            CHECKOUT: RunScript(
                "Checkout regression", checkout, duration, 0.05, tests=checkout_tests
            ),
            SEARCH: RunScript("Search", search, duration, 0.05),
        }
    )


def step_inputs(platform: FakePlatform, **inputs: str) -> dict[str, str]:
    """The step's `with:`, both GitHub features on; `pr_comment` means `pr-comment`."""
    return {
        "provider": "qatech",
        "api-key": platform.api_key,
        "api-url": platform.url,
        "suite": f"{CHECKOUT}\n{SEARCH}",
        "poll-interval": "0.2s",
        "timeout": "30s",
        "commit-status": "true",
        "pr-comment": "true",
        **{name.replace("_", "-"): value for name, value in inputs.items()},
    }


def run(
    tmp_path: Path,
    platform: FakePlatform,
    api_url: str,
    *,
    event: dict[str, Any] | None = None,
    event_name: str = "pull_request",
    env: dict[str, str] | None = None,
    **inputs: str,
) -> ActionResult:
    result = run_in_process(
        tmp_path,
        step_inputs(platform, **inputs),
        event=event,
        event_name=event_name,
        extra_env={"GITHUB_API_URL": api_url, **(env or {})},
    )
    check_always(result)
    return result


def check_always(result: ActionResult) -> None:
    assert TOKEN not in result.everything_written()
    assert "Traceback" not in result.log


def warnings(result: ActionResult) -> list[str]:
    return [line for line in result.log.splitlines() if line.startswith("::warning::")]


def states(github: GitHubFake, context: str) -> list[str]:
    return [status.state for status in github.statuses_for(context)]


# --- commit statuses -------------------------------------------------------------------------


def test_a_status_per_run_pending_then_final(serve: Serve, tmp_path: Path) -> None:
    platform, github = serve(qatech(duration=1.0)), serve(GitHubFake(TOKEN))
    result = run(tmp_path, platform, github.url, pr_comment="false")

    assert result.exit_code == 1 and result.outputs["status"] == "failed"
    checkout, search = "qarun/qatech: Checkout regression", "qarun/qatech: Search"
    assert {status.context for status in github.statuses} == {checkout, search}
    assert states(github, checkout) == ["pending", "failure"]
    assert states(github, search) == ["pending", "success"]
    # The pull request's head commit, not the merge commit the runner checks out.
    assert {status.sha for status in github.statuses} == {HEAD_SHA}
    assert {status.target_url for status in github.statuses} == {
        DASHBOARD + "r00001",
        DASHBOARD + "r00002",
    }
    assert all(len(status.description or "") <= 140 for status in github.statuses)
    failed = github.statuses_for(checkout)[-1].description or ""
    assert failed.startswith("Failed: 0 of 1 test passed – Could not find") and failed.endswith("…")
    assert github.statuses_for(search)[-1].description == "Passed: 1 of 1 test passed"

    # Pending went out while the runs were still going.
    trigger = platform.requests_to("POST", "/v1/run")[0]
    pending = github.requests_to("POST", STATUSES)[:2]
    assert all(request.at < trigger.at + 1.0 for request in pending)
    assert [request.body["state"] for request in pending] == ["pending", "pending"]
    assert "Commit statuses: 2 set on a1b2c3d." in result.stdout
    assert not warnings(result)


def test_the_final_writes_end_by_the_timeout_too(serve: Serve, tmp_path: Path) -> None:
    # The runs never end; GitHub holds the final statuses: the step still ends by `timeout`
    # (the wait keeps GitHub a share of it), and says what was abandoned.
    platform, github = serve(qatech(checkout="never", search="never")), serve(GitHubFake(TOKEN))
    held = github.hold_status("error")
    try:
        result = run(tmp_path, platform, github.url, pr_comment="false", timeout="20s")
    finally:
        held.release()
    assert (result.exit_code, result.outputs["status"]) == (1, "timeout"), result.log
    assert result.took_on_test_clock <= 20.0, result.took_on_test_clock
    assert any("abandoned" in line for line in warnings(result)), result.log
    # The wait itself ended before the step's deadline: it kept GitHub its share (2 s of 20).
    polls = [r.at for r in platform.requests_to("GET", "/v1/run/")]
    assert polls and max(polls) - min(r.at for r in platform.requests) <= 18.0


def test_every_platform_gets_a_status_per_run(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    platform, github = serve(case.scenario("passed")), serve(GitHubFake(TOKEN))
    inputs = {"provider": case.name, "suite": "", "pr-comment": "false", **case.inputs}
    result = run(tmp_path, platform, github.url, **inputs)

    assert result.exit_code == 0, result.log
    contexts = {status.context for status in github.statuses}
    assert len(contexts) == len(result.outputs["run-ids"].split(","))
    for context in contexts:
        assert context.startswith(f"qarun/{case.name}: ")
        assert states(github, context) == ["pending", "success"]


def test_a_rerun_updates_the_same_status(serve: Serve, tmp_path: Path) -> None:
    platform = QatechFake(
        {CHECKOUT: RunScript("Checkout regression", "failed", 0.3, 0.05)},
        reruns=[RunScript("rerun", "passed", 0.3, 0.05)],
    )
    serve(platform)
    github = serve(GitHubFake(TOKEN))
    result = run(
        tmp_path, platform, github.url, suite=CHECKOUT, rerun_failed="1", pr_comment="false"
    )

    assert result.outputs["status"] == "passed"
    (context,) = {status.context for status in github.statuses}
    assert states(github, context) == ["pending", "pending", "success"]
    first, rerun, final = github.statuses_for(context)
    assert "attempt 2" in (rerun.description or "")
    assert (first.target_url, rerun.target_url) == (DASHBOARD + "r00001", DASHBOARD + "r00002")
    assert final.description == "Passed: 1 of 1 test passed on attempt 2"


def test_wait_false_leaves_the_statuses_pending(serve: Serve, tmp_path: Path) -> None:
    platform, github = serve(qatech()), serve(GitHubFake(TOKEN))
    result = run(tmp_path, platform, github.url, wait="false")

    assert result.outputs["status"] == "triggered"
    assert [status.state for status in github.statuses] == ["pending", "pending"]
    assert all("wait: false" in (status.description or "") for status in github.statuses)
    (comment,) = github.comments_on(42)
    assert "triggered" in comment.body


@pytest.mark.process
def test_cancel_still_finishes_statuses_and_comment(serve: Serve, tmp_path: Path) -> None:
    platform, github = serve(qatech("never", "never")), serve(GitHubFake(TOKEN))
    env = {"GITHUB_API_URL": github.url}
    step = prepare(tmp_path, step_inputs(platform), extra_env=env).start()
    deadline = time.monotonic() + 15
    while len(github.statuses) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(github.statuses) == 2, "no pending statuses were set"
    step.signal(signal.SIGINT)
    result = step.finish(timeout=15)
    check_always(result)

    assert result.exit_code == 1 and result.outputs["status"] == "canceled"
    finals = github.statuses[2:]
    assert [status.state for status in finals] == ["error", "error"]
    assert all("canceled" in (status.description or "") for status in finals)
    (comment,) = github.comments_on(42)
    assert "canceled" in comment.body


# --- abandoned writes -----------------------------------------------------------------------
# A phase's writes run on a helper thread that a deadline or a signal abandons; GitHub must
# still receive each run's final status last, and nothing from the abandoned thread after it.

CHECKOUT_STATUS, SEARCH_STATUS = "qarun/qatech: Checkout regression", "qarun/qatech: Search"
RUNNING = [
    factories.make_run(id="r1", name="Checkout regression", status=Status.RUNNING),
    factories.make_run(id="r2", name="Search", status=Status.RUNNING),
]
FINAL_STATES = frozenset({"success", "failure", "error"})


class Watched(Cancellation):
    """qarun's Cancellation, telling when each piece of work it ran has ended, so a test waits
    for an abandoned thread instead of hoping it is done. With `runs_out_at` set, `call` gives
    up on its work (WorkTimedOut) when that event is set, as if its budget ran out right then:
    the test picks the moment, no clock does."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.runs_out_at: threading.Event | None = None
        self.ended: list[threading.Event] = []

    def call(self, work: Callable[[], T], budget: float | None, *, stoppable: bool = True) -> T:
        ended = threading.Event()
        self.ended.append(ended)

        def tracked() -> T:
            try:
                return work()
            finally:
                ended.set()

        if self.runs_out_at is None:
            return super().call(tracked, budget, stoppable=stoppable)
        threading.Thread(target=tracked, name="qarun-call", daemon=True).start()
        assert self.runs_out_at.wait(HANG_GUARD), "the moment the budget runs out never came"
        raise WorkTimedOut

    def wait_for_all_work(self) -> None:
        assert all(ended.wait(HANG_GUARD) for ended in self.ended), "an abandoned thread hangs"


@pytest.fixture
def cancel(clock: TestClock) -> Iterator[Watched]:
    """The Cancellation, its handlers installed in this process for the test (as the in-process
    harness does), then put back."""
    assert threading.current_thread() is threading.main_thread()
    handlers = {signum: signal.getsignal(signum) for signum in HANDLED}
    watched = Watched(Clock(now=clock, skip=clock.sleep))
    watched.install()
    try:
        yield watched
    finally:
        watched.settle()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def reporter_for(github: GitHubFake, cancel: Cancellation) -> tuple[GitHubReporter, io.StringIO]:
    """Commit statuses only, on PR #42's head commit, on the cancellation's clock (the test's),
    stopping once it has a signal; and its log."""
    settings = Settings(
        provider="qatech",
        api_key="test-key-0123456789",
        api_url="https://api.qa.tech",
        options=None,
        github_token=TOKEN,
        commit_status=True,
    )
    log = io.StringIO()
    reporter = GitHubReporter.create(
        {"GITHUB_API_URL": github.url},
        settings,
        factories.make_context(repository="octo/shop"),
        Console(stream=log),
        provider_title="QA.tech",
        plan=[],
        stopping=lambda: cancel.requested,
        clock=cancel.clock,
    )
    return reporter, log


def signal_when(moment: threading.Event) -> threading.Thread:
    """Sends SIGINT to the main thread (where qarun's handler runs) once `moment` is set."""

    def interrupt() -> None:
        assert moment.wait(HANG_GUARD), "the moment for the signal never came"
        main = threading.main_thread().ident
        assert main is not None
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=interrupt, daemon=True)
    thread.start()
    return thread


def finish_while_held(
    reporter: GitHubReporter, outcome: Outcome, release: Callable[[], None]
) -> None:
    """The final phase starts while the slow write is still held, which is then let go: the
    final statuses must wait for it, however the threads take turns."""
    finisher = threading.Thread(target=reporter.finish, args=(outcome,), daemon=True)
    finisher.start()
    release()
    finisher.join(HANG_GUARD)
    assert not finisher.is_alive(), "the final statuses hang"


def sent_states(github: GitHubFake) -> list[str]:
    """The states of the status writes, in the order they reached the fake."""
    return [request.body["state"] for request in github.requests_to("POST", STATUSES)]


def assert_final_last(github: GitHubFake) -> None:
    """Each context's last status is a final one, and no pending one came after a final."""
    for context in {status.context for status in github.statuses}:
        assert states(github, context)[-1] in FINAL_STATES, states(github, context)
    arrived = sent_states(github)
    finals = [index for index, state in enumerate(arrived) if state in FINAL_STATES]
    assert "pending" not in arrived[finals[0] :], arrived


def test_a_pending_write_abandoned_in_flight_goes_before_the_final_statuses(
    serve: Serve, clock: TestClock, cancel: Watched
) -> None:
    github = serve(GitHubFake(TOKEN))
    slow = github.hold_status("pending")
    reporter, log = reporter_for(github, cancel)
    # The pending phase's time runs out exactly while its first write is held in flight.
    cancel.runs_out_at = slow.arrived
    reporter.pending_in_time(RUNNING, cancel, PENDING_BUDGET)
    assert "did not take the pending commit statuses in time" in log.getvalue()

    failed, passed = (
        replace(RUNNING[0], status=Status.FAILED),
        replace(RUNNING[1], status=Status.PASSED),
    )
    finish_while_held(reporter, factories.make_outcome(failed, passed), slow.release)
    cancel.wait_for_all_work()

    # The write in flight went first; the abandoned phase sent nothing after it.
    assert sent_states(github) == ["pending", "failure", "success"]
    assert states(github, CHECKOUT_STATUS) == ["pending", "failure"]
    assert states(github, SEARCH_STATUS) == ["success"]
    assert_final_last(github)


def signaled_while_pending(
    serve: Serve, cancel: Watched
) -> tuple[GitHubFake, Hold, GitHubReporter, io.StringIO]:
    """The pending phase, canceled by a signal while its first write is held in flight (still
    held on return); the fake, that hold, the reporter and its log."""
    github = serve(GitHubFake(TOKEN))
    slow = github.hold_status("pending")
    reporter, log = reporter_for(github, cancel)
    interrupter = signal_when(slow.arrived)
    with pytest.raises(CanceledError):
        reporter.pending_in_time(RUNNING, cancel, PENDING_BUDGET)
    interrupter.join(HANG_GUARD)
    return github, slow, reporter, log


def test_after_a_signal_the_abandoned_pending_phase_writes_nothing_more(
    serve: Serve, clock: TestClock, cancel: Watched
) -> None:
    github, slow, reporter, _ = signaled_while_pending(serve, cancel)

    finish_while_held(reporter, factories.make_outcome(*RUNNING, canceled=True), slow.release)
    cancel.wait_for_all_work()

    assert sent_states(github) == ["pending", "error", "error"]
    assert states(github, CHECKOUT_STATUS) == ["pending", "error"]
    assert states(github, SEARCH_STATUS) == ["error"]
    assert_final_last(github)


def test_final_statuses_given_up_after_a_signal_are_never_written_later(
    serve: Serve, clock: TestClock, cancel: Watched
) -> None:
    github, slow, reporter, log = signaled_while_pending(serve, cancel)

    # No time is left of the canceled step's budget: the final phase is given up at once,
    # while the slow pending write still holds GitHub.
    reporter.finish_in_time(factories.make_outcome(*RUNNING, canceled=True), cancel, 0.0)
    assert "were abandoned" in log.getvalue()
    slow.release()
    cancel.wait_for_all_work()

    assert sent_states(github) == ["pending"]
    assert [status.state for status in github.statuses] == ["pending"]


# --- the pull-request comment ----------------------------------------------------------------


def test_the_comment_is_created_then_updated_in_place(serve: Serve, tmp_path: Path) -> None:
    github = serve(GitHubFake(TOKEN))
    first = run(tmp_path / "1", serve(qatech()), github.url, commit_status="false")

    (comment,) = github.comments_on(42)
    assert comment.user == BOT
    assert comment.body.startswith("<!-- qarun:")
    assert "## ❌ QA.tech: failed" in comment.body
    assert f"[open]({DASHBOARD}r00001)" in comment.body
    assert "Checkout regression" in comment.body and "Search" in comment.body
    assert "PR comment: created" in first.stdout

    second = run(tmp_path / "2", serve(qatech("passed")), github.url, commit_status="false")
    (updated,) = github.comments_on(42)
    assert updated.id == comment.id
    assert "## ✅ QA.tech: passed" in updated.body and "failed" not in updated.body
    assert len(github.requests_to("POST", COMMENTS)) == 1
    assert len(github.requests_to("PATCH", "/api/v3/repos/octo/shop/issues/comments/")) == 1
    assert "PR comment: updated" in second.stdout
    assert second.exit_code == 0 and not warnings(second)


def test_an_old_comment_is_found_on_a_later_page(serve: Serve, tmp_path: Path) -> None:
    first_github = serve(GitHubFake(TOKEN))
    run(tmp_path / "1", serve(qatech()), first_github.url, commit_status="false")
    (ours,) = first_github.comments_on(42)
    marker = ours.body.splitlines()[0]

    # 120 comments by people, one quoting the marker, then qarun's old comment on page 2.
    github = serve(GitHubFake(TOKEN))
    people = [f"Looks good ({n})" for n in range(119)]
    people.insert(5, f"qarun finds its comment by `{marker}`")
    github.add_comments(42, people)
    (old,) = github.add_comments(42, [ours.body], user=BOT)

    run(tmp_path / "2", serve(qatech("passed")), github.url, commit_status="false")
    listings = github.requests_to("GET", COMMENTS)
    pages = [request.query.get("page", ["1"])[0] for request in listings]
    assert pages == ["1", "2"]
    assert all(request.query["per_page"] == ["100"] for request in listings)
    assert github.requests_to("POST", COMMENTS) == []
    assert "✅ QA.tech: passed" in old.body
    assert github.comments_on(42)[5].body == people[5]
    assert len(github.comments_on(42)) == 121


def test_a_comment_someone_planted_with_the_marker_is_left_alone(
    serve: Serve, tmp_path: Path
) -> None:
    first_github = serve(GitHubFake(TOKEN))
    run(tmp_path / "1", serve(qatech()), first_github.url, commit_status="false")
    (ours,) = first_github.comments_on(42)

    github = serve(GitHubFake(TOKEN))
    (planted,) = github.add_comments(42, [ours.body + "\n[click me](https://evil.test)"])
    run(tmp_path / "2", serve(qatech("passed")), github.url, commit_status="false")

    assert planted.body.endswith("(https://evil.test)")  # not edited: mona wrote it
    created = [comment for comment in github.comments_on(42) if comment.user == BOT]
    assert len(created) == 1 and "✅ QA.tech: passed" in created[0].body


def test_a_personal_token_edits_the_comment_its_own_user_wrote(
    serve: Serve, tmp_path: Path
) -> None:
    github = serve(GitHubFake(TOKEN, login="release-bot"))
    run(tmp_path / "1", serve(qatech()), github.url, commit_status="false")
    run(tmp_path / "2", serve(qatech("passed")), github.url, commit_status="false")

    (comment,) = github.comments_on(42)
    assert comment.user == "release-bot"
    assert "✅ QA.tech: passed" in comment.body
    assert len(github.requests_to("PATCH")) == 1


def test_a_secondary_rate_limit_is_waited_out_not_called_a_missing_permission(
    serve: Serve, tmp_path: Path
) -> None:
    platform, github = serve(qatech("passed")), serve(GitHubFake(TOKEN))
    limited = Reply(
        403,
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
        headers={"Retry-After": "1"},
    )
    github.inject(f"POST {STATUSES}", limited)
    result = run(tmp_path, platform, github.url)

    assert result.exit_code == 0
    assert not warnings(result), warnings(result)
    # The refused write was made again once the wait was over: every run got its statuses.
    assert len(github.statuses) == len(github.requests_to("POST", STATUSES)) - 1 >= 2


def test_two_qarun_steps_keep_their_own_comments(serve: Serve, tmp_path: Path) -> None:
    github = serve(GitHubFake(TOKEN))
    for number, step in enumerate(["smoke", "full", "smoke"]):
        env = {"GITHUB_WORKFLOW": "CI", "GITHUB_JOB": "qa", "GITHUB_ACTION": step}
        run(
            tmp_path / str(number),
            serve(qatech()),
            github.url,
            env=env,
            commit_status="false",
        )

    comments = github.comments_on(42)
    assert len(comments) == 2
    markers = {comment.body.splitlines()[0] for comment in comments}
    assert len(markers) == 2
    assert len(github.requests_to("PATCH")) == 1


def test_a_push_event_gets_statuses_and_a_note_instead_of_a_comment(
    serve: Serve, tmp_path: Path
) -> None:
    platform, github = serve(qatech("passed")), serve(GitHubFake(TOKEN))
    result = run(tmp_path, platform, github.url, event=push_event(), event_name="push")

    assert result.exit_code == 0
    assert {status.sha for status in github.statuses} == {HEAD_SHA}
    assert [r for r in github.requests if "/issues" in r.path] == []
    assert result.stdout.count("has no pull request") == 1
    assert not warnings(result)


# --- permissions and trouble -----------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "exit_code"), [("passed", 0), ("failed", 1)])
def test_a_read_only_token_warns_naming_the_permission(
    serve: Serve, tmp_path: Path, scenario: str, exit_code: int
) -> None:
    platform = serve(qatech(scenario))
    github = serve(GitHubFake.read_only(TOKEN))
    result = run(tmp_path, platform, github.url)

    assert result.exit_code == exit_code
    assert result.outputs["status"] == scenario
    found = warnings(result)
    assert len(found) == 2, found
    statuses, comment = found
    assert statuses.startswith("::warning::`commit-status`: ")
    assert comment.startswith("::warning::`pr-comment`: ")
    assert "`statuses: write`" in statuses and "statuses: write" in statuses.split("%0A")[3]
    assert "`pull-requests: write`" in comment
    for warning in found:
        assert "Resource not accessible by integration" in warning
        assert "permissions:%0A  contents: read%0A" in warning
        assert "The QA result is not affected." in warning
    assert not any("GitHub" in error or "statuses" in error for error in result.errors())
    # A refusal is final: qarun does not knock again for every run.
    assert len(github.requests_to("POST", STATUSES)) == 1
    assert len(github.requests_to("POST", COMMENTS)) == 1


def test_statuses_refused_does_not_stop_the_comment(serve: Serve, tmp_path: Path) -> None:
    platform = serve(qatech("passed"))
    github = serve(GitHubFake(TOKEN, granted=[PULL_REQUESTS]))
    result = run(tmp_path, platform, github.url)

    (warning,) = warnings(result)
    assert "statuses: write" in warning
    assert len(github.comments_on(42)) == 1
    assert result.exit_code == 0


def test_github_errors_are_one_warning_each_and_never_show_the_token(
    serve: Serve, tmp_path: Path
) -> None:
    platform, github = serve(qatech("passed")), serve(GitHubFake(TOKEN))
    # A server error that echoes the token back: the warning must not repeat it.
    echo = Reply(500, {"message": f"Server Error while checking {TOKEN}"})
    github.inject("POST " + STATUSES, *[echo] * 4)
    result = run(tmp_path, platform, github.url, pr_comment="false")

    assert result.exit_code == 0 and result.outputs["status"] == "passed"
    (warning,) = warnings(result)
    assert "HTTP 500" in warning and "***" in warning and "3 more" in warning


def test_github_unreachable_is_a_warning(serve: Serve, tmp_path: Path) -> None:
    platform = serve(qatech("passed"))
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/api/v3"
    result = run(tmp_path, platform, closed)

    assert result.exit_code == 0 and result.outputs["status"] == "passed"
    found = warnings(result)
    assert len(found) == 2 and all("could not be reached" in w for w in found)
    assert result.took_on_test_clock < 15, "qarun's clock: GitHub held it no longer than its budget"


def test_the_token_goes_only_to_an_https_api(serve: Serve, tmp_path: Path) -> None:
    platform = serve(qatech("passed"))
    result = run(tmp_path, platform, "http://github.example.com/api/v3", pr_comment="false")

    (warning,) = warnings(result)
    assert "not an https:// URL" in warning
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("inputs", "exit_code"), [({"dry_run": "true"}, 0), ({"timeout": "soon"}, 2)]
)
def test_dry_runs_and_input_errors_send_nothing_to_github(
    serve: Serve, tmp_path: Path, inputs: dict[str, str], exit_code: int
) -> None:
    platform, github = serve(qatech("passed")), serve(GitHubFake(TOKEN))
    result = run(tmp_path, platform, github.url, **inputs)
    assert result.exit_code == exit_code
    assert github.requests == []


def test_a_platform_error_still_replaces_an_earlier_comment(serve: Serve, tmp_path: Path) -> None:
    github = serve(GitHubFake(TOKEN))
    run(tmp_path / "1", serve(qatech("passed")), github.url)
    platform = serve(qatech("passed"))
    result = run(tmp_path / "2", platform, github.url, api_key="revoked-key-0123456789")

    assert result.exit_code == 3
    (comment,) = github.comments_on(42)
    assert "QA.tech: error" in comment.body and "rejected the API key" in comment.body
    assert "revoked-key-0123456789" not in comment.body


# --- what is sent, without a server ------------------------------------------------------------


def test_the_comment_stays_within_githubs_limit() -> None:
    message = "The cart total did not match the sum of its items. " * 40
    runs = [
        factories.make_run(
            id=f"run{n}",
            name=f"Checkout regression {n} " * 10,
            status=Status.FAILED,
            message=message,
        )
        for n in range(2_000)
    ]
    body = content.comment_body(factories.make_outcome(*runs), "<!-- qarun:x -->")
    assert len(body) <= content.MAX_COMMENT
    assert len(body) > content.MAX_COMMENT // 2
    assert body.startswith("<!-- qarun:x -->\n## ❌ QA.tech: failed")


def test_status_contexts_are_unique_and_name_the_device() -> None:
    runs = [
        factories.make_run(id="1", name="Smoke", device="pixel 8 / android 14"),
        factories.make_run(id="2", name="Smoke", device="pixel 8 / android 14"),
        factories.make_run(id="3", name="Smoke"),
    ]
    assert content.status_contexts("panto", runs) == [
        "qarun/panto: Smoke (pixel 8 / android 14)",
        "qarun/panto: Smoke (pixel 8 / android 14) #2",
        "qarun/panto: Smoke",
    ]
    assert content.status_contexts("panto", runs[2:], taken=["qarun/panto: Smoke"]) == [
        "qarun/panto: Smoke #2"
    ]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (Status.PASSED, "success"),
        (Status.SKIPPED, "success"),
        (Status.FAILED, "failure"),
        (Status.ERROR, "error"),
        (Status.TIMEOUT, "error"),
        (Status.CANCELED, "error"),
        (Status.RUNNING, "error"),
    ],
)
def test_final_states(status: Status, state: str) -> None:
    assert content.final_state(factories.make_run(status=status)) == state


def test_descriptions_are_one_line_within_140_characters() -> None:
    run = factories.make_run(status=Status.ERROR, message="Browser crashed\n\n" + "x" * 300)
    description = content.final_description(run, factories.make_outcome(run))
    assert len(description) == 140 and description.endswith("…")
    assert description.startswith("Error: 0 of 1 test passed – Browser crashed xxx")
    running = factories.make_run(status=Status.RUNNING)
    timed_out = factories.make_outcome(running, timed_out=True)
    assert content.final_description(running, timed_out) == (
        "Still running when qarun's timeout ran out"
    )


def test_outside_github_actions_the_ci_jobs_name_tells_comments_apart() -> None:
    plan = ["test plan pln_a | "]
    circle = content.comment_marker({"CIRCLE_JOB": "qa-staging"}, "qatech", plan)
    assert circle != content.comment_marker({"CIRCLE_JOB": "qa-prod"}, "qatech", plan)
    assert "qa-staging" in circle
    jenkins = content.comment_marker({"JOB_NAME": "shop/PR-42"}, "qatech", plan)
    assert jenkins == content.comment_marker({"JOB_NAME": "shop/PR-42"}, "qatech", plan)


def test_comment_markers_tell_steps_and_matrix_legs_apart() -> None:
    env = {"GITHUB_WORKFLOW": "CI", "GITHUB_JOB": "qa", "GITHUB_ACTION": "smoke"}
    marker = content.comment_marker(env, "qatech", ["test plan pln_a | "])
    assert marker == content.comment_marker(dict(env), "qatech", ["test plan pln_a | "])
    others = [
        content.comment_marker({**env, "GITHUB_ACTION": "full"}, "qatech", ["test plan pln_a | "]),
        content.comment_marker({**env, "GITHUB_JOB": "e2e"}, "qatech", ["test plan pln_a | "]),
        content.comment_marker(env, "qualigate", ["test plan pln_a | "]),
        content.comment_marker(env, "qatech", ["test plan pln_a | preset_b"]),
    ]
    assert len({marker, *others}) == 5
    hostile = content.comment_marker({"GITHUB_WORKFLOW": "CI --> <b>x</b>"}, "qatech", [])
    assert hostile.count("-->") == 1 and hostile.endswith(" -->") and "<b>" not in hostile

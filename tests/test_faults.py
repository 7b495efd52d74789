"""Faults from the platform, end to end: the verdict stays right, nothing hangs, no traceback.

Each test runs `python -m qarun` the way the runner does against a fake platform
that answers some requests with a scripted fault (`FakePlatform.inject`):
status codes, `Retry-After`, dropped connections, slow and garbled answers.
Reads are retried; a trigger is sent again only when the platform cannot have
acted on it, and no scenario ever starts a second run.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
from pathlib import Path

import pytest

from qarun.ratelimit import SPREAD_CAP
from tests.conftest import Serve
from tests.contract import FAILURE, ProviderCase, failing, only
from tests.fakes import qatech, qualigate
from tests.fakes.base import PASS, FakePlatform, Reply, TestClock
from tests.harness import ActionResult, run_in_process
from tests.robustness import (
    checked,
    inputs,
    poll_route,
    run,
    trigger_route,
)

DOWN = "down for maintenance"
GARBAGE = b"<html><body>502 Bad Gateway</body></html>"
UNCERTAIN = "may or may not have started a run"


def assert_failed_verdict(result: ActionResult) -> None:
    assert result.exit_code == 1, result.log
    assert result.outputs["status"] == "failed"
    assert int(result.outputs["failed"]) >= 1
    assert FAILURE in result.summary


def assert_platform_error(result: ActionResult, *words: str) -> str:
    """Exit 3, status `error`, and one `::error::` holding `words`; returns it."""
    assert result.exit_code == 3, result.log
    assert result.outputs["status"] == "error"
    (error,) = result.errors()
    for word in words:
        assert word in error, error
    return error


def trigger_count(case: ProviderCase, fake: FakePlatform) -> int:
    return len(case.triggers(fake))


def run_ids(result: ActionResult) -> list[str]:
    ids: list[str] = json.loads(result.outputs["run-ids"])
    return ids


# --- reads ---------------------------------------------------------------------------


def test_reads_survive_scattered_faults_and_keep_the_verdict(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing(duration=1.5)))
    faults = [
        Reply(429, {"message": "slow down"}, headers={"Retry-After": "0"}),
        Reply(action="pass", delay=0.3),  # a slow answer
        Reply(502, {"message": "bad gateway"}),
        PASS,
    ]
    fake.inject(poll_route(case), *faults)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)
    assert len(case.polls(fake)) >= len(faults), "every fault was served"
    assert result.stdout.count("Retrying in") == 2
    assert trigger_count(case, fake) == 1


@pytest.mark.parametrize("name", ["panto", "qatech"])
def test_a_429_without_a_documented_limit_is_held_at_most_spread_cap_longer(
    name: str, serve: Serve, tmp_path: Path
) -> None:
    """No documented limit: the hold is the wait and up to as long again, at most SPREAD_CAP
    longer (the courtesy to the other jobs on the key), whatever the `poll-interval`."""
    case = only(name)
    fake = serve(case.with_runs(failing(duration=1.5)))
    limited = Reply(429, {"message": "slow down"}, headers={"Retry-After": "30"})
    fake.inject(poll_route(case), *[limited] * 4)
    result = run(tmp_path, case, fake, poll_interval="1s", timeout="10m")
    assert_failed_verdict(result)
    waits = [float(word) for word in re.findall(r"Retrying in ([\d.]+) s", result.stdout)]
    assert len(waits) == 4 and all(30.0 <= wait <= 30.0 + SPREAD_CAP for wait in waits), waits


def test_drops_and_garbled_answers_between_good_ones_are_retried(
    serve: Serve, tmp_path: Path
) -> None:
    case = only("qatech")
    fake = serve(case.with_runs(failing(duration=2.5)))
    garbled = Reply(200, raw=GARBAGE, headers={"Content-Type": "text/html"})
    faults = [Reply(action="drop"), PASS, garbled, PASS]
    fake.inject(poll_route(case), *faults)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)
    assert len(case.polls(fake)) >= len(faults), "every fault was served"
    # A drop on a kept-alive connection may be retried at once, below the retry policy.
    assert "is not JSON" in result.stdout


def test_a_dead_platform_ends_by_the_timeout_with_exit_3_and_its_last_error(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    fake.inject(poll_route(case), *[Reply(503, {"message": DOWN})] * 50)
    result = run(tmp_path, case, fake, timeout="2s")
    assert_platform_error(result, "HTTP 503", DOWN)
    assert result.took_on_test_clock <= 2.0, "it ended by the timeout"
    assert DOWN in result.summary
    assert run_ids(result), "the runs started are still reported"


def test_an_unreachable_platform_ends_by_the_timeout_with_exit_3(tmp_path: Path) -> None:
    case = only("panto")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    result = run(tmp_path, case, case.scenario("passed"), timeout="2s", api_url=url)
    assert_platform_error(result, "could not be reached", "127.0.0.1")
    assert result.took_on_test_clock <= 2.0, "it ended by the timeout"


def test_a_malformed_answer_every_time_ends_with_exit_3_and_what_came(
    serve: Serve, tmp_path: Path
) -> None:
    case = only("panto")
    fake = serve(case.scenario("never"))
    fake.inject(poll_route(case), *[Reply(200, raw=GARBAGE)] * 50)
    result = run(tmp_path, case, fake, timeout="2s")
    assert_platform_error(result, "is not JSON", "<html><body>502 Bad Gateway")


# --- 429 -------------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing(duration=0.3)))
    limited = Reply(429, {"message": "Too many requests"}, headers={"Retry-After": "1"})
    fake.inject(poll_route(case), limited)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)
    first, second = case.polls(fake)[:2]
    assert second.at - first.at >= 1.0


def test_qualigate_waits_its_own_retry_after_and_paces_itself(serve: Serve, tmp_path: Path) -> None:
    """The fake's real limiter: 3 status checks a second, then 429 with `retry_after: 1`."""
    case = only("qualigate")
    limited = qualigate.QualigateFake(failing(duration=1.5), rate_limit=3, window=1.0)
    fake = serve(limited)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)
    assert limited.refused >= 1
    polls = case.polls(fake)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(polls)]
    assert max(gaps) >= 0.9  # the platform asked for 1 s (whole seconds, rounded up)


def test_a_429_wait_counts_against_the_timeout(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    fake.inject(poll_route(case), Reply(429, {"message": "later"}, headers={"Retry-After": "60"}))
    result = run(tmp_path, case, fake, timeout="2s")
    assert result.exit_code == 1
    assert result.outputs["status"] == "timeout"
    assert result.took_on_test_clock <= 2.0, "the 60 s asked for were not waited"
    assert "60 s" in result.summary


# --- triggers ---------------------------------------------------------------------------

MAYBE_RECEIVED = {
    "500": Reply(500, {"message": "Internal Server Error"}),
    "drop": Reply(action="drop"),
    "garbled": Reply(200, raw=GARBAGE),
}


@pytest.mark.parametrize("fault", list(MAYBE_RECEIVED))
def test_a_trigger_the_platform_may_have_received_is_not_sent_again(
    case: ProviderCase, serve: Serve, tmp_path: Path, fault: str
) -> None:
    fake = serve(case.scenario("passed"))
    fake.inject(trigger_route(case), MAYBE_RECEIVED[fault])
    result = run(tmp_path, case, fake)
    assert_platform_error(result, UNCERTAIN, "dashboard")
    assert trigger_count(case, fake) == 1
    assert case.polls(fake) == []


def test_a_trigger_answered_too_late_is_not_sent_again(serve: Serve, tmp_path: Path) -> None:
    """The platform starts the run but answers after qarun's read timeout (bounded by `timeout`)."""
    case = only("qualigate")
    fake = serve(case.scenario("passed"))
    fake.inject(trigger_route(case), Reply(action="pass", delay=4.0))
    result = run(tmp_path, case, fake, timeout="1s")
    assert_platform_error(result, "did not answer in time", UNCERTAIN)
    assert result.took_on_test_clock <= 1.0, "the late answer was not waited for"
    assert trigger_count(case, fake) == 1
    assert fake.runs_started() >= 1, "the platform did start it: hence no second trigger"


def test_a_trigger_answered_429_is_sent_again_once(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    fake.inject(
        trigger_route(case), Reply(429, {"message": "Too many"}, headers={"Retry-After": "0"})
    )
    assert_sent_again(case, fake, run(tmp_path, case, fake))


def test_a_trigger_answered_503_is_sent_again_once(serve: Serve, tmp_path: Path) -> None:
    case = only("qatech")
    fake = serve(case.scenario("passed"))
    fake.inject(trigger_route(case), Reply(503, {"message": "Service Unavailable"}))
    assert_sent_again(case, fake, run(tmp_path, case, fake))


def assert_sent_again(case: ProviderCase, fake: FakePlatform, result: ActionResult) -> None:
    assert result.exit_code == 0, result.log
    assert result.outputs["status"] == "passed"
    assert trigger_count(case, fake) == 2
    assert fake.runs_started() == len(run_ids(result))


def test_a_trigger_whose_connection_was_refused_is_sent_again(
    tmp_path: Path, clock: TestClock
) -> None:
    """Nothing listens at first; the platform comes up while qarun waits to retry."""
    case = only("qatech")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = case.scenario("passed")
    fake.clock = clock
    clock.at_next_pause(lambda: fake.start(port=port))
    values = inputs(case, fake, api_url=f"http://127.0.0.1:{port}{qatech.PREFIX}")
    try:
        result = checked(run_in_process(tmp_path, values, clock=clock), fake.api_key)
    finally:
        fake.stop()
    assert "could not be reached" in result.stdout and "Retrying in" in result.stdout
    assert result.exit_code == 0, result.log
    assert trigger_count(case, fake) == 1
    assert fake.runs_started() == len(run_ids(result))


# --- auth and 404 -------------------------------------------------------------------------


def test_a_rejected_key_fails_at_once_and_says_where_to_get_one(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("passed"))
    wrong = "wrong-key-0123456789"
    result = checked(run_in_process(tmp_path, inputs(case, fake, api_key=wrong)), wrong)
    assert_platform_error(result, "rejected the API key", "`api-key`", case.key_help)
    assert trigger_count(case, fake) == 1
    assert "rejected the API key" in result.summary and "`api-key`" in result.summary


def test_a_key_revoked_while_waiting_fails_at_once(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    fake.inject(poll_route(case), Reply(403, {"message": "Forbidden", "error": "Forbidden"}))
    result = run(tmp_path, case, fake)
    assert_platform_error(result, "rejected the API key", "HTTP 403")
    assert len(case.polls(fake)) == 1, "401/403 are never retried"


def test_a_404_names_what_was_not_found(case: ProviderCase, serve: Serve, tmp_path: Path) -> None:
    fake = serve(case.not_found.fake())
    result = run(tmp_path, case, fake, **case.not_found.inputs)
    assert_platform_error(result, "HTTP 404", case.not_found.named)


def test_a_qualigate_test_case_not_found_is_named(serve: Serve, tmp_path: Path) -> None:
    unknown = qualigate.UNKNOWN_ID
    fake = serve(qualigate.scenario("passed"))
    result = run(tmp_path, only("qualigate"), fake, suite="", test_case=unknown)
    assert_platform_error(result, "HTTP 404", f"test case {unknown}")


def test_a_run_gone_while_waiting_is_named(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    # Seen once, then gone: only a run qarun has seen can be lost.
    gone = Reply(404, {"message": "Run not found", "detail": "Not found"})
    fake.inject(poll_route(case), PASS, gone)
    result = run(tmp_path, case, fake)
    assert_platform_error(result, "HTTP 404", case.gone_run_named)


def test_a_404_before_the_run_was_ever_seen_means_not_there_yet(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    # "Test runs are created asynchronously": the first checks may find nothing yet.
    fake = serve(case.scenario("passed"))
    missing = Reply(404, {"message": "Run not found", "detail": "Test run not found"})
    fake.inject(poll_route(case), missing, missing)
    result = run(tmp_path, case, fake)
    assert (result.exit_code, result.outputs["status"]) == (0, "passed"), result.log
    assert len(case.polls(fake)) >= 3


# --- answers qarun cannot read -----------------------------------------------------------


def test_an_answer_missing_a_field_ends_with_a_clear_message(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.scenario("never"))
    body, field = case.missing_field
    fake.inject(poll_route(case), Reply(200, body))
    result = run(tmp_path, case, fake)
    assert_platform_error(result, field)


def test_an_unknown_status_word_is_shown_and_does_not_end_the_wait(
    case: ProviderCase, serve: Serve, tmp_path: Path
) -> None:
    fake = serve(case.with_runs(failing(duration=0.6)))
    fake.inject(poll_route(case), *[Reply(200, case.unknown_word)] * 2)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)
    assert "WARMING_UP" in result.stdout


def test_a_panto_trigger_that_starts_no_run_says_what_to_check(
    serve: Serve, tmp_path: Path
) -> None:
    case = only("panto")
    fake = serve(case.scenario("passed"))
    fake.inject(trigger_route(case), Reply(200, {"message": "Triggered 0", "test_runs": []}))
    result = run(tmp_path, case, fake)
    assert_platform_error(result, "started no test run", "`tags`")


def test_a_qualigate_project_without_tests_says_what_to_check(serve: Serve, tmp_path: Path) -> None:
    case = only("qualigate")
    fake = serve(qualigate.QualigateFake(triggers=[[]]))
    result = run(tmp_path, case, fake, suite="", project=qualigate.PROJECT_ID)
    assert_platform_error(result, "queued no tests", "test cases")


def test_an_empty_run_list_while_waiting_keeps_waiting(serve: Serve, tmp_path: Path) -> None:
    case = only("panto")
    fake = serve(case.with_runs(failing(duration=1.0)))
    empty = Reply(200, {"test_runs": [], "status": "in_process"})
    fake.inject(poll_route(case), empty, empty)
    result = run(tmp_path, case, fake)
    assert_failed_verdict(result)

"""JUnit XML: what a test-report viewer reads, valid whatever text the platforms send."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from qarun.model import Counts, Outcome, Status
from qarun.report.junit import render_junit
from tests import factories
from tests.factories import make_outcome, make_run, make_test
from tests.goldens import assert_golden


def parse(xml: str) -> ET.Element:
    return ET.fromstring(xml.encode("utf-8"))


@pytest.mark.parametrize(
    ("name", "scenario"),
    [
        ("junit_failed.xml", factories.failed_outcome),
        ("junit_timeout.xml", factories.timeout_outcome),
    ],
)
def test_junit_matches_the_reviewed_golden_file(name: str, scenario: Callable[[], Outcome]) -> None:
    assert_golden(name, render_junit(scenario()))


def test_starts_with_an_xml_declaration() -> None:
    assert render_junit(factories.failed_outcome()).startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites'
    )


def test_one_suite_per_run_with_counts_and_time() -> None:
    root = parse(render_junit(factories.failed_outcome()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "1", "1")
    checkout, smoke = root.findall("testsuite")
    assert checkout.get("name") == "Checkout regression"
    assert [checkout.get(k) for k in ("tests", "failures", "errors", "skipped", "time")] == [
        "3",
        "1",
        "1",
        "0",
        "181.500",
    ]
    assert smoke.get("tests") == "2" and smoke.get("failures") == "0"


def test_failed_and_errored_tests_carry_the_platform_message() -> None:
    root = parse(render_junit(factories.failed_outcome()))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    failure = cases["Add to cart"].find("failure")
    assert failure is not None
    assert failure.get("message") == "Expected the cart badge to show 1 item."
    assert failure.text == "Expected the cart badge to show 1 item.\nIt showed 0 after 30 s."
    error = cases["Pay with card"].find("error")
    assert error is not None
    assert error.get("message") == "The browser crashed while loading /checkout"
    assert list(cases["Login flow"]) == []


def test_a_run_without_tests_is_its_own_testcase() -> None:
    run = make_run(status=Status.FAILED, message="Could not find login button")
    root = parse(render_junit(make_outcome(run)))
    (case,) = root.iter("testcase")
    assert case.get("name") == "Checkout regression"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "Could not find login button"


def test_a_suite_with_platform_totals_only_is_one_testcase() -> None:
    run = make_run(status=Status.FAILED, reported=Counts(total=5, passed=4, failed=1))
    suite = parse(render_junit(make_outcome(run))).find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "1"


def test_skipped_tests_are_skipped() -> None:
    run = make_run(tests=(make_test(status=Status.SKIPPED, message="Not applicable"),))
    root = parse(render_junit(make_outcome(run)))
    skipped = root.find(".//testcase/skipped")
    assert skipped is not None and skipped.get("message") == "Not applicable"
    assert root.get("skipped") == "1"


def test_unfinished_runs_at_timeout_are_errors_that_say_so() -> None:
    root = parse(render_junit(factories.timeout_outcome()))
    errors = [case.find("error") for case in root.iter("testcase")]
    messages = [error.get("message") for error in errors if error is not None]
    assert messages == ["did not finish before the timeout"] * 2
    assert root.get("errors") == "2"


def test_unfinished_runs_at_cancel_say_qarun_was_canceled() -> None:
    root = parse(render_junit(factories.canceled_outcome()))
    error = root.find(".//testcase/error")
    assert error is not None
    assert error.get("message") == "did not finish before qarun was canceled"


HOSTILE = "a]]></failure><x/>&amp;<'\"|\n::error::boom @everyone"
CONTROL = "nul\x00 bell\x07 esc\x1b[31m vt\x0b ff\x0c del\x7f lone\ud800 fffe\ufffe end"


def test_hostile_text_and_control_characters_still_make_a_valid_document() -> None:
    tests = (
        make_test(name=HOSTILE, status=Status.FAILED, message=HOSTILE),
        make_test(id="t2", name=CONTROL, status=Status.ERROR, message=CONTROL),
    )
    run = make_run(name=CONTROL, message=HOSTILE, device=HOSTILE, status=Status.FAILED, tests=tests)
    root = parse(render_junit(make_outcome(run)))

    first, second = root.iter("testcase")
    assert first.get("name") == HOSTILE
    failure = first.find("failure")
    assert failure is not None and failure.text == HOSTILE
    assert first.find("x") is None and root.find(".//x") is None
    assert second.get("name") == "nul bell esc[31m vt ff del lone fffe end"
    system_out = root.find("testsuite/system-out")
    assert system_out is not None and system_out.text == HOSTILE


def test_only_http_links_become_url_properties() -> None:
    runs = (
        make_run(id="a", url="javascript:alert(1)"),
        make_run(id="b", url="https://app.qa.tech/p/x/results/b"),
    )
    root = parse(render_junit(make_outcome(*runs)))
    urls = [prop.get("value") for prop in root.iter("property") if prop.get("name") == "url"]
    assert urls == ["https://app.qa.tech/p/x/results/b"]


def test_no_runs_is_an_empty_but_valid_document() -> None:
    root = parse(render_junit(make_outcome(status=Status.ERROR, exit_code=3)))
    assert root.get("tests") == "0" and list(root) == []

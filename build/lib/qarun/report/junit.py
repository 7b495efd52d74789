"""JUnit XML: one <testsuite> per run, one <testcase> per test (or the run itself).

Platform text may hold anything; characters XML 1.0 forbids are dropped so the
document always parses, and ElementTree does the escaping.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass

from qarun.model import Outcome, Run, Status
from qarun.report.json_report import iso_utc
from qarun.urls import link_url

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Everything outside XML 1.0's Char production (lone surrogates included), and the
# control characters it only discourages (DEL and C1): no viewer shows them sensibly.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The JUnit bucket of each status with a verdict; any other status (error, timeout,
# canceled, unfinished) did not get to one and counts as an error.
_KINDS = {Status.PASSED: "passed", Status.FAILED: "failures", Status.SKIPPED: "skipped"}
_TALLIES = ("tests", "failures", "errors", "skipped")


@dataclass(frozen=True)
class _Case:
    """A testcase to write: a test of a run, or the run standing in for its tests."""

    name: str
    status: Status
    message: str | None
    seconds: float | None


def render_junit(outcome: Outcome) -> str:
    root = ET.Element("testsuites", name=_xml(f"qarun {outcome.provider_title}"))
    unfinished = _unfinished_reason(outcome)
    root.extend(_suite(run, unfinished=unfinished) for run in outcome.runs)
    for key in _TALLIES:
        root.set(key, str(sum(int(suite.attrib[key]) for suite in root)))
    if outcome.duration is not None:
        root.set("time", _time(outcome.duration))
    ET.indent(root)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _suite(run: Run, *, unfinished: str) -> ET.Element:
    name = _suite_name(run)
    suite = ET.Element("testsuite", name=_xml(name), id=_xml(run.id))
    cases = _cases(run, name)
    tally = Counter(_kind(case.status) for case in cases)
    tally["tests"] = len(cases)
    for key in _TALLIES:
        suite.set(key, str(tally[key]))
    seconds = run.seconds
    if seconds is not None:
        suite.set("time", _time(seconds))
    if run.started_at is not None:
        suite.set("timestamp", _timestamp(run))
    suite.append(_properties(run))
    for case in cases:
        suite.append(_testcase(case, classname=name, unfinished=unfinished))
    if run.message:
        ET.SubElement(suite, "system-out").text = _xml(run.message)
    return suite


def _suite_name(run: Run) -> str:
    # One suite on three viewports is three runs of one name: the device tells them apart.
    return f"{run.name} ({run.device})" if run.device else run.name


def _cases(run: Run, name: str) -> list[_Case]:
    if run.tests:
        return [_Case(test.name, test.status, test.message, test.duration) for test in run.tests]
    return [_Case(name, run.status, run.message, run.seconds)]


def _properties(run: Run) -> ET.Element:
    properties = ET.Element("properties")
    facts = {
        # Only links a viewer may safely render: platform text could be `javascript:`.
        "url": link_url(run.url),
        "device": run.device,
        "provider_status": run.provider_status,
        "attempt": str(run.attempt) if run.attempt > 1 else None,
    }
    for name, value in facts.items():
        if value:
            ET.SubElement(properties, "property", name=name, value=_xml(value))
    return properties


def _testcase(case: _Case, *, classname: str, unfinished: str) -> ET.Element:
    element = ET.Element("testcase", name=_xml(case.name), classname=_xml(classname))
    if case.seconds is not None:
        element.set("time", _time(case.seconds))
    message = _xml(case.message or "")
    kind = _kind(case.status)
    if not case.status.finished:
        _detail(element, "error", unfinished, type_=case.status.value)
    elif kind == "skipped":
        _detail(element, "skipped", message)
    elif kind != "passed":
        tag = "failure" if kind == "failures" else "error"
        _detail(element, tag, message or case.status.value, type_=case.status.value, text=message)
    return element


def _detail(parent: ET.Element, tag: str, message: str, *, type_: str = "", text: str = "") -> None:
    child = ET.SubElement(parent, tag)
    if message.strip():
        # The attribute is what most viewers list; the full text goes in the body.
        child.set("message", next(line for line in message.splitlines() if line.strip()))
    if type_:
        child.set("type", type_)
    if text:
        child.text = text


def _kind(status: Status) -> str:
    return _KINDS.get(status, "errors")


def _unfinished_reason(outcome: Outcome) -> str:
    if outcome.canceled:
        return "did not finish before qarun was canceled"
    if outcome.timed_out:
        return "did not finish before the timeout"
    return "had not finished when qarun stopped waiting"


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _time(seconds: float) -> str:
    return f"{max(0.0, seconds):.3f}"


def _timestamp(run: Run) -> str:
    # JUnit's schema wants a local date-time without zone; the value is in UTC.
    return (iso_utc(run.started_at) or "").removesuffix("Z")

"""The verdict modules against an oracle read from docs/verdicts.md (Hypothesis).

Answers are built from each platform's documented shapes (the fields its documents show),
with every word documented or seen in a variant (tests/fakes/README.md) in any case, beside
words nobody documents, missing and null fields, wrong types, disagreeing signals and
numbers that do not fit. Half of them start as answers every signal of which says pass,
with one or two values spoiled: each signal then decides on its own, as in the table.

The oracle is written from the table and the README's Statuses, not from the code. It reads
each signal on its own into what it says, a status or `doubt` (nothing that counts as a
pass), and applies the one rule: the worst status a signal gives, in the README's order; else
`error`
where a signal doubts; else `passed` (`skipped` where every signal says skipped). Where the
documents leave a reading open, the oracle allows the verdict of each reading; everywhere
else it knows the verdict, and the code must give exactly that one.

Properties, over every platform's verdict functions:
- the status is one the oracle allows: never `passed` unless every signal says pass, and
  exactly the table's status where the oracle knows it;
- answers built with every signal saying pass are `passed`;
- a run whose own documented word says it failed is `failed`, or worse (`error`);
- whatever the JSON, no exception escapes, the status is a word of the README's and `why`
  a sentence.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qarun.providers import panto_verdict, qatech_verdict, qualigate_verdict
from qarun.verdict import Judgment

# README, Statuses and exit codes: the words a run's status may be.
STATUS_WORDS = {"queued", "running", "passed", "failed", "error", "timeout", "canceled", "skipped"}
# The CI profile (tests/conftest.py) is derandomized; these counts keep the file under 10 s.
MANY = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])


# --- the oracle --------------------------------------------------------------------------------

# What a signal may say, worst first: the README's order, then `doubt` (it says nothing
# that counts as a pass), then the passes. NOTHING: the signal says nothing either way.
RANK = ("error", "failed", "timeout", "canceled", "doubt", "passed", "skipped")
BAD = frozenset(RANK[:4])
NOTHING = "nothing"
# Beyond this a count is one that does not fit (docs/failure-handling.md): whether it still
# counts as a number is left open.
PLAIN_COUNT = 10**6
Signals = list[Collection[str]]


def rule(says: Iterable[str]) -> str:
    """docs/verdicts.md, the rule: the worst status given; `error` where a signal doubts
    (or none speaks); `passed` where all pass, `skipped` where all were skipped."""
    worst = min((said for said in says if said != NOTHING), key=RANK.index, default="doubt")
    return "error" if worst == "doubt" else worst


def possible(signals: Iterable[Collection[str]]) -> set[str]:
    """Each verdict the rule gives when each signal says one of the readings it allows."""
    readings = {frozenset(signal) for signal in signals}
    return {rule(pick) for pick in itertools.product(*readings)}


def upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) else None


def lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def whole(value: Any) -> TypeGuard[int]:
    """A JSON integer (true and false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def count_readings(value: Any) -> list[int | None]:
    """What a count may be taken as: itself, or (where it does not fit) no usable count."""
    if whole(value) and 0 <= value <= PLAIN_COUNT:
        return [value]
    return [value, None] if whole(value) else [None]


# QA.tech (Q rows): `status` and `result`, each test case's two words, `testCount`.
QATECH_RESULTS = {"PASSED": "passed", "FAILED": "failed", "SKIPPED": "skipped"}
QATECH_ENDS = ("COMPLETED", "ERROR", "CANCELLED")


def qatech_oracle(
    answer: Mapping[str, Any],
    test_count: int | None,
    late_polls: int,
    cases_asked: bool,
    failed_before: Mapping[str, Any] | None = None,
) -> set[str]:
    status, result = upper(answer.get("status")), answer.get("result")
    if status == "INITIATED":
        return {"queued"}  # Q1
    if status == "RUNNING":
        return {"running"}  # Q2
    if status not in QATECH_ENDS and result is None:
        return {"running"}  # Q6
    if status == "COMPLETED" and result is None and late_polls < 3:
        return {"running"}  # Q11
    signals: Signals
    if status == "ERROR":
        signals = [{"error"}]  # Q4
    elif status == "CANCELLED":
        signals = [{"canceled"}, {"failed"} if upper(result) == "FAILED" else {NOTHING}]  # Q5, Q25
    elif status == "COMPLETED":
        # Q3, Q9, Q10; Q12 (null on the 4th answer) and Q13 (another word): no pass.
        signals = [{QATECH_RESULTS.get(upper(result) or "", "doubt")}]
    else:
        # Q7, Q8: a word QA.tech does not document is no pass; a FAILED result still fails.
        signals = [{"doubt"}, {"failed"} if upper(result) == "FAILED" else {"doubt"}]
    cases = answer.get("runTestCases")
    shown = cases if isinstance(cases, list) else []
    signals += [qatech_case_says(case) for case in shown]
    if cases is not None and not isinstance(cases, list):
        signals.append({NOTHING, "doubt"})  # not a list: the provider refuses it first
    if failed_before is not None:
        signals.append(qatech_case_says(failed_before))  # Q26: what is known is kept
    return possible(signals + qatech_count_says(len(shown), test_count, cases_asked))


def qatech_case_says(case: Any) -> set[str]:
    if not isinstance(case, dict):
        return {"doubt"}
    status, result = upper(case.get("status")), upper(case.get("result"))
    said = QATECH_RESULTS.get(result or "", "doubt")
    if status == "ERROR":
        return {"error"}  # Q16
    if status == "CANCELLED":
        return {"failed"} if result == "FAILED" else {"canceled"}  # Q17, and Q14 the worse
    if status in ("INITIATED", "RUNNING"):
        return {"doubt"} | ({"failed"} if result == "FAILED" else set())  # Q18 (and Q14)
    if status == "COMPLETED":
        return {said}  # Q14, Q15, Q19
    if result == "FAILED":
        return {"failed"}  # Q14: as Q8 for a run, a FAILED result fails whatever the status
    if case.get("status") is None:
        # No status: a result is "set only when the status is COMPLETED", so the one shown
        # may say how the case ended; or a signal is missing, which is no pass. Open.
        return {said, "doubt"}
    return {"doubt"}  # Q24, and another word


def qatech_count_says(shown: int, test_count: int | None, cases_asked: bool) -> Signals:
    if test_count == 0:
        return [{"doubt"}]  # Q23
    if cases_asked and not shown:
        return [{"doubt"}]  # Q22
    if test_count is None or not shown:
        return []  # Q20
    return [{"doubt"}] if shown != test_count else []  # Q21


# Qualigate (G rows): a test run's GET /trigger answer and /results row; a suite's answer,
# the trigger's `test_count` and the suite's /results; a project's /results.
QUALIGATE_ENDS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "timeout": "timeout",
    "canceled": "canceled",
    "cancelled": "canceled",  # QA.tech's spelling, seen beside Qualigate's
}
QUALIGATE_GOING = {"pending": "queued", "running": "running"}
COUNTS = ("total_tests", "passed_tests", "failed_tests")
# One answer's reading: ("going", queued|running) or ("ended", what its signals say).
Reading = tuple[str, Any]


def qualigate_run_oracle(
    answer: Mapping[str, Any] | None, row: Mapping[str, Any] | None
) -> set[str]:
    verdicts: set[str] = set()
    for pair in itertools.product(trigger_readings(answer), row_readings(row)):
        readings = [reading for reading in pair if reading is not None]
        ended = [says for kind, says in readings if kind == "ended"]
        going = {says for kind, says in readings if kind == "going"}
        if not ended:
            verdicts.add("queued" if going == {"queued"} else "running")
            continue
        signals = [signal for says in ended for signal in says]
        if going:
            signals.append({"doubt"})  # G13: one shows the run ended, the other going
        verdicts |= possible(signals)
    return verdicts


def trigger_readings(answer: Mapping[str, Any] | None) -> list[Reading | None]:
    if answer is None:
        return [None]
    word = lower(answer.get("status"))
    if word in QUALIGATE_GOING:
        return [("going", QUALIGATE_GOING[word])]  # G1, G2
    if word in QUALIGATE_ENDS:
        says: Signals = [{QUALIGATE_ENDS[word]}]  # G3 to G7
        if word == "passed":
            says += [*steps_say(answer), message_says(answer)]  # G10, G35, G11
        return [("ended", says)]
    end = answer.get("completed_at")
    if end is None:
        return [("going", "running")]  # G8
    if text(end):
        return [("ended", [{"doubt"}])]  # G9
    return [("going", "running"), ("ended", [{"doubt"}])]  # an end time that is no time


def row_readings(row: Mapping[str, Any] | None) -> list[Reading | None]:
    if row is None:
        return [None]
    word = lower(row.get("status"))
    if word in QUALIGATE_GOING:
        return [("going", QUALIGATE_GOING[word])]
    if word in QUALIGATE_ENDS:
        return [("ended", row_says(row))]  # G12
    # The words /results gives runs still going are not documented (its example shows ended
    # rows only): a word it does not document is taken for one, as G8 does for no end time.
    return [("going", "running")]


def row_says(row: Mapping[str, Any]) -> Signals:
    """An ended /results row: its word, and no error message beside a pass (G39)."""
    word = lower(row.get("status")) or ""
    if word == "passed":
        return [{"passed"}, message_says(row)]
    return [{QUALIGATE_ENDS.get(word, "doubt")}]


def steps_say(answer: Mapping[str, Any]) -> Signals:
    """G10, G35: `passed` means "all steps … completed": as many as there are, not none."""
    done, total = answer.get("steps_completed"), answer.get("steps_total")
    if whole(done) and whole(total):
        if done != total or done == 0:
            return [{"doubt"}]
        return [] if 0 < done <= PLAIN_COUNT else [{NOTHING, "doubt"}]  # a count that does not fit
    if number(done) and number(total) and done == total and done > 0:
        return [{NOTHING, "doubt"}]  # 12.0 of 12.0: open
    return [{"doubt"}]  # G35: missing, or no counts


def message_says(data: Mapping[str, Any]) -> set[str]:
    """G11, G39: a passed run carries `error_message: null`."""
    message = data.get("error_message")
    if message is None:
        return {NOTHING}
    return {"doubt"} if text(message) and message.strip() else {"doubt", NOTHING}


def qualigate_suite_oracle(
    answer: Mapping[str, Any],
    test_count: int | None,
    results: Mapping[str, Any] | None,
    failed_before: int = 0,
) -> set[str]:
    word = lower(answer.get("status"))
    if word in QUALIGATE_GOING:
        return {QUALIGATE_GOING[word]}  # G14
    verdicts: set[str] = set()
    head: Signals = []  # G15: `completed` says nothing; the counts decide
    if word in QUALIGATE_ENDS:
        head = [{QUALIGATE_ENDS[word]}]  # G16, G17, G18
    elif word != "completed":
        end = answer.get("completed_at")
        if not text(end):
            verdicts.add("running")  # no end shown (G8's reading for a suite)
            if end is None:
                return verdicts
        head = [{"doubt"}]  # G19
    # G23 and G25: beside `completed` (the example's) or `passed`, failed tests failed.
    counted = word in ("completed", "passed")
    if failed_before:
        head = [*head, {"failed"} if counted else {"doubt"}]  # G43, as G23 and G25
    for own in itertools.product(*(count_readings(answer.get(key)) for key in COUNTS)):
        signals = head + counts_say(own, counted, test_count)
        if results is None:
            verdicts |= possible(signals)  # G33
            continue
        for theirs in itertools.product(*(count_readings(results.get(key)) for key in COUNTS)):
            verdicts |= possible(signals + results_say(results, theirs, answer))
    return verdicts


def counts_say(counts: tuple[int | None, ...], counted: bool, test_count: int | None) -> Signals:
    total, passed, failed = counts
    says: Signals = []
    if failed is not None and failed > 0:
        says.append({"failed"} if counted else {"doubt"})  # G23, G25
    if total is None or passed is None or failed is None:
        return [*says, {"doubt"}]  # G21, G22
    passing = total > 0 and passed == total and failed == 0
    says.append({"passed"} if passing else {"doubt"})  # G15, G20, G24, G38
    if test_count is not None and test_count != total:
        says.append({"doubt"})  # G26
    return says


def results_say(
    results: Mapping[str, Any], counts: tuple[int | None, ...], suite: Mapping[str, Any]
) -> Signals:
    word = lower(results.get("status"))
    says: Signals = [{QUALIGATE_ENDS.get(word or "", "doubt")}]  # G27, G28, G29
    says += counts_say(counts, True, None)
    if any(
        whole(results.get(key)) and whole(suite.get(key)) and results.get(key) != suite.get(key)
        for key in COUNTS
    ):
        says.append({"doubt"})  # G30
    rows = results.get("results")
    if isinstance(rows, list):
        says += listed_twice(rows)
        for row in rows:
            ended = isinstance(row, dict) and lower(row.get("status")) in QUALIGATE_ENDS
            says += row_says(row) if ended else [{"doubt"}]  # G31, G32
    elif rows is not None:
        says.append({NOTHING, "doubt"})  # not a list: the provider refuses it first
    return says


def listed_twice(rows: list[Any]) -> Signals:
    """One row per test run (G41): two with one `test_run_id` disagree."""
    ids = [row.get("test_run_id") if isinstance(row, dict) else None for row in rows]
    named = [run_id for run_id in ids if text(run_id)]
    if len(set(named)) < len(named):
        return [{"doubt"}]
    return [{NOTHING, "doubt"}] if len(named) < len(ids) and len(ids) > 1 else []


def qualigate_group_oracle(
    results: Mapping[str, Any], asked: Sequence[str], ended: bool
) -> set[str | None]:
    """A project's /results for the runs asked: its `status`, its counts and one ended row
    for each run (G34, G37 to G42). While a run may still go on (`ended` false, its row
    missing or still going) that means "not yet", unless a signal already says a test did
    not pass (G37)."""
    rows = results.get("results")
    rows = rows if isinstance(rows, list) else []
    word = lower(results.get("status"))
    # G34, G37, G42: the aggregate's word; one that says going once every row ended is no pass.
    said: Signals = [{QUALIGATE_ENDS.get(word or "", "doubt")}]
    waits = False  # whether a run may still go on
    for run_id in asked:
        found = [row for row in rows if isinstance(row, dict) and row.get("test_run_id") == run_id]
        words = [lower(row.get("status")) for row in found]
        if len(found) > 1:
            said.append({"doubt"})  # G41
        said += [signal for row in found if row_ended(row) for signal in row_says(row)]
        some_ended = any(word in QUALIGATE_ENDS for word in words)
        others = [
            word for word in words if word not in QUALIGATE_ENDS and word not in QUALIGATE_GOING
        ]
        if ended:
            # G40: no ended row; a word not documented, where the run has ended: no pass.
            lacking = not some_ended and not others
            said += [{"doubt"}] * (len(others) + lacking)
        elif not some_ended:
            # Its row missing or going; /results' words for runs still going are not
            # documented: one it does not document may be one of them, as for a test run's row.
            waits = True
    verdicts: set[str | None] = set()
    for counts in itertools.product(*(count_readings(results.get(key)) for key in COUNTS)):
        signals = said + counts_say(counts, True, len(asked))  # G38
        if not waits:
            verdicts |= possible(signals)
            continue
        # G37: before the end, only a signal that says a test did not pass decides.
        bad = [{value if value in BAD else NOTHING for value in signal} for signal in signals]
        for pick in itertools.product(*({frozenset(signal) for signal in bad})):
            given = [value for value in pick if value != NOTHING]
            verdicts.add(rule(given) if given else None)
    return verdicts


def row_ended(row: Mapping[str, Any]) -> bool:
    return lower(row.get("status")) in QUALIGATE_ENDS


# Panto (P rows): a run's `runner_status`, the trigger's aggregate `status`, its runs' ends.
PANTO_PASSES = ("passed", "pass", "success")
PANTO_FAILS = ("failed", "fail", "failure")
PANTO_ENDS = ("passed", "failed", "partially_passed")
PANTO_UNSUCCESSFUL = ("fail", "error", "cancel", "abort", "timeout")  # P16


def panto_over(listing: Mapping[str, Any]) -> bool:
    """The trigger ended: its aggregate is a terminal word, or (no word Panto documents)
    every run it lists shows an end time."""
    aggregate = lower(listing.get("status"))
    if aggregate in PANTO_ENDS:
        return True
    runs = listing.get("test_runs")
    if aggregate == "in_process" or not isinstance(runs, list) or not runs:
        return False
    return all(
        isinstance(run, dict) and run.get("runner_end_timestamp") is not None for run in runs
    )


def panto_oracle(run: Mapping[str, Any], listing: Mapping[str, Any]) -> set[str]:
    word, aggregate = lower(run.get("runner_status")) or "", lower(listing.get("status"))
    if word in PANTO_FAILS:
        return {"failed"}  # P3, whatever the trigger says
    if word == "error":
        return {"error"}  # P4, whatever the trigger says
    twice = panto_listed_twice(run, listing)
    if not panto_over(listing):
        started = run.get("runner_start_timestamp") is not None
        going = {"running"} if started else {"queued"}  # P1, P5, P15; not started: queued
        return going if twice is False else going | {"error"}  # P18 before the end: open
    verdicts = panto_ended(word, aggregate, run.get("remark"))
    if twice is False:
        return verdicts
    # P18: listed twice, the two may disagree: no pass, beside what else the run says.
    return {"error"} | (verdicts & BAD if twice else verdicts)


def panto_ended(word: str, aggregate: str | None, remark: Any) -> set[str]:
    if word in PANTO_PASSES:
        if aggregate == "failed":
            return {"failed"}  # P8
        # P2, P9; a `remark` beside the word: no row says (P17 reads one as a failure note).
        return {"passed"} if remark is None else {"passed", "error"}
    if word == "in_process":
        return {"error", "failed"} if aggregate in ("failed", "partially_passed") else {"error"}
    if aggregate == "passed":
        if any(part in word for part in PANTO_UNSUCCESSFUL):
            return {"error"}  # P16
        if remark is None and "timed" not in word:
            return {"passed"}  # P7
        return {"error"} if text(remark) else {"passed", "error"}  # P17; an odd remark: open
    if aggregate in ("failed", "partially_passed"):
        return {"failed"}  # P10, P11 (and "If all finished runs failed")
    return {"error"} if remark is None else {"error", "failed"}  # P12


def panto_listed_twice(run: Mapping[str, Any], listing: Mapping[str, Any]) -> bool | None:
    runs = listing.get("test_runs")
    if not isinstance(runs, list):
        return False
    if not text(run.get("id")):
        return None  # a run without an id: the provider refuses it first
    same = [other for other in runs if isinstance(other, dict) and other.get("id") == run.get("id")]
    return len(same) > 1


def panto_trigger_oracle(listing: Mapping[str, Any]) -> set[str | None]:
    if not panto_over(listing):
        return {None}
    aggregate = lower(listing.get("status"))
    runs = listing.get("test_runs")
    runs = runs if isinstance(runs, list) else []
    words = {lower(run.get("runner_status")) for run in runs if isinstance(run, dict)}
    failing = bool(words & set(PANTO_FAILS))
    if aggregate == "passed":
        # P19: a run that failed disagrees with "all finished runs passed"; so does `error`.
        said: set[str | None] = {"failed"} if failing else set()
        return (said | {"error"}) if "error" in words else said or {"passed"}
    if aggregate in ("failed", "partially_passed"):
        return {"failed"}
    return {"failed"} if failing else {"error"}  # P13


# --- answers -----------------------------------------------------------------------------------


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # a field left out of the answer


def cased(words: Iterable[str]) -> list[str]:
    """Each word as written, in lower and upper case, and capitalized."""
    forms = (str, str.lower, str.upper, str.capitalize)
    return list(dict.fromkeys(form(word) for word in words for form in forms))


QATECH_WORDS = ["INITIATED", "RUNNING", "COMPLETED", "ERROR", "CANCELLED"]
QATECH_RESULT_WORDS = ["PASSED", "FAILED", "SKIPPED"]
QUALIGATE_WORDS = [
    "pending", "running", "passed", "failed", "error", "timeout", "canceled", "completed",
    "cancelled",
]  # fmt: skip
PANTO_WORDS = [
    "in_process", "passed", "failed", "partially_passed", "completed", "success", "failure",
    "error", "pass", "fail",
]  # fmt: skip
UNKNOWN = [
    "", " ", "archived", "done", "queued", "skipped", "aborted_by_user", "timed_out",
    "errored", "COMPLETED/PASSED", "passed ",
]  # fmt: skip
EVERY_WORD = cased([*QATECH_WORDS, *QATECH_RESULT_WORDS, *QUALIGATE_WORDS, *PANTO_WORDS, *UNKNOWN])
ODD_NUMBERS = [
    10**400, -(10**400), 1e308, -1e308, 2**63, -1, 0, 0.5, 11.0,
    float("inf"), float("-inf"), float("nan"), True, False,
]  # fmt: skip
# Values of every JSON type, where a word, a count, a list or an object belongs.
ODD_VALUES = [
    *ODD_NUMBERS, None, "", "x", "5", [], {}, ["passed"], {"status": "passed"},
    [{"status": "FAILED", "result": "FAILED"}], {"total_tests": 1},
]  # fmt: skip
TIMES = ["2026-01-28T10:30:00Z", "2026-05-21T10:35:00+02:00", "0001-01-01T00:00:00+05:00",
         "9999-12-31T23:59:59-05:00", "not a date", ""]  # fmt: skip
ODD = st.sampled_from(ODD_VALUES)
ODD_FIELD = st.sampled_from([ABSENT, ABSENT, *ODD_VALUES])  # or the field left out
TIME = st.sampled_from([*TIMES, None, ABSENT, 5, True, []])
TEXT = st.one_of(
    st.sampled_from(["Element not found", "Cart empty", "", " ", None, ABSENT, 0, 7, True, []]),
    st.text(max_size=4),
)
RUN_IDS = ["aa0e8400-e29b-41d4", "bb0e8400-e29b-41d4", "cc0e8400-e29b-41d4"]
IDENT = st.sampled_from([*RUN_IDS, "", None, ABSENT, 5, []])
EXTRA = st.sampled_from([{}, {}, {}, {"Status": "passed"}, {"RESULT": "PASSED", "note": None}])
COUNT = st.one_of(st.integers(0, 6), st.integers(0, 6), ODD_FIELD)
KEYS = ["status", "result", "runner_status", "total_tests", "passed_tests", "failed_tests",
        "results", "runTestCases", "test_runs", "error_message", "remark"]  # fmt: skip
# Any JSON at all, for the test that only asks that nothing crashes.
JSON = st.recursive(
    st.one_of(
        ODD, st.integers(-2, 14), st.floats(), st.text(max_size=8), st.sampled_from(EVERY_WORD)
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=8,
)


def word_field(documented: list[str]) -> st.SearchStrategy[Any]:
    """A word field: mostly the platform's words (any case), or any other word or value."""
    words = st.sampled_from(cased(documented))
    return st.one_of(words, words, st.sampled_from(EVERY_WORD), ODD_FIELD)


def shape(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An answer of a documented shape: each field drawn, those drawn ABSENT left out."""
    return st.builds(_present, st.fixed_dictionaries(fields), EXTRA)


def _present(fields: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    return {**extra, **{key: value for key, value in fields.items() if value is not ABSENT}}


def _places(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) inside a JSON value."""
    items: Iterable[tuple[Any, Any]] = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, inner in items:
        yield value, key
        yield from _places(inner)


REPLACEMENTS = st.one_of(st.sampled_from(EVERY_WORD), ODD_FIELD, st.integers(-1, 13))
# What a spoiled field most often becomes: another value of its own documented kind, so that
# documented signals disagree (`passed` after 11 of 12 steps, a COMPLETED/PASSED run with a
# FAILED case, a completed suite whose /results says failed).
STEPS = st.integers(0, 13)
KINDS: dict[str, st.SearchStrategy[Any]] = {
    "status": st.sampled_from(cased([*QATECH_WORDS, *QUALIGATE_WORDS, *PANTO_WORDS])),
    "result": st.sampled_from(cased(QATECH_RESULT_WORDS)),
    "runner_status": st.sampled_from(cased(PANTO_WORDS)),
    **dict.fromkeys(["total_tests", "passed_tests", "failed_tests"], STEPS),
    **dict.fromkeys(["steps_completed", "steps_total"], STEPS),
    **dict.fromkeys(["error_message", "remark"], TEXT),
    **dict.fromkeys(["completed_at", "runner_start_timestamp", "runner_end_timestamp"], TIME),
    **dict.fromkeys(["id", "test_run_id"], IDENT),
}


def replacement(key: Any) -> st.SearchStrategy[Any]:
    kind = KINDS.get(key) if isinstance(key, str) else None
    return REPLACEMENTS if kind is None else st.one_of(kind, kind, REPLACEMENTS)


@st.composite
def spoiled(draw: st.DrawFn, value: Any) -> Any:
    """`value` (an answer whose every signal says pass) with one to three values inside it
    replaced, most often by another of their kind, or left out."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(value))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        new = draw(replacement(key))
        if new is ABSENT and isinstance(container, dict):
            del container[key]
        else:
            # A copy: the values drawn from are shared, and a later spoil may reach inside.
            container[key] = None if new is ABSENT else copy.deepcopy(new)
    return value


def with_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, one test run each."""
    return [{**row, "test_run_id": run_id} for row, run_id in zip(rows, RUN_IDS, strict=False)]


# QA.tech: GET /run/{shortId} (docs.qa.tech, run-status), and the start answer's `testCount`.
QatechAnswer = tuple[dict[str, Any], int | None, int, bool]


def qatech_case(passing: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    if passing:
        status = st.sampled_from(cased(["COMPLETED"]))
        return shape(name=TEXT, status=status, result=st.sampled_from(cased(["PASSED", "SKIPPED"])))
    return shape(name=TEXT, status=word_field(QATECH_WORDS), result=word_field(QATECH_RESULT_WORDS))


@st.composite
def qatech_passing(draw: st.DrawFn) -> QatechAnswer:
    cases = draw(st.lists(qatech_case(passing=True), max_size=4))
    answer: dict[str, Any] = {
        "id": draw(IDENT),
        "shortId": "abc123",
        "status": draw(st.sampled_from(cased(["COMPLETED"]))),
        "result": draw(st.sampled_from(cased(["PASSED"]))),
    }
    if draw(st.booleans()) or cases:
        answer["runTestCases"] = cases
    late_polls = draw(st.integers(0, 5))
    if not cases:
        return answer, draw(st.none() | st.integers(1, 9)), late_polls, False  # Q20
    test_count: int | None = draw(st.sampled_from([None, len(cases)]))
    return answer, test_count, late_polls, draw(st.booleans())


QATECH_ANY = shape(
    id=IDENT,
    status=word_field(QATECH_WORDS),
    result=word_field(QATECH_RESULT_WORDS),
    runTestCases=st.one_of(st.lists(qatech_case() | ODD, max_size=4), ODD_FIELD),
)


def words(documented: Iterable[str], *others: Any) -> st.SearchStrategy[Any]:
    """Only documented words (any case), and the few other values given."""
    return st.sampled_from([*cased(documented), *others])


# Answers of documented words only: the table's signals, each against each.
QATECH_WORDS_ONLY = shape(
    status=words(QATECH_WORDS),
    result=words(QATECH_RESULT_WORDS, None),
    runTestCases=st.lists(
        shape(status=words(QATECH_WORDS, ABSENT), result=words(QATECH_RESULT_WORDS, None)),
        max_size=3,
    )
    | st.just(ABSENT),
)


@st.composite
def qatech_answers(draw: st.DrawFn) -> QatechAnswer:
    kind = draw(st.sampled_from(["spoiled", "any", "words"]))
    if kind == "spoiled":
        answer, test_count, late_polls, asked = draw(qatech_passing())
        answer = draw(spoiled(answer))
    else:
        answer, test_count, late_polls, asked = (
            draw(QATECH_ANY if kind == "any" else QATECH_WORDS_ONLY),
            None,
            0,
            False,
        )
    test_count = draw(st.one_of(st.just(test_count), st.none(), st.integers(0, 6)))
    late_polls = draw(st.sampled_from([late_polls, 0, 2, 3, 4]))
    return answer, test_count, late_polls, draw(st.sampled_from([asked, True, False]))


def judge_qatech(
    answer: Mapping[str, Any], test_count: int | None, polls: int, asked: bool
) -> Judgment:
    """judge_run, each argument that has its default value left to the default."""
    kwargs: dict[str, Any] = {}
    if test_count is not None:
        kwargs["test_count"] = test_count
    if polls:
        kwargs["late_polls"] = polls
    if asked:
        kwargs["cases_asked"] = True
    return qatech_verdict.judge_run(answer, **kwargs)


# Qualigate: GET /api/v1/trigger (a test run, a suite run) and GET /api/v1/results.
ANY_MESSAGE = st.just(ABSENT) | TEXT


def qualigate_row(
    status: st.SearchStrategy[Any], message: st.SearchStrategy[Any] = ANY_MESSAGE
) -> st.SearchStrategy[dict[str, Any]]:
    return shape(
        test_run_id=IDENT,
        test_case_name=TEXT,
        status=status,
        duration_ms=COUNT,
        error_message=message,
    )


def judge_test_run(answer: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> Judgment:
    """judge_test_run, the row left to its default where there is none."""
    if row is None and answer is not None:
        return qualigate_verdict.judge_test_run(answer)
    return qualigate_verdict.judge_test_run(answer, row)


def judge_suite(
    answer: Mapping[str, Any], test_count: int | None, results: Mapping[str, Any] | None
) -> Judgment:
    """judge_suite, each argument that is None left to its default."""
    kwargs: dict[str, Any] = {}
    if test_count is not None:
        kwargs["test_count"] = test_count
    if results is not None:
        kwargs["results"] = results
    return qualigate_verdict.judge_suite(answer, **kwargs)


def results_verdict(
    results: Mapping[str, Any], asked: Sequence[str], ended: bool
) -> Judgment | None:
    """results_verdict, `ended` left to its default where it is false."""
    if not ended:
        return qualigate_verdict.results_verdict(results, asked)
    return qualigate_verdict.results_verdict(results, asked, ended=True)


# "error_message (only on failure)": none, or null (a value a spoil may change).
PASSED_ROW = qualigate_row(st.sampled_from(cased(["passed"])), st.sampled_from([ABSENT, None]))
QUALIGATE_ROW_ANY = qualigate_row(word_field(QUALIGATE_WORDS))
TestRun = tuple[dict[str, Any] | None, dict[str, Any] | None]


@st.composite
def qualigate_run_passing(draw: st.DrawFn) -> TestRun:
    if draw(st.integers(0, 3)) == 0:
        return None, draw(PASSED_ROW)  # a project's run: its row alone
    steps = draw(st.integers(1, 40))
    answer = draw(
        shape(
            id=IDENT,
            status=st.sampled_from(cased(["passed"])),
            started_at=TIME,
            completed_at=TIME,
            duration_ms=COUNT,
            steps_completed=st.just(steps),
            steps_total=st.just(steps),
            error_message=st.sampled_from([None, ABSENT]),
        )
    )
    return answer, draw(st.none() | PASSED_ROW)


QUALIGATE_RUN_ANY = shape(
    id=IDENT,
    status=word_field(QUALIGATE_WORDS),
    completed_at=TIME,
    duration_ms=COUNT,
    steps_completed=COUNT,
    steps_total=COUNT,
    error_message=TEXT,
)


MESSAGE = st.sampled_from([None, ABSENT, "Element not found"])
QUALIGATE_RUN_WORDS_ONLY = shape(
    status=words(QUALIGATE_WORDS),
    completed_at=st.sampled_from([TIMES[0], None]),
    steps_completed=st.sampled_from([0, 11, 12, 12, ABSENT]),
    steps_total=st.sampled_from([0, 12, 12, ABSENT]),
    error_message=MESSAGE,
)
QUALIGATE_ROW_WORDS_ONLY = shape(
    test_run_id=st.sampled_from(RUN_IDS), status=words(QUALIGATE_WORDS), error_message=MESSAGE
)


@st.composite
def qualigate_run_answers(draw: st.DrawFn) -> TestRun:
    kind = draw(st.sampled_from(["spoiled", "any", "words"]))
    if kind == "spoiled":
        answer, row = draw(qualigate_run_passing())
        return draw(spoiled(answer)), draw(spoiled(row))
    one, row_kind = (
        (QUALIGATE_RUN_ANY, QUALIGATE_ROW_ANY)
        if kind == "any"
        else (QUALIGATE_RUN_WORDS_ONLY, QUALIGATE_ROW_WORDS_ONLY)
    )
    answer = draw(st.none() | one)
    return answer, draw(row_kind if answer is None else st.none() | row_kind)


def counts(total: int, failed: int = 0) -> dict[str, int]:
    return {"total_tests": total, "passed_tests": total - failed, "failed_tests": failed}


Suite = tuple[dict[str, Any], int | None, dict[str, Any] | None]


@st.composite
def qualigate_suite_passing(draw: st.DrawFn) -> Suite:
    total = draw(st.integers(1, 6))
    answer = {
        "id": draw(IDENT),
        "status": draw(st.sampled_from(cased(["completed", "passed"]))),
        "completed_at": draw(st.sampled_from(TIMES)),
        "duration_ms": draw(COUNT),
        **counts(total),
    }
    results = None
    if draw(st.booleans()):
        rows = with_ids(draw(st.lists(PASSED_ROW, max_size=min(total, 3))))
        status = draw(st.sampled_from(cased(["passed"])))
        results = {"suite_run_id": answer["id"], **counts(total), "status": status, "results": rows}
    return answer, draw(st.none() | st.just(total)), results


QUALIGATE_SUITE_ANY = shape(
    id=IDENT,
    status=word_field(QUALIGATE_WORDS),
    completed_at=TIME,
    duration_ms=COUNT,
    total_tests=COUNT,
    passed_tests=COUNT,
    failed_tests=COUNT,
)
QUALIGATE_RESULTS_ANY = shape(
    total_tests=COUNT,
    passed_tests=COUNT,
    failed_tests=COUNT,
    status=word_field(QUALIGATE_WORDS),
    results=st.one_of(st.lists(QUALIGATE_ROW_ANY | ODD, max_size=4), ODD_FIELD),
)


@st.composite
def near_counts(draw: st.DrawFn) -> dict[str, int]:
    """Counts that mostly add up: every test passed, or one did not (failed or not counted)."""
    total = draw(st.integers(0, 3))
    passed = draw(st.sampled_from([total, max(total - 1, 0)]))
    failed = draw(st.sampled_from([total - passed, 0]))
    return {"total_tests": total, "passed_tests": passed, "failed_tests": failed}


@st.composite
def qualigate_results_words_only(draw: st.DrawFn) -> dict[str, Any]:
    rows = draw(st.lists(QUALIGATE_ROW_WORDS_ONLY, max_size=3))
    return {**draw(near_counts()), "status": draw(words(QUALIGATE_WORDS)), "results": rows}


@st.composite
def qualigate_suite_answers(draw: st.DrawFn) -> Suite:
    kind = draw(st.sampled_from(["spoiled", "any", "words"]))
    if kind == "spoiled":
        answer, test_count, results = draw(qualigate_suite_passing())
        if draw(st.booleans()):
            answer = draw(spoiled(answer))
        if results is not None:
            results = draw(spoiled(results))
    elif kind == "any":
        answer, test_count = draw(QUALIGATE_SUITE_ANY), None
        results = draw(st.none() | QUALIGATE_RESULTS_ANY)
    else:
        answer = {**draw(near_counts()), "status": draw(words(QUALIGATE_WORDS))}
        answer["completed_at"] = draw(st.sampled_from([TIMES[0], None]))
        test_count = None
        results = draw(st.none() | qualigate_results_words_only())
    return answer, draw(st.one_of(st.just(test_count), st.none(), st.integers(0, 6))), results


Group = tuple[dict[str, Any], list[str], bool]


@st.composite
def qualigate_group_passing(draw: st.DrawFn) -> Group:
    asked = RUN_IDS[: draw(st.integers(1, len(RUN_IDS)))]
    rows = with_ids(draw(st.lists(PASSED_ROW, min_size=len(asked), max_size=len(asked))))
    status = draw(st.sampled_from(cased(["passed"])))
    return {**counts(len(rows)), "status": status, "results": rows}, asked, draw(st.booleans())


@st.composite
def qualigate_group_answers(draw: st.DrawFn) -> Group:
    kind = draw(st.sampled_from(["spoiled", "any", "words"]))
    if kind == "spoiled":
        results, asked, ended = draw(qualigate_group_passing())
        results = draw(spoiled(results))
    else:
        any_kind = QUALIGATE_RESULTS_ANY if kind == "any" else qualigate_results_words_only()
        results, asked, ended = draw(any_kind), RUN_IDS[:2], False
    asked = draw(st.sampled_from([asked, RUN_IDS[:1], RUN_IDS[:2]]))
    return results, asked, draw(st.sampled_from([ended, True, False]))


# Panto: GET test-runs-by-trigger/{trigger_id} (docs.getpanto.ai): the runs and their aggregate.
def panto_run(runner_status: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return shape(
        id=st.sampled_from(["testrun_01", "testrun_02", "testrun_03", "testrun_04"]),
        runner_start_timestamp=TIME,
        runner_end_timestamp=TIME,
        runner_status=runner_status,
        remark=st.one_of(st.none(), st.none(), TEXT),
        trigger_id=st.just("trigger_01"),
    )


def ended(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs, ended, each its own run."""
    end = {"runner_start_timestamp": TIMES[0], "runner_end_timestamp": TIMES[1], "remark": None}
    return [{**run, **end, "id": f"testrun_0{number}"} for number, run in enumerate(runs, 1)]


Panto = tuple[dict[str, Any], dict[str, Any]]


@st.composite
def panto_passing(draw: st.DrawFn) -> Panto:
    """A run whose own word says it passed in a trigger that ended and not `failed`, or a
    run with another word in a trigger whose aggregate is `passed` (P2, P7, P9)."""
    if draw(st.booleans()):
        words = st.sampled_from(cased(PANTO_PASSES))
        aggregate = st.sampled_from([*cased(["passed", "partially_passed"]), "done", ABSENT])
    else:
        words = st.sampled_from([*cased([*PANTO_PASSES, "completed", "done"]), "", None, ABSENT, 5])
        aggregate = st.sampled_from(cased(["passed"]))
    runs = ended(draw(st.lists(panto_run(words), min_size=1, max_size=3)))
    listing = {"test_runs": runs}
    chosen = draw(aggregate)
    if chosen is not ABSENT:
        listing["status"] = chosen
    return runs[0], listing


PANTO_RUN_ANY = panto_run(word_field(PANTO_WORDS))


PANTO_RUN_WORDS_ONLY = shape(
    id=st.sampled_from(["testrun_01", "testrun_02", "testrun_03"]),
    runner_start_timestamp=st.sampled_from([TIMES[0], None]),
    runner_end_timestamp=st.sampled_from([TIMES[1], None]),
    runner_status=words(PANTO_WORDS, "aborted_by_user", "timed_out", "done", "errored"),
    remark=st.sampled_from([None, None, "Cart empty"]),
)


@st.composite
def panto_answers(draw: st.DrawFn) -> Panto:
    kind = draw(st.sampled_from(["spoiled", "any", "words"]))
    if kind == "spoiled":
        # Values of the listing spoiled, the run judged as the listing now shows it.
        run, listing = draw(panto_passing())
        listing = draw(spoiled(listing))
        runs = listing.get("test_runs")
        if isinstance(runs, list) and runs and isinstance(runs[0], dict):
            run = runs[0]
        return run, listing
    if kind == "words":
        runs = draw(st.lists(PANTO_RUN_WORDS_ONLY, min_size=1, max_size=3))
        aggregate = st.sampled_from([*cased(PANTO_ENDS), "passed", "passed", "in_process", ABSENT])
        return runs[0], draw(shape(test_runs=st.just(runs), status=aggregate))
    run = draw(PANTO_RUN_ANY)
    others = draw(st.lists(PANTO_RUN_ANY | ODD, max_size=2))
    runs = draw(st.one_of(st.permutations([run, *others]), ODD_FIELD))
    return run, draw(shape(test_runs=st.just(runs), status=word_field(PANTO_WORDS)))


# --- checks ------------------------------------------------------------------------------------


def checked(judgment: Judgment) -> str:
    """What every verdict must be, whatever the answer; its status's word."""
    assert isinstance(judgment, Judgment)
    assert judgment.status.value in STATUS_WORDS, judgment
    assert isinstance(judgment.why, str) and judgment.why.strip(), judgment
    assert isinstance(judgment.plain, bool)
    return judgment.status.value


def holds(judgment: Judgment | None, expected: Collection[str | None]) -> None:
    if judgment is None:
        assert None in expected, f"no verdict yet, where the table gives {expected}"
        return
    status = checked(judgment)
    if status == "passed":
        assert "passed" in expected, f"a pass that a signal does not give: {judgment}"
    assert status in expected, f"the table says {sorted(map(str, expected))}: {judgment}"


def failed_or_worse(judgment: Judgment | None) -> None:
    assert judgment is not None and checked(judgment) in ("failed", "error"), judgment


# --- QA.tech -----------------------------------------------------------------------------------


@MANY
@given(qatech_answers())
def test_qatech_follows_the_table(given_answer: QatechAnswer) -> None:
    holds(judge_qatech(*given_answer), qatech_oracle(*given_answer))


@FEW
@given(qatech_passing())
def test_qatech_passes_what_every_signal_passes(given_answer: QatechAnswer) -> None:
    assert checked(judge_qatech(*given_answer)) == "passed"


@FEW
@given(
    answer=QATECH_ANY,
    words=st.tuples(st.sampled_from(cased(["COMPLETED"])), st.sampled_from(cased(["FAILED"]))),
    count=st.none() | st.integers(0, 6),
    polls=st.integers(0, 5),
    asked=st.booleans(),
)
def test_qatech_a_failed_result_fails(
    answer: dict[str, Any], words: tuple[str, str], count: int | None, polls: int, asked: bool
) -> None:
    answer = {**answer, "status": words[0], "result": words[1]}
    failed_or_worse(judge_qatech(answer, count, polls, asked))


@FEW
@given(qatech_case())
def test_qatech_a_test_case_alone(case: dict[str, Any]) -> None:
    """judge_case, the status a report shows a test case with: what the case says, `error`
    for doubt, and not ended where its own words say so."""
    status = qatech_verdict.judge_case(case).value
    own = upper(case.get("status"))
    if own in ("INITIATED", "RUNNING"):
        going = {"INITIATED": "queued", "RUNNING": "running"}[own]
        # Q18 and Q14: a case still going, yet with a FAILED result: either may show.
        failed = upper(case.get("result")) == "FAILED"
        assert status in ({going, "failed"} if failed else {going}), case
        return
    expected = {"error" if said == "doubt" else said for said in qatech_case_says(case)}
    if case.get("status") is None and case.get("result") is None:
        expected.add("running")
    assert status in expected, (case, status)


# Test cases an earlier answer showed failed, or in error (`failed_before`).
FAILED_BEFORE = st.sampled_from(
    [
        {"name": "Login", "status": "COMPLETED", "result": "FAILED"},
        {"name": "Cart", "status": "ERROR", "result": None},
    ]
)


@FEW
@given(qatech_answers(), FAILED_BEFORE)
def test_qatech_a_failure_seen_before_is_kept(
    given_answer: QatechAnswer, before: dict[str, Any]
) -> None:
    answer, test_count, polls, asked = given_answer
    judgment = qatech_verdict.judge_run(
        answer, test_count=test_count, late_polls=polls, cases_asked=asked, failed_before=before
    )
    holds(judgment, qatech_oracle(answer, test_count, polls, asked, before))


@FEW
@given(
    st.sampled_from(cased(["COMPLETED"])),
    st.sampled_from([None, ABSENT]),
    st.integers(0, 6),
    st.lists(qatech_case(passing=True), max_size=2),
)
def test_qatech_completed_before_its_result(
    status: str, result: Any, polls: int, cases: list[dict[str, Any]]
) -> None:
    # Q11, Q12: a moment's lag for three answers, then no pass.
    answer: dict[str, Any] = {"status": status, "runTestCases": cases}
    if result is not ABSENT:
        answer["result"] = result
    holds(judge_qatech(answer, None, polls, False), qatech_oracle(answer, None, polls, False))


# --- Qualigate ---------------------------------------------------------------------------------


@MANY
@given(qualigate_run_answers())
def test_qualigate_test_run_follows_the_table(given_answer: TestRun) -> None:
    holds(judge_test_run(*given_answer), qualigate_run_oracle(*given_answer))


@FEW
@given(qualigate_run_passing())
def test_qualigate_test_run_passes_what_every_signal_passes(given_answer: TestRun) -> None:
    assert checked(judge_test_run(*given_answer)) == "passed"


@FEW
@given(QUALIGATE_RUN_ANY, st.sampled_from(cased(["failed"])), st.none() | QUALIGATE_ROW_ANY)
def test_qualigate_a_failed_test_run_fails(
    answer: dict[str, Any], status: str, row: dict[str, Any] | None
) -> None:
    failed_or_worse(qualigate_verdict.judge_test_run({**answer, "status": status}, row))


@MANY
@given(qualigate_suite_answers())
def test_qualigate_suite_follows_the_table(given_answer: Suite) -> None:
    holds(judge_suite(*given_answer), qualigate_suite_oracle(*given_answer))


@FEW
@given(qualigate_suite_passing())
def test_qualigate_suite_passes_what_every_signal_passes(given_answer: Suite) -> None:
    assert checked(judge_suite(*given_answer)) == "passed"


@FEW
@given(
    QUALIGATE_SUITE_ANY,
    st.sampled_from(cased(["completed", "passed"])),
    st.integers(1, 6),
    st.integers(0, 6),
)
def test_qualigate_a_suite_with_failed_tests_fails(
    answer: dict[str, Any], status: str, failed: int, passed: int
) -> None:
    # G23: the documents' example, `completed` with a failed test.
    answer = {**answer, "status": status, **counts(passed + failed, failed)}
    failed_or_worse(qualigate_verdict.judge_suite(answer))


@FEW
@given(qualigate_suite_answers(), st.integers(1, 3))
def test_qualigate_a_suite_failure_seen_before_is_kept(given_answer: Suite, before: int) -> None:
    answer, test_count, results = given_answer
    judgment = qualigate_verdict.judge_suite(
        answer, test_count=test_count, results=results, failed_before=before
    )
    holds(judgment, qualigate_suite_oracle(answer, test_count, results, before))


@MANY
@given(qualigate_group_answers())
def test_qualigate_project_results_follow_the_table(given_answer: Group) -> None:
    holds(results_verdict(*given_answer), qualigate_group_oracle(*given_answer))


@FEW
@given(qualigate_group_passing())
def test_qualigate_project_results_pass_what_every_signal_passes(given_answer: Group) -> None:
    judgment = results_verdict(*given_answer)
    assert judgment is not None and checked(judgment) == "passed"


# --- Panto -------------------------------------------------------------------------------------


@MANY
@given(panto_answers())
def test_panto_follows_the_table(given_answer: Panto) -> None:
    run, listing = given_answer
    holds(panto_verdict.judge_run(run, listing), panto_oracle(run, listing))
    assert panto_verdict.trigger_over(listing) is panto_over(listing), listing
    holds(panto_verdict.trigger_verdict(listing), panto_trigger_oracle(listing))


@FEW
@given(panto_passing())
def test_panto_passes_what_every_signal_passes(given_answer: Panto) -> None:
    run, listing = given_answer
    assert checked(panto_verdict.judge_run(run, listing)) == "passed"
    if lower(listing.get("status")) == "passed":
        group = panto_verdict.trigger_verdict(listing)
        assert group is not None and checked(group) == "passed"


PANTO_FAILED = panto_run(st.sampled_from([*cased(PANTO_FAILS), "error", "Error"]))


@FEW
@given(PANTO_FAILED, PANTO_RUN_ANY | ODD, word_field(PANTO_WORDS))
def test_panto_a_failed_run_fails_whatever_its_trigger_says(
    run: dict[str, Any], other: Any, status: Any
) -> None:
    # P3, P4: a failure is known at once, the trigger going on or ended.
    listing: dict[str, Any] = {"test_runs": [run, other]}
    if status is not ABSENT:
        listing["status"] = status
    failed_or_worse(panto_verdict.judge_run(run, listing))


# --- any JSON at all -----------------------------------------------------------------------------

OBJECTS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), JSON, max_size=6)


@FEW
@given(OBJECTS, OBJECTS, st.none() | st.integers(-3, 9), st.integers(0, 5), st.booleans())
def test_no_answer_crashes_a_verdict(
    first: dict[str, Any], second: dict[str, Any], test_count: int | None, polls: int, flag: bool
) -> None:
    checked(judge_qatech(first, test_count, polls, flag))
    assert qatech_verdict.judge_case(first).value in STATUS_WORDS
    checked(qualigate_verdict.judge_test_run(first, second))
    checked(qualigate_verdict.judge_test_run(None, second))
    checked(qualigate_verdict.judge_suite(first, test_count=test_count, results=second))
    group = qualigate_verdict.results_verdict(first, RUN_IDS[:polls], ended=flag)
    assert group is None or checked(group)
    checked(panto_verdict.judge_run(first, second))
    assert isinstance(panto_verdict.trigger_over(second), bool)
    trigger = panto_verdict.trigger_verdict(second)
    assert trigger is None or checked(trigger)

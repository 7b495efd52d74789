"""Panto AI: one suite trigger for tagged test suites on devices, polled by its trigger id.

Endpoints (https://docs.getpanto.ai/qa-platform/integrations/): POST
/api/v1/qa/external/testsuite/trigger answers
only with test run ids; GET …/test-run/{id} gives a run and the `trigger_id`
the runs share; GET …/test-runs-by-trigger/{trigger_id} lists every run of the
trigger with an aggregate status, so a poll costs one request. Panto documents
no per-run status word but `in_process` (`passed` and `failed` follow from the
aggregate's rules), no dashboard link, and takes no pull request or commit.

The verdict on each run and on the trigger is panto_verdict's: this module only reads
Panto's answers and keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from qarun.errors import MalformedAnswerError, NotFoundError, PlatformError
from qarun.inputs import Inputs
from qarun.model import Progress, Run, RunHandle, Status
from qarun.providers import PLATFORM_INPUTS
from qarun.providers.base import (
    Options,
    ProviderBase,
    TriggerSpec,
    expect_object,
    judged,
    parse_time,
    text_field,
)
from qarun.providers.panto_options import (
    INCLUDE,
    PantoOptions,
    device_label,
    parse,
)
from qarun.providers.panto_verdict import RUN_WORDS, judge_run, trigger_over, trigger_verdict
from qarun.request import Request
from qarun.verdict import capped

TRIGGER_PATH = "/api/v1/qa/external/testsuite/trigger"
RUN_PATH = "/api/v1/qa/external/test-run"
BY_TRIGGER_PATH = "/api/v1/qa/external/test-runs-by-trigger"

API_KEY_ERROR = "error"

_TAGS_HINT = "Check {tags} / {exclude-tags} against the tags set on your Panto test suites."
# The documented trigger errors, and the input each one points at (`{name}`: named as the
# interface names it, `ProviderBase.named`).
_TRIGGER_HINTS = (
    (
        "build file not found",
        "Check {app}: it takes the build file id of an app uploaded to Panto.",
    ),
    ("environment not found", "Check {environment}: it takes an environment's name in Panto."),
    ("context not found", "Check {context}: it takes a context's name in Panto."),
    ("no test suites found", _TAGS_HINT),
)
_HINTED = ("tags", "exclude-tags", "app", "environment", "context")


@dataclass(frozen=True)
class PantoHandle(RunHandle):
    """The first run of the trigger that started this one: it names their trigger id."""

    first_run: str


# --- answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class _TestRun:
    """One run object from Panto's answers, parsed; `raw` as it came, for its verdict."""

    id: str
    word: str
    name: str | None
    device: str | None
    started_at: datetime | None
    finished_at: datetime | None
    remark: str | None
    trigger_id: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def done(self) -> bool:
        """Its own word or its end time says it is over (the trigger's end decides its verdict)."""
        return self.finished_at is not None or self.word.lower() in RUN_WORDS


@dataclass(frozen=True)
class _Listing:
    """A trigger's runs and the by-trigger answer they came in (its aggregate status)."""

    runs: tuple[_TestRun, ...]
    answer: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def over(self) -> bool:
        return trigger_over(self.answer)


def _parse_run(data: Any, what: str) -> _TestRun:
    run = expect_object(data, what)
    run_id = text_field(run, "id")
    if run_id is None:
        raise MalformedAnswerError(f"Panto's answer to {what} holds a test run without an `id`.")
    return _TestRun(
        id=run_id,
        word=text_field(run, "runner_status") or "",
        name=text_field(run, "test_run_name"),
        device=_target_devices(run.get("target_device_list")),
        started_at=parse_time(run.get("runner_start_timestamp")),
        finished_at=parse_time(run.get("runner_end_timestamp")),
        remark=text_field(run, "remark"),
        trigger_id=text_field(run, "trigger_id"),
        raw=run,
    )


def _target_devices(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    labels = [
        device_label(name, text_field(item, "platform"), text_field(item, "platform_version"))
        for item in value
        if isinstance(item, dict) and (name := text_field(item, "device_name"))
    ]
    return ", ".join(labels) or None


def _apply(runs: Sequence[Run], listing: _Listing) -> list[Run]:
    """The given runs updated from a listing; a run the listing lacks waits, unless it is over."""
    judgments = {found.id: (found, judge_run(found.raw, listing.answer)) for found in listing.runs}
    # Progress for the schedule: runs whose own word or end time says they are done.
    progress = Progress(done=sum(found.done for found in listing.runs), total=len(judgments))
    group = trigger_verdict(listing.answer)
    updated = []
    for run in runs:
        if run.id not in judgments:
            missing = capped(run, group).updated(
                status=Status.ERROR,
                message=run.message or "Panto's trigger ended without listing this run.",
            )
            updated.append(missing if listing.over else run)
            continue
        found, judgment = judgments[run.id]
        updated.append(
            capped(judged(run, judgment, found.remark), group).updated(
                name=found.name or run.name,
                provider_status=found.word,
                device=found.device or run.device,
                started_at=found.started_at,
                finished_at=found.finished_at,
                progress=progress,
            )
        )
    return updated


def _run_ids(answer: dict[str, Any], what: str) -> list[str]:
    ids = answer.get("test_runs")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise MalformedAnswerError(f"Panto's answer to {what} has no `test_runs` list of run ids.")
    return ids


def _path(base: str, ident: str) -> str:
    return f"{base}/{quote(ident, safe='')}"


# --- the provider ---------------------------------------------------------------------


@dataclass
class PantoProvider(ProviderBase[PantoOptions]):
    options_type: ClassVar[type[Options]] = PantoOptions
    name: ClassVar[str] = "panto"
    title: ClassVar[str] = "Panto AI"
    default_api_url: ClassVar[str] = "https://qa-app.getpanto.ai"
    inputs: ClassVar[frozenset[str]] = PLATFORM_INPUTS["panto"]
    # Panto's documents say nothing of where keys are made: only what a rejection means.
    key_help: ClassVar[str] = (
        "Panto answers this to a missing, wrong or expired key: use a current key of your "
        "Panto account."
    )

    # First run id of a trigger → the trigger id Panto gave its runs.
    _trigger_ids: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def parse_options(inputs: Inputs) -> PantoOptions:
        return parse(inputs)

    @staticmethod
    def auth_headers(api_key: str) -> dict[str, str]:
        return {"X-PANTO-API-KEY": api_key}

    def plan(self) -> list[TriggerSpec]:
        # Panto's API takes no pull request or commit, whatever `attach-context` says.
        options = self.options
        body: dict[str, Any] = {
            "app_id": options.app_id,
            "tags": {options.selector: {tag: list(values) for tag, values in options.tags.items()}},
            "devices": [device.as_body() for device in options.devices],
        }
        if options.environment:
            body["env_name"] = options.environment
        if options.context:
            body["context_name"] = options.context
        selected = "; ".join(f"{tag}: {', '.join(values)}" for tag, values in options.tags.items())
        tagged = "tagged" if options.selector == INCLUDE else "not tagged"
        return [
            TriggerSpec(
                request=Request(
                    "POST", TRIGGER_PATH, body, what=f"test suites for build `{options.app_id}`"
                ),
                label=f"test suites {tagged} {selected}",
                device=", ".join(device.label for device in options.devices) or None,
            )
        ]

    @staticmethod
    def rejects_key(body: Any) -> bool:
        # Panto's auth answer is `{"error": "Invalid or expired API key"}`, its code undocumented;
        # every other error it documents is a `detail`.
        return isinstance(body, dict) and isinstance(body.get(API_KEY_ERROR), str)

    def _with_hint(self, error: PlatformError) -> PlatformError:
        """The trigger's error, plus which input to check when Panto names what it did not
        find."""
        text = str(error).lower()
        for words, hint in _TRIGGER_HINTS:
            if words in text:
                hinted = f"{error} {self.named(hint, *_HINTED)}"
                return type(error)(hinted, status_code=error.status_code)
        return error

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        """Sends the trigger and nothing else: the runs' trigger id is read at the first poll."""
        what = spec.request.what
        try:
            answer = expect_object(self.client.send(spec.request), what)
        except PlatformError as error:
            raise self._with_hint(error) from None
        ids = _run_ids(answer, what)
        if not ids:
            said = text_field(answer, "message") or "no message"
            raise PlatformError(
                f"Panto started no test run for {spec.label} ({said}). "
                + self.named(_TAGS_HINT, *_HINTED)
            )
        return [
            Run(
                id=run_id,
                name=f"test run {run_id}",
                status=Status.QUEUED,
                device=spec.device,
                handle=PantoHandle(first_run=ids[0]),
            )
            for run_id in ids
        ]

    def poll(self, runs: Sequence[Run]) -> list[Run]:
        by_first: dict[str, list[Run]] = {}
        for run in runs:
            first = run.handle.first_run if isinstance(run.handle, PantoHandle) else run.id
            by_first.setdefault(first, []).append(run)
        updated = {run.id: run for run in runs}
        for first, group in by_first.items():
            updated.update({run.id: run for run in self._poll_trigger(first, group)})
        return [updated[run.id] for run in runs]

    def _poll_trigger(self, first: str, runs: Sequence[Run]) -> list[Run]:
        """One trigger's runs, from its listing; as they were while Panto has not made them
        yet (a 404 for runs it never showed: they are created asynchronously)."""
        try:
            listing = self._listing(self._trigger_id(first))
        except NotFoundError as error:
            self.lost(runs, error)
            return list(runs)
        self.seen.update(found.id for found in listing.runs)
        return _apply(runs, listing)

    def _trigger_id(self, first_run: str) -> str:
        """The trigger id the runs of one trigger share, read once from its first run."""
        known = self._trigger_ids.get(first_run)
        if known is not None:
            return known
        first = self._read_run(first_run)
        if first.trigger_id is None:
            raise MalformedAnswerError(
                f"Panto's answer to test run `{first.id}` has no `trigger_id`, so qarun cannot "
                "follow the runs it started."
            )
        self._trigger_ids[first_run] = first.trigger_id
        return first.trigger_id

    def _read_run(self, run_id: str) -> _TestRun:
        what = f"test run `{run_id}`"
        request = Request("GET", _path(RUN_PATH, run_id), what=what)
        answer = expect_object(self.client.read(request), what)
        return _parse_run(answer.get("test_run"), what)

    def _listing(self, trigger_id: str) -> _Listing:
        what = f"test runs of trigger `{trigger_id}`"
        request = Request("GET", _path(BY_TRIGGER_PATH, trigger_id), what=what)
        answer = expect_object(self.client.read(request), what)
        runs = answer.get("test_runs")
        if not isinstance(runs, list):
            raise MalformedAnswerError(f"Panto's answer to {what} has no `test_runs` list.")
        return _Listing(tuple(_parse_run(run, what) for run in runs), answer)

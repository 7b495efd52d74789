"""Panto AI: one suite trigger for tagged test suites on devices, polled by its trigger id.

Endpoints (providers.md §1): POST /api/v1/qa/external/testsuite/trigger answers
only with test run ids; GET …/test-run/{id} gives a run and the `trigger_id`
the runs share; GET …/test-runs-by-trigger/{trigger_id} lists every run of the
trigger with an aggregate status, so a poll costs one request. Panto documents
no per-run status word but `in_process` (`passed` and `failed` follow from the
aggregate's rules), no dashboard link, and takes no pull request or commit.

The aggregate is the only outcome Panto defines, so it decides: `failed` and
`partially_passed` fail the step whatever the runs' own words say, a word qarun
knows says which run failed, and a run whose word it does not know takes the
aggregate's outcome where that is the same for every run (README, platform notes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeGuard
from urllib.parse import quote

from qarun.errors import MalformedAnswerError, PlatformError
from qarun.http import Request
from qarun.inputs import Inputs, split_items
from qarun.model import Progress, Run, RunHandle, Status
from qarun.providers import PLATFORM_INPUTS
from qarun.providers.base import (
    Options,
    ProviderBase,
    TriggerSpec,
    expect_object,
    parse_time,
    text_field,
)

TRIGGER_PATH = "/api/v1/qa/external/testsuite/trigger"
RUN_PATH = "/api/v1/qa/external/test-run"
BY_TRIGGER_PATH = "/api/v1/qa/external/test-runs-by-trigger"

INCLUDE = "include"
EXCLUDE = "exclude"
# Quoted as they must be when pasted after `tags:` on one line (YAML would read them otherwise).
TAGS_EXAMPLE = (
    "`'suite: smoke, checkout'` (one tag per line under `tags: |`) or "
    '`\'{"suite": ["smoke", "checkout"]}\'`'
)
DEVICES_EXAMPLE = (
    "`'android: Pixel 8 @ 14'` (one device per line under `devices: |`) or "
    '`\'[{"device_name": "Pixel 8", "platform_version": "14", "platform": "android"}]\'`'
)
_DEVICE_LINE = re.compile(
    r"(?:(?P<platform>[A-Za-z][\w.-]*)\s*:)?\s*(?P<name>[^:@]+?)\s*@\s*(?P<version>[^:@\s]+)"
)
_DEVICE_KEYS = frozenset({"device_name", "platform_version", "platform"})
_APP_ID = re.compile(r"[^\s,]+")

# The per-run words qarun reads as an outcome: the documented aggregate's own words, and
# their plain synonyms. Any other word is shown as it came and judged by the aggregate.
_FINAL_WORDS = {
    "passed": Status.PASSED,
    "pass": Status.PASSED,
    "success": Status.PASSED,
    "failed": Status.FAILED,
    "fail": Status.FAILED,
    "failure": Status.FAILED,
}
_PENDING_WORDS = frozenset({"in_process"})
# The trigger's terminal aggregate words, as the verdict they give every run of the trigger.
_AGGREGATE_VERDICTS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "partially_passed": Status.FAILED,
}
# Where every run of an aggregate shares one outcome, an unknown word takes it.
_SHARED_OUTCOME = {"passed": Status.PASSED, "failed": Status.FAILED}
API_KEY_ERROR = "error"

_TAGS_HINT = "Check `tags` / `exclude-tags` against the tags set on your Panto test suites."
# The documented trigger errors, and the input each one points at.
_TRIGGER_HINTS = (
    (
        "build file not found",
        "Check `app`: it takes the build file id of an app uploaded to Panto.",
    ),
    ("environment not found", "Check `environment`: it takes an environment's name in Panto."),
    ("context not found", "Check `context`: it takes a context's name in Panto."),
    ("no test suites found", _TAGS_HINT),
)


@dataclass(frozen=True)
class PantoDevice:
    """A device to run on, named the way Panto stores it (lowercase)."""

    name: str
    version: str
    platform: str | None = None

    @property
    def label(self) -> str:
        return device_label(self.name, self.platform, self.version)

    def as_body(self) -> dict[str, str]:
        body = {"device_name": self.name, "platform_version": self.version}
        if self.platform:
            body["platform"] = self.platform
        return body


@dataclass(frozen=True)
class PantoHandle(RunHandle):
    """The first run of the trigger that started this one: it names their trigger id."""

    first_run: str


@dataclass(frozen=True)
class PantoOptions(Options):
    app_id: str
    # `include` or `exclude`: Panto takes exactly one selector.
    selector: str
    tags: dict[str, tuple[str, ...]]
    devices: tuple[PantoDevice, ...]
    environment: str | None = None
    context: str | None = None


def device_label(name: str, platform: str | None, version: str | None) -> str:
    """The device, then the system it runs: `pixel 8 / android 14`."""
    system = " ".join(part for part in (platform, version) if part)
    return f"{name} / {system}" if system else name


# --- options -----------------------------------------------------------------------


def _app(inputs: Inputs) -> str:
    raw = inputs.text("app")
    if not raw:
        inputs.problem(
            "app", "is required for panto: the build file id of the uploaded app; e.g. `app_01`."
        )
    elif not _APP_ID.fullmatch(raw):
        inputs.problem("app", f"`{raw}` is not one build file id; write one, e.g. `app_01`.")
    return raw


def _one_line(inputs: Inputs, name: str, example: str) -> str | None:
    raw = inputs.text(name)
    if "\n" in raw:
        inputs.problem(name, f"takes one name on one line; e.g. `{example}`.")
    return raw or None


def _selector(inputs: Inputs) -> tuple[str, dict[str, tuple[str, ...]]]:
    include, exclude = inputs.text("tags"), inputs.text("exclude-tags")
    if include and exclude:
        inputs.problem(
            "exclude-tags",
            "Panto takes either `tags` or `exclude-tags`, not both; keep one, e.g. "
            "`tags: 'suite: smoke'`.",
        )
    elif not include and not exclude:
        inputs.problem("tags", f"is required for panto (or `exclude-tags`); write {TAGS_EXAMPLE}.")
    name, selector = ("exclude-tags", EXCLUDE) if exclude and not include else ("tags", INCLUDE)
    raw = inputs.text(name)
    if not raw:
        return selector, {}
    parse = _tags_from_json if raw.startswith("{") else _tags_from_lines
    return selector, parse(inputs, name)


def _tags_from_lines(inputs: Inputs, name: str) -> dict[str, tuple[str, ...]]:
    tags: dict[str, tuple[str, ...]] = {}
    for line in inputs.lines(name):
        tag, colon, rest = line.partition(":")
        tag, values = tag.strip(), split_items(rest)
        if tag.startswith("-"):
            # A YAML list item pasted by habit: `- team: checkout` would send the tag `- team`.
            inputs.problem(
                name,
                f"`{line}` starts like a YAML list item; write the lines without `- `: "
                f"{TAGS_EXAMPLE}.",
            )
        elif not colon or not tag:
            inputs.problem(name, f"`{line}` is not `name: value1, value2`; write {TAGS_EXAMPLE}.")
        elif not values:
            inputs.problem(name, f"tag `{tag}` has no values; write {TAGS_EXAMPLE}.")
        else:
            # The same tag on two lines adds values rather than replacing them.
            tags[tag] = tags.get(tag, ()) + tuple(values)
    return tags


def _tags_from_json(inputs: Inputs, name: str) -> dict[str, tuple[str, ...]]:
    value = inputs.json_value(name, TAGS_EXAMPLE)
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        inputs.problem(name, f"must name at least one tag and its values; write {TAGS_EXAMPLE}.")
        return {}
    tags: dict[str, tuple[str, ...]] = {}
    for tag, values in value.items():
        if not tag or not _strings(values):
            inputs.problem(
                name, f"tag `{tag}` must map to a list of values (strings); write {TAGS_EXAMPLE}."
            )
        else:
            tags[tag] = tuple(values)
    return tags


def _strings(value: Any) -> bool:
    """A non-empty list of non-empty strings."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and item.strip() for item in value)
    )


def _devices(inputs: Inputs) -> tuple[PantoDevice, ...]:
    raw = inputs.text("devices")
    if not raw:
        inputs.problem("devices", f"is required for panto; write {DEVICES_EXAMPLE}.")
        return ()
    if raw.startswith("["):
        items = inputs.json_value("devices", DEVICES_EXAMPLE)
        if items is None:
            return ()
        if not isinstance(items, list) or not items:
            inputs.problem("devices", f"must list at least one device; write {DEVICES_EXAMPLE}.")
            return ()
        parsed = [_device_from_json(item, index) for index, item in enumerate(items, 1)]
    else:
        parsed = [_device_from_line(item) for item in inputs.items("devices")]
    for problem in (entry for entry in parsed if isinstance(entry, str)):
        inputs.problem("devices", f"{problem}; write {DEVICES_EXAMPLE}.")
    return tuple(entry for entry in parsed if isinstance(entry, PantoDevice))


def _device_from_line(item: str) -> PantoDevice | str:
    """The device, or what is wrong with the line."""
    match = _DEVICE_LINE.fullmatch(item)
    if match is None:
        return f"`{item}` is not `Device Name @ platform-version`"
    return _device(match["name"], match["version"], match["platform"])


def _device_from_json(item: Any, index: int) -> PantoDevice | str:
    if not isinstance(item, dict):
        return f"device {index} is not an object"
    unknown = sorted(set(item) - _DEVICE_KEYS)
    if unknown:
        return f"device {index} has unknown key(s) {', '.join(f'`{key}`' for key in unknown)}"
    name, version = item.get("device_name"), item.get("platform_version")
    if not _text(name) or not _text(version):
        return f"device {index} needs `device_name` and `platform_version` as strings"
    platform = item.get("platform")
    if platform is not None and not _text(platform):
        return f"device {index} has a `platform` that is not a name"
    return _device(name, version, platform)


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _device(name: str, version: str, platform: str | None) -> PantoDevice:
    # Panto stores device names (and platforms) in lowercase (providers.md §1, ambiguity 2).
    return PantoDevice(
        name=" ".join(name.split()).lower(),
        version=version.strip(),
        platform=platform.strip().lower() if platform else None,
    )


# --- answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class _TestRun:
    """One run object from Panto's answers, parsed."""

    id: str
    word: str
    name: str | None
    device: str | None
    started: bool
    ended: bool
    started_at: datetime | None
    finished_at: datetime | None
    remark: str | None
    trigger_id: str | None


@dataclass(frozen=True)
class _Listing:
    """A trigger's runs and, from the by-trigger endpoint, their aggregate status."""

    runs: tuple[_TestRun, ...]
    aggregate: str | None = None

    @property
    def over(self) -> bool:
        """The trigger ended: its aggregate says so, or (an aggregate word qarun does not
        know) every run shows an end time."""
        word = (self.aggregate or "").lower()
        if word in _AGGREGATE_VERDICTS:
            return True
        if word in _PENDING_WORDS:
            return False
        return bool(self.runs) and all(run.ended for run in self.runs)

    @property
    def verdict(self) -> Status | None:
        return _AGGREGATE_VERDICTS.get((self.aggregate or "").lower()) if self.over else None


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
        started=run.get("runner_start_timestamp") is not None,
        ended=run.get("runner_end_timestamp") is not None,
        started_at=parse_time(run.get("runner_start_timestamp")),
        finished_at=parse_time(run.get("runner_end_timestamp")),
        remark=text_field(run, "remark"),
        trigger_id=text_field(run, "trigger_id"),
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


def _status(run: _TestRun, listing: _Listing) -> tuple[Status, str | None]:
    """A run's status, and why qarun could not tell its outcome where it could not."""
    word = run.word.lower()
    if word in _FINAL_WORDS:
        return _FINAL_WORDS[word], None
    if not listing.over:
        return (Status.RUNNING if run.started else Status.QUEUED), None
    aggregate = (listing.aggregate or "").lower()
    if aggregate in _SHARED_OUTCOME:
        return _SHARED_OUTCOME[aggregate], None
    said = f"`{run.word}`" if run.word else "no word"
    return Status.ERROR, (
        f"Panto gave this run {said} for its status, and the trigger's status "
        f"`{listing.aggregate or 'none'}` does not say whether this run passed."
    )


def _apply(runs: Sequence[Run], listing: _Listing) -> list[Run]:
    """The given runs updated from a listing; a run the listing lacks waits, unless it is over."""
    statuses = {found.id: (found, *_status(found, listing)) for found in listing.runs}
    progress = Progress(
        done=sum(status.finished for _, status, _ in statuses.values()), total=len(statuses)
    )
    verdict = listing.verdict
    updated = []
    for run in runs:
        if run.id not in statuses:
            missing = run.updated(status=Status.ERROR, platform_verdict=verdict)
            updated.append(missing if listing.over else run)
            continue
        found, status, unknown = statuses[run.id]
        updated.append(
            run.updated(
                name=found.name or run.name,
                status=status,
                provider_status=found.word,
                device=found.device or run.device,
                started_at=found.started_at,
                finished_at=found.finished_at,
                message=found.remark or unknown,
                progress=progress,
                platform_verdict=verdict,
            )
        )
    return updated


def _run_ids(answer: dict[str, Any], what: str) -> list[str]:
    ids = answer.get("test_runs")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise MalformedAnswerError(f"Panto's answer to {what} has no `test_runs` list of run ids.")
    return ids


def _with_hint(error: PlatformError) -> PlatformError:
    """The trigger's error, plus which input to check when Panto names what it did not find."""
    text = str(error).lower()
    for words, hint in _TRIGGER_HINTS:
        if words in text:
            return type(error)(f"{error} {hint}", status_code=error.status_code)
    return error


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
        "Check `api-key`: Panto answers this to a missing, wrong or expired key. Pass a "
        "current key of your Panto account from a secret, e.g. "
        "`api-key: ${{ secrets.PANTO_API_KEY }}`."
    )

    # First run id of a trigger → the trigger id Panto gave its runs.
    _trigger_ids: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def parse_options(inputs: Inputs) -> PantoOptions:
        selector, tags = _selector(inputs)
        return PantoOptions(
            app_id=_app(inputs),
            selector=selector,
            tags=tags,
            devices=_devices(inputs),
            environment=_one_line(inputs, "environment", "staging"),
            context=_one_line(inputs, "context", "logged-in-user"),
        )

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

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        """Sends the trigger and nothing else: the runs' trigger id is read at the first poll."""
        what = spec.request.what
        try:
            answer = expect_object(self.client.send(spec.request), what)
        except PlatformError as error:
            raise _with_hint(error) from None
        ids = _run_ids(answer, what)
        if not ids:
            said = text_field(answer, "message") or "no message"
            raise PlatformError(
                f"Panto started no test run for {spec.label} ({said}). {_TAGS_HINT}"
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
        by_trigger: dict[str, list[Run]] = {}
        for run in runs:
            first = run.handle.first_run if isinstance(run.handle, PantoHandle) else run.id
            trigger_id = self._trigger_id(first)
            by_trigger.setdefault(trigger_id, []).append(run)
        updated = {
            run.id: run
            for trigger_id, group in by_trigger.items()
            for run in _apply(group, self._listing(trigger_id))
        }
        return [updated[run.id] for run in runs]

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
        return _Listing(tuple(_parse_run(run, what) for run in runs), text_field(answer, "status"))

"""What every platform module provides, and the pieces they share.

A provider knows its endpoints and its status words and turns them into the
shared model; it knows nothing about GitHub's runner, the summary or outputs.
The flow is: `parse_options` (at settings time, no I/O) → `plan` (the trigger
requests, pure: dry-run prints them) → `trigger` each → `poll` until finished
→ `complete` (per-test details) → optionally `rerun_failed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from qarun.errors import MalformedAnswerError, NotFoundError, input_named, with_inputs_named
from qarun.git_context import GitContext
from qarun.http import HttpClient
from qarun.inputs import Inputs
from qarun.model import Run, Status
from qarun.request import Request
from qarun.verdict import Judgment

OptionsT = TypeVar("OptionsT", bound="Options")


@dataclass(frozen=True)
class TriggerSpec:
    """One trigger request and what qarun knows of the runs it will start."""

    request: Request
    # A person's name for what is triggered: "test plan pln_abc", "suite 770e… (mobile)".
    label: str
    device: str | None = None
    # The id the trigger names (a QA.tech plan, a Qualigate suite, case or project), if any.
    target: str | None = None

    def with_payload(self, payload: Mapping[str, Any]) -> TriggerSpec:
        """The spec with the `payload` input merged into its body."""
        if not payload:
            return self
        body = merge_payload(self.request.body or {}, payload)
        return replace(self, request=replace(self.request, body=body))


@dataclass(frozen=True)
class Options:
    """A platform's inputs, parsed; each provider has its own subclass."""


class Provider(Protocol):
    """One platform. Instances are built per action run with an HTTP client."""

    name: ClassVar[str]
    title: ClassVar[str]
    default_api_url: ClassVar[str]
    # The provider-specific inputs (README, Inputs) this platform takes.
    inputs: ClassVar[frozenset[str]]
    # Added to "the platform rejected the API key" (401/403): where a valid key comes from
    # (`{project}`: how the `project` input is named; `key_advice`).
    key_help: ClassVar[str]

    @staticmethod
    def parse_options(inputs: Inputs) -> Options:
        """Parses this platform's inputs into its options; records problems on `inputs`."""
        ...

    @classmethod
    def create(
        cls, options: Options, client: HttpClient, context: GitContext, attach_context: bool
    ) -> Provider:
        """The provider for one action run, with the options its own parse_options gave."""
        ...

    @staticmethod
    def auth_headers(api_key: str) -> dict[str, str]: ...

    @staticmethod
    def rejects_key(body: Any) -> bool:
        """Whether an answer body says the key was refused, whatever its HTTP code."""
        ...

    def plan(self) -> list[TriggerSpec]:
        """The trigger requests to send, without sending anything."""
        ...

    def trigger(self, spec: TriggerSpec) -> list[Run]:
        """Sends one trigger; returns the runs it started, queued."""
        ...

    def poll(self, runs: Sequence[Run]) -> list[Run]:
        """One status check of the unfinished runs; returns every run given, updated."""
        ...

    def complete(self, runs: Sequence[Run]) -> list[Run]:
        """Adds per-test details to finished runs, once, where the platform has them."""
        ...

    def rerun_failed(self, run: Run) -> Run | None:
        """Starts a rerun of the run's failed tests; None where the platform cannot."""
        ...


@dataclass
class ProviderBase(Generic[OptionsT]):
    """State every provider holds: its options, client and the commit under test."""

    options_type: ClassVar[type[Options]]
    options: OptionsT
    client: HttpClient
    context: GitContext
    attach_context: bool = True
    # Runs some status answer has shown: a 404 for any other means "not there yet".
    seen: set[str] = field(default_factory=set)

    @classmethod
    def create(
        cls, options: Options, client: HttpClient, context: GitContext, attach_context: bool
    ) -> Self:
        if not isinstance(options, cls.options_type):
            raise TypeError(f"{cls.__name__} takes {cls.options_type.__name__}, not {options!r}")
        return cls(options, client, context, attach_context)  # type: ignore[arg-type]

    def named(self, text: str, *names: str) -> str:
        """`text` with each `{name}` of `names` named as the interface names that input: as
        its client names `api-url` (the `qarun` command's options, or the action's inputs)."""
        return with_inputs_named(text, self.client.as_options, *names)

    @staticmethod
    def rejects_key(body: Any) -> bool:
        return False

    def complete(self, runs: Sequence[Run]) -> list[Run]:
        return list(runs)

    def checked(self, run: Run, check: Callable[[], Run]) -> Run:
        """`check()`, one status check of `run`; a 404 for a run no answer has shown yet
        leaves it as it was (see `lost`)."""
        try:
            return check()
        except NotFoundError as error:
            self.lost([run], error)
            return run

    def lost(self, runs: Sequence[Run], error: NotFoundError) -> None:
        """A status check answered 404. Runs are created asynchronously (the platforms
        say so), so a run no answer has shown yet is not there yet: it is asked again,
        within the timeout. A run that was there and is gone is the platform's failure."""
        if any(run.id in self.seen for run in runs):
            raise error

    def rerun_failed(self, run: Run) -> Run | None:
        return None


def bearer(api_key: str) -> dict[str, str]:
    """The `Authorization: Bearer` header, as QA.tech and Qualigate take the key."""
    return {"Authorization": f"Bearer {api_key}"}


def merge_payload(body: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """The `payload` input merged into a trigger body: objects merge, anything else replaces."""
    merged = dict(body)
    for key, value in payload.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_payload(current, value)
        else:
            merged[key] = value
    return merged


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from a platform, in UTC (a time without a zone is taken as UTC),
    or None when absent, unreadable, or outside the years 1 to 9999 once in UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def expect_object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedAnswerError(
            f"The platform's answer to {what} is not a JSON object (got {type(data).__name__})."
        )
    return data


def text_field(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# Reads of a finished run's details while they still show it going (a copy behind the one
# that answered the status), and the pause between: looked at again, then judged as they are.
DETAIL_TRIES = 3
DETAIL_PAUSE = 1.0

# The largest count (of tests, steps, runs) qarun takes from a platform as one.
MAX_COUNT = 10**9


def int_field(data: Mapping[str, Any], key: str) -> int | None:
    """A count from a platform, or None when it is no whole number that fits (negative,
    enormous, a bool, a float)."""
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


def judged(run: Run, judgment: Judgment, message: str | None = None) -> Run:
    """The run with its verdict. Its message is the platform's own words where it gave
    some (`message`, else what the run already showed), else the sentence that says why
    the verdict is not what the run's own word says."""
    shown = judgment.status.finished and not judgment.plain and judgment.status is not Status.PASSED
    why = judgment.why if shown else None
    return run.updated(status=judgment.status, message=message or run.message or why)


def key_advice(provider: type[Provider], as_options: bool) -> str:
    """What to check when the platform rejected the key: where qarun takes it from (the action's
    `api-key`, the command's `QARUN_API_KEY`), and where a valid one comes from."""
    if as_options:
        how = "set it from your CI system's secrets"
    else:
        secret = f"{provider.name.upper()}_API_KEY"
        how = f"pass it from a secret, e.g. `api-key: ${{{{ secrets.{secret} }}}}`"
    where = input_named("api-key", as_options)
    return f"Check {where} ({how}). " + with_inputs_named(provider.key_help, as_options, "project")

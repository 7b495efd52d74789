"""What the shared tests need to know of a platform, declared once beside its fake.

Each fake module (tests/fakes/panto.py, qatech.py, qualigate.py) ends with its `CASE`;
tests/platforms.py registers them by provider name, and every contract test takes
its platforms from that registry (`tests.contract.CASES`, the `case` fixture) with no
branch on a platform's name. A new platform adds its provider module, its fake and its
`CASE`, and gets the whole contract suite (docs/development.md, Adding a platform).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.base import FakePlatform, Recorded


@dataclass(frozen=True)
class NotFound:
    """A trigger naming something the platform does not have: the fake, the inputs that name
    it, and the words the error must quote."""

    fake: Callable[[], FakePlatform]
    inputs: Mapping[str, str]
    named: str


@dataclass(frozen=True)
class ProviderCase:
    """One platform, as the contract suite drives it."""

    name: str
    title: str
    # The `with:` inputs that trigger the scenarios' runs.
    inputs: dict[str, str]
    # The fake for a shared scenario: passed, failed, mixed, never, errored.
    scenario: Callable[..., FakePlatform]
    # The fake whose trigger starts runs (or tests) from these scripts.
    with_runs: Callable[..., FakePlatform]
    trigger: tuple[str, str]
    poll_prefixes: tuple[str, ...]
    # Asserts the trigger body carries the pull request's head commit as the platform takes it.
    context_sent: Callable[[Any], None]
    # Where a valid key comes from, as the rejected-key message says it.
    key_help: str
    # How the error names a run the platform lost after showing it.
    gone_run_named: str
    # A status answer that lacks a field qarun needs, and that field's name.
    missing_field: tuple[Any, str]
    # A status answer whose word no document gives, with no sign that the run ended.
    unknown_word: Any
    not_found: NotFound
    # Every platform input of this platform, each in a wrong form (one message each, but
    # for `quiet` ones), and an input only another platform takes.
    wrong_inputs: Mapping[str, str]
    foreign_input: str
    # The fake whose run and test names (and messages) are `texts`, and its inputs.
    hostile: Callable[[Sequence[str]], tuple[FakePlatform, dict[str, str]]]
    quiet: frozenset[str] = frozenset()
    # Whether the platform's API takes the commit under test at all (Panto's takes none).
    takes_commit: bool = True
    # Whether each test is a run of its own (Panto's test suites) rather than a test inside
    # one run; and whether tests are named and counted from per-test rows.
    tests_are_runs: bool = False
    per_test_rows: bool = False
    # The points the platform's documents leave open, as the fake answers them (fakes/README.md).
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {"documented": {}})
    variant: str = "documented"
    variant_options: Mapping[str, Any] = field(default_factory=dict)
    # Whether every run has a dashboard link from its trigger on.
    run_links: bool = True
    # The variants under which the runs' own words say no outcome (Panto's one word for every
    # finished run), and whether this case is under one of them.
    hiding_variants: frozenset[str] = frozenset()
    outcomes_hidden: bool = False

    def __str__(self) -> str:
        return self.name if self.variant == "documented" else f"{self.name}: {self.variant}"

    def triggers(self, fake: FakePlatform) -> list[Recorded]:
        method, path = self.trigger
        return [r for r in fake.requests if r.method == method and r.path == path]

    def step_inputs(self, fake: FakePlatform, **given: str) -> dict[str, str]:
        """The `with:` of a step against `fake`: this platform's minimal inputs, then `given`.

        `report_file` stands for `report-file`. With `api_url` given, `fake` need not be started.
        """
        values = {"provider": self.name, "api-key": fake.api_key, **self.inputs}
        values.update({name.replace("_", "-"): value for name, value in given.items()})
        if "api-url" not in values:
            values["api-url"] = fake.url
        return values

    def polls(self, fake: FakePlatform) -> list[Recorded]:
        return [
            r
            for r in fake.requests
            if r.method == "GET" and any(r.path.startswith(p) for p in self.poll_prefixes)
        ]

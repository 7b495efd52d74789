"""Qualigate's inputs: suites, test cases and projects (UUIDs), viewports and the browser,
parsed into QualigateOptions with every problem named (the trigger body: https://qualigate.app/docs/api-reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qarun.inputs import Inputs, several_hint
from qarun.providers.base import Options

EXAMPLE_ID = "770e8400-e29b-41d4-a716-446655440000"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# At most six digits a side: a longer number is no screen, and int() refuses over 4,300.
_SIZE = re.compile(r"(\d{1,6})\s*x\s*(\d{1,6})", re.IGNORECASE)
_BROWSER = re.compile(r"[A-Za-z0-9._-]+")
PRESETS = ("desktop", "tablet", "mobile")


@dataclass(frozen=True)
class IdKind:
    """What an id names: the input it comes from, its trigger body field, and a noun."""

    input: str
    field: str
    noun: str


SUITE = IdKind("suite", "test_suite_id", "test suite")
TEST_CASE = IdKind("test-case", "test_case_id", "test case")
PROJECT = IdKind("project", "project_id", "project")
KINDS = (SUITE, TEST_CASE, PROJECT)


@dataclass(frozen=True)
class Target:
    kind: IdKind
    id: str

    @property
    def label(self) -> str:
        return f"{self.kind.noun} {self.id}"


@dataclass(frozen=True)
class Viewport:
    """A preset (`mobile`) or a size in pixels (`1280x720`)."""

    preset: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def label(self) -> str:
        return self.preset or f"{self.width}x{self.height}"

    def body(self) -> dict[str, Any]:
        if self.preset is not None:
            return {"viewportPreset": self.preset}
        return {"viewportWidth": self.width, "viewportHeight": self.height}


@dataclass(frozen=True)
class QualigateOptions(Options):
    targets: tuple[Target, ...]
    viewports: tuple[Viewport, ...] = ()
    browser: str | None = None


def _parse_ids(inputs: Inputs, kind: IdKind) -> list[Target]:
    targets: list[Target] = []
    for item in inputs.items(kind.input):
        if not _UUID.fullmatch(item):
            hint = several_hint(item, _UUID.fullmatch)
            inputs.problem(
                kind.input,
                f"`{item}` is not a Qualigate {kind.noun} id{hint}; write its UUID, "
                f"e.g. `{EXAMPLE_ID}`.",
            )
        elif any(target.id.lower() == item.lower() for target in targets):
            inputs.problem(kind.input, f"`{item}` is listed twice; list each id once.")
        else:
            targets.append(Target(kind, item))
    return targets


def _parse_viewports(inputs: Inputs) -> tuple[Viewport, ...]:
    viewports: list[Viewport] = []
    for item in inputs.items("devices"):
        viewport = _viewport(item)
        if viewport is None:
            inputs.problem(
                "devices",
                f"`{item}` is not a viewport{several_hint(item, _viewport)}; write `desktop`, "
                "`tablet`, `mobile` or a size in pixels like `1280x720`, one per line.",
            )
        elif viewport in viewports:
            inputs.problem("devices", f"`{item}` is listed twice; list each viewport once.")
        else:
            viewports.append(viewport)
    return tuple(viewports)


def _viewport(item: str) -> Viewport | None:
    if item.lower() in PRESETS:
        return Viewport(preset=item.lower())
    size = _SIZE.fullmatch(item)
    if size is None:
        return None
    width, height = int(size.group(1)), int(size.group(2))
    if width < 1 or height < 1:
        return None
    return Viewport(width=width, height=height)


def _parse_browser(inputs: Inputs) -> str | None:
    browser = inputs.text("browser")
    if not browser:
        return None
    if not _BROWSER.fullmatch(browser):
        inputs.problem(
            "browser",
            f"`{browser}` is not a browser engine name; write one word, e.g. `chromium` "
            "(the platform's default).",
        )
        return None
    return browser


def parse(inputs: Inputs) -> QualigateOptions:
    """Qualigate's options; problems are recorded on `inputs`."""
    targets = tuple(target for kind in KINDS for target in _parse_ids(inputs, kind))
    if not targets and not any(inputs.text(kind.input) for kind in KINDS):
        inputs.problem(
            SUITE.input,
            f"Qualigate needs at least one of {inputs.named('suite')}, "
            f"{inputs.named('test-case')} or {inputs.named('project')}; "
            f"e.g. {inputs.example('suite', EXAMPLE_ID)}.",
        )
    return QualigateOptions(
        targets=targets, viewports=_parse_viewports(inputs), browser=_parse_browser(inputs)
    )

"""Panto AI's inputs: the tag selector, devices, build, environment and context, parsed into
PantoOptions with every problem named (the trigger body: https://docs.getpanto.ai/qa-platform/integrations/test-suite-api)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from qarun.inputs import Inputs, split_items
from qarun.providers.base import Options

INCLUDE = "include"
EXCLUDE = "exclude"

_DEVICE_LINE = re.compile(
    r"(?:(?P<platform>[A-Za-z][\w.-]*)\s*:)?\s*(?P<name>[^:@]+?)\s*@\s*(?P<version>[^:@\s]+)"
)
_DEVICE_KEYS = frozenset({"device_name", "platform_version", "platform"})
_APP_ID = re.compile(r"[^\s,]+")


def tags_example(inputs: Inputs, name: str = "tags") -> str:
    """Quoted as they must be when pasted after `tags:` on one line (YAML would read them
    otherwise), or after `--tags` in a shell."""
    return (
        f"`'suite: smoke, checkout'` ({inputs.per_line(name, 'tag')}) or "
        '`\'{"suite": ["smoke", "checkout"]}\'`'
    )


def devices_example(inputs: Inputs) -> str:
    """As `tags_example`, for `devices`."""
    return (
        f"`'android: Pixel 8 @ 14'` ({inputs.per_line('devices', 'device')}) or "
        '`\'[{"device_name": "Pixel 8", "platform_version": "14", "platform": "android"}]\'`'
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
            f"Panto takes either {inputs.named('tags')} or {inputs.named('exclude-tags')}, not "
            f"both; keep one, e.g. {inputs.example('tags', repr('suite: smoke'))}.",
        )
    elif not include and not exclude:
        inputs.problem(
            "tags",
            f"is required for panto (or {inputs.named('exclude-tags')}); write "
            f"{tags_example(inputs)}.",
        )
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
                f"{tags_example(inputs, name)}.",
            )
        elif not colon or not tag:
            inputs.problem(
                name, f"`{line}` is not `name: value1, value2`; write {tags_example(inputs, name)}."
            )
        elif not values:
            inputs.problem(name, f"tag `{tag}` has no values; write {tags_example(inputs, name)}.")
        else:
            # The same tag on two lines adds values rather than replacing them.
            tags[tag] = tags.get(tag, ()) + tuple(values)
    return tags


def _tags_from_json(inputs: Inputs, name: str) -> dict[str, tuple[str, ...]]:
    value = inputs.json_value(name, tags_example(inputs, name))
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        inputs.problem(
            name, f"must name at least one tag and its values; write {tags_example(inputs, name)}."
        )
        return {}
    tags: dict[str, tuple[str, ...]] = {}
    for tag, values in value.items():
        if not tag or not _strings(values):
            inputs.problem(
                name,
                f"tag `{tag}` must map to a list of values (strings); write "
                f"{tags_example(inputs, name)}.",
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
        inputs.problem("devices", f"is required for panto; write {devices_example(inputs)}.")
        return ()
    if raw.startswith("["):
        items = inputs.json_value("devices", devices_example(inputs))
        if items is None:
            return ()
        if not isinstance(items, list) or not items:
            inputs.problem(
                "devices", f"must list at least one device; write {devices_example(inputs)}."
            )
            return ()
        parsed = [_device_from_json(item, index) for index, item in enumerate(items, 1)]
    else:
        parsed = [_device_from_line(item) for item in inputs.items("devices")]
    for problem in (entry for entry in parsed if isinstance(entry, str)):
        inputs.problem("devices", f"{problem}; write {devices_example(inputs)}.")
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
    # Panto stores device names (and platforms) in lowercase: its run objects show them so
    # (https://docs.getpanto.ai/qa-platform/integrations/get-test-run-by-id-api).
    return PantoDevice(
        name=" ".join(name.split()).lower(),
        version=version.strip(),
        platform=platform.strip().lower() if platform else None,
    )


def parse(inputs: Inputs) -> PantoOptions:
    """Panto's options; problems are recorded on `inputs`."""
    selector, tags = _selector(inputs)
    return PantoOptions(
        app_id=_app(inputs),
        selector=selector,
        tags=tags,
        devices=_devices(inputs),
        environment=_one_line(inputs, "environment", "staging"),
        context=_one_line(inputs, "context", "logged-in-user"),
    )

"""QA.tech's inputs: test plans, applications, environment, device preset and project, parsed
into QatechOptions with every problem named (the Start Run body: https://docs.qa.tech/api-reference/start-run)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qarun.inputs import Inputs, several_hint
from qarun.providers.base import Options
from qarun.urls import is_http_url


def short_id_pattern(prefix: str) -> re.Pattern[str]:
    """QA.tech's short-id shape (`^pln(-.+_.+|_.+)$`), without whitespace: ids never hold any."""
    return re.compile(rf"{prefix}(-\S+_\S+|_\S+)")


PLAN_ID = short_id_pattern("pln")
APP_ID = short_id_pattern("app")
ENV_ID = short_id_pattern("env")
PRESET_ID = short_id_pattern("preset")
PROJECT_ID = short_id_pattern("proj")


@dataclass(frozen=True)
class Environment:
    """An `applications[].environment` override: an existing env, or a preview URL."""

    short_id: str | None = None
    url: str | None = None
    name: str | None = None

    def as_body(self) -> dict[str, str]:
        if self.short_id is not None:
            return {"shortId": self.short_id}
        body = {"url": self.url or ""}
        if self.name:
            body["name"] = self.name
        return body


@dataclass(frozen=True)
class QatechOptions(Options):
    # Empty: one run of the project's default test plan.
    plans: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    environment: Environment | None = None
    device_preset: str | None = None
    # Organization-scoped keys name the project (`projectShortId`); project keys imply it.
    project: str | None = None


def _short_ids(
    inputs: Inputs, name: str, pattern: re.Pattern[str], what: str, example: str
) -> tuple[str, ...]:
    ids: list[str] = []
    for item in inputs.items(name):
        if not pattern.fullmatch(item):
            hint = several_hint(item, pattern.fullmatch)
            inputs.problem(name, f"`{item}` is not {what}{hint}; write `{example}`.")
        elif item in ids:
            inputs.problem(name, f"`{item}` is listed twice; list each id once.")
        else:
            ids.append(item)
    return tuple(ids)


def _device_preset(inputs: Inputs) -> str | None:
    presets = _short_ids(inputs, "devices", PRESET_ID, "a device preset short id", "preset_abc123")
    if len(presets) > 1:
        inputs.problem(
            "devices",
            f"takes one device preset short id for QA.tech, applied to every "
            f"{inputs.named('app')}; e.g. `preset_abc123`.",
        )
    return presets[0] if presets else None


def _environment(inputs: Inputs) -> Environment | None:
    raw = inputs.text("environment")
    name = inputs.text("environment-name") or None
    if not raw:
        if name:
            inputs.problem(
                "environment-name",
                f"names a preview environment, so it needs {inputs.named('environment')} set "
                f"to its URL{_and_app(inputs)}; e.g. "
                f"{inputs.example('environment', 'https://pr-42.preview.example.com')}.",
            )
        return None
    if ENV_ID.fullmatch(raw):
        if name:
            inputs.problem(
                "environment-name",
                f"applies to a preview URL only; `{raw}` is an existing environment, which "
                f"keeps its own name: remove {inputs.named('environment-name')}.",
            )
        return Environment(short_id=raw)
    if is_http_url(raw):
        return Environment(url=raw, name=name)
    inputs.problem(
        "environment",
        f"`{raw}` is neither an environment short id nor an http(s) URL; write `env_aB3xY9` "
        "or `https://pr-42.preview.example.com`.",
    )
    return None


def _and_app(inputs: Inputs) -> str:
    """The other input an environment needs, said at once where it is missing too."""
    if inputs.text("app"):
        return ""
    return f", and {inputs.named('app')} (QA.tech takes environments per application)"


def _project(inputs: Inputs) -> str | None:
    projects = _short_ids(inputs, "project", PROJECT_ID, "a project short id", "proj_abc123")
    if len(projects) > 1:
        inputs.problem("project", "takes one project short id; e.g. `proj_abc123`.")
    return projects[0] if projects else None


def _require_app(inputs: Inputs, options: QatechOptions) -> None:
    """QA.tech takes environments and device presets per application."""
    if options.apps or inputs.text("app"):  # a malformed `app` has its own message
        return
    for name in ("environment", "devices"):
        if inputs.text(name):
            inputs.problem(
                name,
                f"applies to applications, so it needs {inputs.named('app')} too; e.g. "
                f"{inputs.example('app', 'app_gXeBl2')}.",
            )


def parse(inputs: Inputs) -> QatechOptions:
    """QA.tech's options; problems are recorded on `inputs`."""
    options = QatechOptions(
        plans=_short_ids(inputs, "suite", PLAN_ID, "a test plan short id", "pln_abc123"),
        apps=_short_ids(inputs, "app", APP_ID, "an application short id", "app_gXeBl2"),
        environment=_environment(inputs),
        device_preset=_device_preset(inputs),
        project=_project(inputs),
    )
    _require_app(inputs, options)
    return options

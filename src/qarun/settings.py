"""The step's inputs, validated into one frozen Settings before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qarun import manifest
from qarun.inputs import COMMAND_LINE, Inputs, split_items
from qarun.model import Status
from qarun.providers import PROVIDERS, provider_inputs, takers
from qarun.providers.base import Options
from qarun.urls import is_http_url, is_safe_url

FAIL_ON_WORDS = ("failed", "error", "timeout", "canceled", "skipped")
MAX_RERUNS = 5
MIN_TIMEOUT = 1.0
MIN_POLL_INTERVAL = 0.1
# The longest a GitHub job runs (5 days, on a self-hosted runner); longer waits overflow timers.
MAX_DURATION = 5 * 24 * 3600.0


@dataclass(frozen=True)
class ReportTargets:
    """Where the results go: what the report package needs of the settings."""

    workspace: Path
    report_file: Path | None = None
    junit_file: Path | None = None
    output_filter: str | None = None
    summary: bool = True


@dataclass(frozen=True)
class Settings:
    provider: str
    api_key: str = field(repr=False)
    api_url: str
    options: Options | None
    payload: Mapping[str, Any] = field(default_factory=dict)
    attach_context: bool = True
    rerun_failed: int = 0
    wait_for_url: str | None = None
    wait: bool = True
    timeout: float = 1800.0
    poll_interval: float = 10.0
    fail_on: frozenset[Status] = frozenset(
        {Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CANCELED}
    )
    summary: bool = True
    report_file: Path | None = None
    junit_file: Path | None = None
    output_filter: str | None = None
    github_token: str = field(default="", repr=False)
    commit_status: bool = False
    pr_comment: bool = False
    dry_run: bool = False
    workspace: Path = Path()

    @property
    def targets(self) -> ReportTargets:
        return ReportTargets(
            workspace=self.workspace,
            report_file=self.report_file,
            junit_file=self.junit_file,
            output_filter=self.output_filter,
            summary=self.summary,
        )


def load_settings(env: Mapping[str, str]) -> Settings:
    """Reads every input from the environment; raises InputError listing every problem."""
    inputs = Inputs.from_env(env, list(manifest.inputs()))
    if inputs.as_options:
        for name, message in json.loads(env.get(COMMAND_LINE) or "[]"):
            inputs.problem(name, message)
    return build_settings(inputs, Path(env.get("GITHUB_WORKSPACE") or "."))


def report_targets(env: Mapping[str, str]) -> ReportTargets:
    """`report-file` and `junit-file`, read on their own: with bad input elsewhere, the
    reports still go where the step asked."""
    inputs = Inputs.from_env(env, ["report-file", "junit-file"])
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    return ReportTargets(
        workspace=workspace,
        report_file=_path(inputs, "report-file", workspace),
        junit_file=_path(inputs, "junit-file", workspace),
    )


def build_settings(inputs: Inputs, workspace: Path) -> Settings:
    provider_name = _provider(inputs)
    api_key = _api_key(inputs)
    provider = PROVIDERS.get(provider_name)
    options: Options | None = None
    api_url = ""
    if provider is not None:
        _reject_foreign_inputs(inputs, provider_name)
        options = provider.parse_options(inputs)
        api_url = _api_url(inputs, provider.default_api_url)

    settings = Settings(
        provider=provider_name,
        api_key=api_key,
        api_url=api_url,
        options=options,
        payload=_payload(inputs),
        attach_context=inputs.boolean("attach-context", True),
        # Not checked for a provider that does not take it: that is said once, above.
        rerun_failed=inputs.count("rerun-failed", 0, maximum=MAX_RERUNS)
        if provider is not None and "rerun-failed" in provider.inputs
        else 0,
        wait_for_url=_wait_for_url(inputs),
        wait=inputs.boolean("wait", True),
        timeout=inputs.duration("timeout", 1800.0, minimum=MIN_TIMEOUT, maximum=MAX_DURATION),
        poll_interval=inputs.duration(
            "poll-interval", 10.0, minimum=MIN_POLL_INTERVAL, maximum=MAX_DURATION
        ),
        fail_on=_fail_on(inputs),
        summary=inputs.boolean("summary", True),
        report_file=_path(inputs, "report-file", workspace),
        junit_file=_path(inputs, "junit-file", workspace),
        output_filter=_output_filter(inputs),
        github_token=inputs.text("github-token"),
        commit_status=inputs.boolean("commit-status", False),
        pr_comment=inputs.boolean("pr-comment", False),
        dry_run=inputs.boolean("dry-run", False),
        workspace=workspace,
    )
    _files_apart(inputs, settings)
    inputs.raise_problems()
    return settings


def _api_key(inputs: Inputs) -> str:
    api_key = inputs.text("api-key")
    if not api_key:
        inputs.problem(
            "api-key",
            "is required: set this environment variable to the platform's key (from your CI "
            "system's secrets); the command takes no key option, which would show in the "
            "process list."
            if inputs.as_options
            else "is required; pass the platform's key from a secret, e.g. "
            "`api-key: ${{ secrets.QA_API_KEY }}`.",
        )
    return api_key


def _files_apart(inputs: Inputs, settings: Settings) -> None:
    if settings.report_file is not None and settings.report_file == settings.junit_file:
        inputs.problem(
            "junit-file",
            f"names the same file as {inputs.named('report-file')} "
            f"({inputs.text('junit-file')}); the JUnit file would overwrite the JSON report. "
            f"Give each its own path, e.g. {inputs.example('report-file', 'qa/report.json')} "
            f"and {inputs.example('junit-file', 'qa/junit.xml')}.",
        )


def _provider(inputs: Inputs) -> str:
    name = inputs.text("provider").lower()
    accepted = ", ".join(f"`{p}`" for p in PROVIDERS)
    if not name:
        inputs.problem("provider", f"is required; write one of {accepted}.")
    elif name not in PROVIDERS:
        inputs.problem(
            "provider", f"`{inputs.text('provider')}` is not known; write one of {accepted}."
        )
    return name


def _reject_foreign_inputs(inputs: Inputs, provider: str) -> None:
    for name in sorted(provider_inputs() - PROVIDERS[provider].inputs):
        if inputs.given(name, manifest.inputs()[name].default):
            who = " and ".join(f"`{p}`" for p in takers(name))
            drop = "leave it out" if inputs.as_options else "remove it from `with:`"
            inputs.problem(name, f"applies to provider {who} only, not `{provider}`; {drop}.")


def _url(inputs: Inputs, name: str, valid: Callable[[str], bool], form: str) -> str | None:
    """A URL input where given and `valid`; else None, with a problem saying `form`."""
    raw = inputs.text(name)
    if raw and not valid(raw):
        inputs.problem(name, f"`{raw}` {form}")
        return None
    return raw or None


def _api_url(inputs: Inputs, default: str) -> str:
    form = (
        "must be an `https://` URL (plain `http://` only for 127.0.0.1, ::1 or localhost); "
        f"e.g. `{default}`."
    )
    url = _url(inputs, "api-url", is_safe_url, form)
    return url.rstrip("/") if url else default


def _payload(inputs: Inputs) -> Mapping[str, Any]:
    if not inputs.text("payload"):
        return {}
    value = inputs.json_value(
        "payload", '`{"notifications": [{"type": "slack", "channel": "C0478"}]}`'
    )
    if value is None:
        return {}
    if not isinstance(value, dict):
        inputs.problem("payload", 'must be a JSON object, e.g. `{"browserType": "firefox"}`.')
        return {}
    return value


def _wait_for_url(inputs: Inputs) -> str | None:
    form = "is not an http(s) URL; e.g. `https://pr-42.preview.example.com`."
    return _url(inputs, "wait-for-url", is_http_url, form)


def _fail_on(inputs: Inputs) -> frozenset[Status]:
    default = manifest.inputs()["fail-on"].default
    raw = inputs.text("fail-on") or default
    given = split_items(raw)
    words = [word.lower() for word in given]
    if words == ["none"]:
        return frozenset()
    # Quoted back as given: `Failed, Sucess` says `Sucess`, not `sucess`.
    unknown = [word for word in given if word.lower() not in FAIL_ON_WORDS]
    if unknown or not words:
        accepted = ", ".join(f"`{word}`" for word in FAIL_ON_WORDS)
        inputs.problem(
            "fail-on",
            f"{', '.join(f'`{w}`' for w in unknown) or 'an empty list'} is not accepted; "
            f"write any of {accepted} (e.g. `failed,error`), or `none` alone.",
        )
        return frozenset(Status(word) for word in split_items(default))
    return frozenset(Status(word) for word in words)


def _path(inputs: Inputs, name: str, workspace: Path) -> Path | None:
    raw = inputs.text(name)
    if not raw:
        return None
    if "\0" in raw:
        # No file system takes it: said as bad input, not found out while writing.
        inputs.problem(name, "holds a NUL character; write a plain path, e.g. `qa/report.json`.")
        return None
    path = Path(raw)
    return path if path.is_absolute() else workspace / path


def _output_filter(inputs: Inputs) -> str | None:
    program = inputs.text("output-filter")
    if not program:
        return None
    import jq  # imported only when a filter is given: a compiled extension

    try:
        jq.compile(program)
    except ValueError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "syntax error"
        inputs.problem(
            "output-filter", f"is not a valid jq program ({first_line}); e.g. `.counts.failed`."
        )
        return None
    return program

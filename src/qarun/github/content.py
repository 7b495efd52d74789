"""What qarun sends to GitHub, rendered without I/O: status fields and the comment body."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

from qarun.model import Outcome, Run, Status
from qarun.report.summary import render_summary
from qarun.text import clip
from qarun.urls import is_http_url
from qarun.verdict import worst

# GitHub answers 422 "description is too long (maximum is 140 characters)".
MAX_DESCRIPTION = 140
# GitHub answers 422 "Body is too long" above 65,536 characters. The summary is cut in
# UTF-8 bytes, never fewer than characters, and the marker line is the rest.
MAX_COMMENT = 65_536
COMMENT_SUMMARY_BYTES = MAX_COMMENT - 1_024
NAME_CHARS = 80

# A run's own result; timeout, canceled and unfinished runs gave no verdict on the code.
STATE_OF: dict[Status, str] = {
    Status.PASSED: "success",
    Status.SKIPPED: "success",
    Status.FAILED: "failure",
}
HEADLINE: dict[Status, str] = {
    Status.PASSED: "Passed",
    Status.FAILED: "Failed",
    Status.ERROR: "Error",
    Status.TIMEOUT: "Timed out",
    Status.CANCELED: "Canceled",
    Status.SKIPPED: "Skipped",
}
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int) -> str:
    """Plain text on one line, cut to `limit` characters with an ellipsis."""
    return clip(_SPACES.sub(" ", _CONTROL.sub(" ", text)).strip(), limit)


# --- commit statuses --------------------------------------------------------------------


def status_contexts(provider: str, runs: Sequence[Run], taken: Iterable[str] = ()) -> list[str]:
    """One `context` per run, unique: "qarun/qatech: Checkout regression (pixel 8)".

    Built from what a run is called, never its id, so a re-run of the workflow
    updates the same statuses instead of adding new ones. Runs that share a
    name and device get " #2", " #3" in trigger order.
    """
    used = set(taken)
    contexts = []
    for run in runs:
        base = f"qarun/{provider}: {one_line(run.name, NAME_CHARS)}"
        if run.device and run.device not in run.name:
            base += f" ({one_line(run.device, NAME_CHARS)})"
        context, number = base, 1
        while context in used:
            number += 1
            context = f"{base} #{number}"
        used.add(context)
        contexts.append(context)
    return contexts


def final_state(run: Run) -> str:
    """The run's own outcome, no better than the platform's aggregate over it (a status a
    branch protection rule may require must not say success where the step failed)."""
    return STATE_OF.get(worst([run.status, run.platform_verdict or run.status]), "error")


def pending_description(run: Run, title: str, *, waiting: bool) -> str:
    if not waiting:
        text = f"Started on {title}; qarun does not wait for it (wait: false)"
    elif run.attempt > 1:
        text = f"Rerunning the failed tests on {title} (attempt {run.attempt})"
    else:
        text = f"{run.status.value.capitalize()} on {title}"
    return one_line(text, MAX_DESCRIPTION)


def final_description(run: Run, outcome: Outcome) -> str:
    """The run's result in a sentence: "Failed: 1 of 2 tests passed – Login button missing"."""
    if not run.finished:
        if outcome.canceled:
            why = "the job was canceled"
        elif outcome.timed_out:
            why = "qarun's timeout ran out"
        else:
            why = "qarun stopped waiting (see the job log)"
        return one_line(f"Still {run.status.value} when {why}", MAX_DESCRIPTION)
    counts = run.counts()
    noun = "test" if counts.total == 1 else "tests"
    text = f"{HEADLINE[run.status]}: {counts.passed} of {counts.total} {noun} passed"
    if run.attempt > 1:
        text += f" on attempt {run.attempt}"
    if run.status is not Status.PASSED and run.message:
        text += f" – {run.message}"
    return one_line(text, MAX_DESCRIPTION)


def target_url(run: Run, fallback: str | None) -> str | None:
    """The run's page on the platform when it is an http(s) URL, else the workflow run."""
    for url in (run.url, fallback):
        if url and is_http_url(url.strip()):
            return url
    return None


# --- the pull-request comment -------------------------------------------------------------


# Each CI system's name for the job (the same on every run of it): GitLab's CI_JOB_NAME,
# CircleCI's CIRCLE_JOB, Jenkins' JOB_NAME, Azure's System.JobName, Buildkite's step key
# (or label); Bitbucket names none.
CI_JOB_NAMES = (
    "CI_JOB_NAME",
    "CIRCLE_JOB",
    "JOB_NAME",
    "SYSTEM_JOBNAME",
    "BUILDKITE_STEP_KEY",
    "BUILDKITE_LABEL",
)


def comment_marker(env: Mapping[str, str], provider: str, plan: Iterable[str]) -> str:
    """The hidden first line that finds this step's comment again on later runs.

    It names the workflow, job, step and provider, so two qarun steps keep two
    comments, plus a digest of what is triggered (suites, devices), so legs of
    a matrix keep one each: the runner does not pass the matrix values to the
    container. Re-runs and new pushes to the pull request keep all of these.
    """
    digest = hashlib.sha256("\n".join(plan).encode()).hexdigest()[:10]
    # Outside GitHub Actions, the CI system's own job name tells its jobs apart.
    job = next((env[name] for name in ("GITHUB_JOB", *CI_JOB_NAMES) if env.get(name)), "")
    parts = [env.get("GITHUB_WORKFLOW", ""), job, env.get("GITHUB_ACTION", ""), provider, digest]
    # Percent-encoded: a workflow named "a --> b" cannot end the HTML comment early.
    return "<!-- qarun:" + "/".join(quote(part, safe=" ") for part in parts) + " -->"


def comment_body(outcome: Outcome, marker: str) -> str:
    """The marker, then the job summary: the verdict, the run table and the links."""
    return f"{marker}\n{render_summary(outcome, max_bytes=COMMENT_SUMMARY_BYTES)}"

"""One description per platform, so the end-to-end contract suite runs the same checks on each.

A new platform joins the suite by adding a ProviderCase here: its minimal inputs,
how to build its fake for a scenario or for given run scripts, where its trigger
and status requests go, and what "the PR context was sent" means for it.
The suites also share `only()`, one platform by name, and `failing()`, a failing run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from tests.fakes import panto, qatech, qualigate
from tests.fakes.base import FakePlatform, Recorded, RunScript, TestScript
from tests.harness import HEAD_SHA

# The message of the failed test in `failing()`'s run, and of the run itself.
FAILURE = "Could not find login button"


@dataclass(frozen=True)
class ProviderCase:
    name: str
    title: str
    inputs: dict[str, str]
    scenario: Callable[[str], FakePlatform]
    with_runs: Callable[[Sequence[RunScript]], FakePlatform]
    trigger: tuple[str, str]
    poll_prefixes: tuple[str, ...]
    context_sent: Callable[[Any], None]
    # Whether each test (not only each run) is named and counted from per-test rows.
    per_test_rows: bool = False
    # The points the platform's documents leave open, as the fake answers them (fakes/README.md).
    variant: str = "documented"
    variant_options: Mapping[str, Any] = field(default_factory=dict)
    # Whether every run has a dashboard link from its trigger on (a Qualigate suite has none).
    run_links: bool = True
    # Under this variant the runs' words say no outcome: a trigger that mixed passes and
    # failures leaves each run's own outcome unknown (Panto's one word for every finished run).
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


def _panto_context(body: Any) -> None:
    # Panto's API takes no PR context: nothing beyond its documented fields is sent.
    assert set(body) <= {"app_id", "tags", "devices", "env_name", "context_name"}


def _qatech_context(body: Any) -> None:
    assert body["trigger"] == "GITHUB"
    assert body["commitHash"] == HEAD_SHA
    assert body["branch"] == "feature-x"
    assert body["repository"] == "octo/shop"
    assert body["actor"] == "mona"


def _qualigate_context(body: Any) -> None:
    context = body["context"]
    assert context["sha"] == HEAD_SHA
    assert context["branch"] == "feature-x"
    assert context["pr_number"] == "42"
    assert context["pr_url"] == "https://github.com/octo/shop/pull/42"
    assert context["repository"] == "octo/shop"
    assert context["source"] == "github-actions"


def _qatech_with_runs(runs: Sequence[RunScript], **variant: Any) -> FakePlatform:
    return qatech.QatechFake(plans={qatech.SCENARIO_PLAN: runs[0]}, **variant)


CASES = [
    ProviderCase(
        name="panto",
        title="Panto AI",
        inputs=dict(panto.SCENARIO_INPUTS),
        scenario=panto.scenario,
        with_runs=lambda runs, **variant: panto.PantoFake(list(runs), **variant),
        trigger=("POST", panto.TRIGGER_PATH),
        poll_prefixes=("/api/v1/qa/external/test-runs-by-trigger/",),
        context_sent=_panto_context,
        run_links=False,  # Panto documents no run URL
    ),
    ProviderCase(
        name="qatech",
        title="QA.tech",
        inputs={"suite": qatech.SCENARIO_PLAN},
        scenario=qatech.scenario,
        with_runs=_qatech_with_runs,
        trigger=("POST", qatech.PREFIX + "/run"),
        poll_prefixes=(qatech.PREFIX + "/run/",),
        context_sent=_qatech_context,
        per_test_rows=True,
    ),
    ProviderCase(
        name="qualigate",
        title="Qualigate",
        inputs=dict(qualigate.SCENARIO_INPUTS),
        scenario=qualigate.scenario,
        with_runs=lambda runs, **variant: qualigate.QualigateFake(list(runs), **variant),
        trigger=("POST", qualigate.TRIGGER),
        poll_prefixes=(qualigate.TRIGGER, qualigate.RESULTS),
        context_sent=_qualigate_context,
        per_test_rows=True,
        run_links=False,  # a suite run has no dashboard page
    ),
]

# Qualigate's project trigger: one test run per test case, polled together through /results,
# whose answers for runs still going the documents leave open.
QUALIGATE_PROJECT = replace(
    CASES[2], inputs={"project": qualigate.PROJECT_ID}, run_links=True, per_test_rows=False
)


_VARIANTS: dict[str, Mapping[str, Mapping[str, Any]]] = {
    "panto": panto.VARIANTS,
    "qatech": qatech.VARIANTS,
    "qualigate": qualigate.VARIANTS,
}


def _under(case: ProviderCase, variant: str, options: Mapping[str, Any]) -> ProviderCase:
    target = "" if case.inputs == CASES[2].inputs or case.name != "qualigate" else " (project)"
    return replace(
        case,
        variant=variant + target,
        variant_options=options,
        scenario=partial(case.scenario, **options),
        with_runs=partial(case.with_runs, **options),
        outcomes_hidden=options.get("words") == "completed",
    )


# Every platform under every variant its documents allow: the verdict tests run on each.
VARIANT_CASES = [
    _under(case, variant, options)
    for case in (*CASES, QUALIGATE_PROJECT)
    for variant, options in _VARIANTS[case.name].items()
]


def only(name: str) -> ProviderCase:
    """One platform, for what qarun does alike for all (the others share the code path)."""
    (found,) = [c for c in CASES if c.name == name]
    return found


def failing(duration: float = 0.6) -> list[RunScript]:
    """One run that fails after `duration` seconds, with one failed test of two."""
    tests = (TestScript("Login flow", "failed", FAILURE), TestScript("Cart"))
    return [RunScript("Checkout regression", "failed", duration, message=FAILURE, tests=tests)]

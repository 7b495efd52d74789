"""The platforms the end-to-end contract suite runs the same checks on, from the registry.

Each platform declares what the suite needs of it once, beside its fake (tests/case.py,
tests/platforms.py). The suites also share `only()`, one platform by name, `failing()`, a
failing run, and VARIANT_CASES, every platform under every reading of its documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from tests.case import ProviderCase
from tests.fakes import qualigate
from tests.fakes.base import RunScript, TestScript
from tests.platforms import PLATFORMS

# The suites name the platform's type from here too.
__all__ = [
    "CASES",
    "FAILURE",
    "QUALIGATE_PROJECT",
    "VARIANT_CASES",
    "ProviderCase",
    "failing",
    "only",
]

# The message of the failed test in `failing()`'s run, and of the run itself.
FAILURE = "Could not find login button"


# Every registered platform, each declared beside its fake (tests/case.py).
CASES = list(PLATFORMS.values())


# Qualigate's project trigger: one test run per test case, polled together through /results,
# whose answers for runs still going the documents leave open.
QUALIGATE_PROJECT = replace(
    qualigate.CASE,
    inputs={"project": qualigate.PROJECT_ID},
    run_links=True,
    per_test_rows=False,
)


def _under(case: ProviderCase, variant: str, options: Mapping[str, Any]) -> ProviderCase:
    target = " (project)" if case is QUALIGATE_PROJECT else ""
    return replace(
        case,
        variant=variant + target,
        variant_options=options,
        scenario=partial(case.scenario, **options),
        with_runs=partial(case.with_runs, **options),
        outcomes_hidden=variant in case.hiding_variants,
    )


# Every platform under every variant its documents allow: the verdict tests run on each.
VARIANT_CASES = [
    _under(case, variant, options)
    for case in (*CASES, QUALIGATE_PROJECT)
    for variant, options in case.variants.items()
]


def only(name: str) -> ProviderCase:
    """One platform, for what qarun does alike for all (the others share the code path)."""
    (found,) = [c for c in CASES if c.name == name]
    return found


def failing(duration: float = 0.6) -> list[RunScript]:
    """One run that fails after `duration` seconds, with one failed test of two."""
    tests = (TestScript("Login flow", "failed", FAILURE), TestScript("Cart"))
    return [RunScript("Checkout regression", "failed", duration, message=FAILURE, tests=tests)]

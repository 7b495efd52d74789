"""A fourth platform, proven: ToyQA (tests/toyqa), written only for the tests, registers
its provider with qarun and its declaration with the contract suite, and the whole contract
suite runs on it unchanged.

The suite runs in a pytest of its own, with `-p tests.toyqa.plugin` (the registration must
come before the tests are collected), selecting ToyQA's cases: every test that takes the
`case` fixture in the in-process tier. The process and container tiers are about qarun as a
process and an image, not about a platform; they start qarun anew, which knows only its own
three platforms.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.harness import ROOT

# The contract suite: every file whose tests take the `case` fixture.
CONTRACT = [
    "tests/test_e2e.py",
    "tests/test_faults.py",
    "tests/test_bad_input.py",
    "tests/test_hostile_text.py",
    "tests/test_limits.py",
    "tests/test_secrets.py",
    "tests/test_github.py",
    "tests/test_variants.py",
]


@pytest.mark.process
def test_the_whole_contract_suite_runs_on_a_fourth_platform() -> None:
    command = [
        sys.executable, "-m", "pytest", "-p", "tests.toyqa.plugin", "-p", "no:randomly",
        "-p", "no:cacheprovider", "-m", "not docker and not process", "-k", "toyqa",
        *CONTRACT,
    ]  # fmt: skip
    done = subprocess.run(
        command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    passed = re.search(r"(\d+) passed", log)
    assert passed is not None, log[-4000:]
    # Every contract test that takes `case` ran on ToyQA, in each file.
    assert int(passed.group(1)) >= 45, log[-4000:]
    assert "failed" not in log.splitlines()[-1], log[-4000:]


def test_without_the_plugin_no_test_is_toyqas() -> None:
    from tests.contract import CASES

    assert "toyqa" not in [case.name for case in CASES]

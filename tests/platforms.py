"""The platforms the contract suite runs on, by provider name: each declared beside its fake
(tests/case.py). A platform written for the tests alone joins with `register`."""

from __future__ import annotations

from tests.case import ProviderCase
from tests.fakes import panto, qatech, qualigate

PLATFORMS: dict[str, ProviderCase] = {
    case.name: case for case in (panto.CASE, qatech.CASE, qualigate.CASE)
}


def register(case: ProviderCase) -> None:
    """Adds a platform to the contract suite (before the tests are collected)."""
    PLATFORMS[case.name] = case

"""`pytest -p tests.toyqa.plugin`: registers ToyQA with qarun and with the contract suite
before the tests are collected, so every contract test runs on it too."""

from __future__ import annotations

from qarun.providers import register
from tests.platforms import register as register_case
from tests.toyqa import fake, provider

register(provider.NAME, "tests.toyqa.provider", "ToyProvider", provider.INPUTS)
register_case(fake.CASE)

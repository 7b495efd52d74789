"""Shared fixtures: the fakes and the runner-like harness."""

from __future__ import annotations

import pytest

API_KEY = "test-key-0123456789"


@pytest.fixture
def api_key() -> str:
    return API_KEY

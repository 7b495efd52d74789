"""Fixtures every end-to-end test shares: the platform under test and its fake server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.contract import CASES, ProviderCase
from tests.fakes.base import FakePlatform, TestClock
from tests.install import install_in_venv

# Property tests: bounded and the same every time in CI (derandomized, a fixed number of
# examples each test states); locally a fresh seed each run finds new cases.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
# Hypothesis keeps its examples and a cache of the source's constants, which names each
# file by its absolute path: outside the checkout, so that nothing in it says where it is.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "qarun-hypothesis")

Fake = TypeVar("Fake", bound=FakePlatform)
# The container tests' session-wide `image` fixture: one build serves them all.
pytest_plugins = ["tests.dockerutil"]


class Serve(Protocol):
    """The `serve` fixture: `fake = serve(SomeFake(...))` starts it; the test's end stops it."""

    def __call__(self, fake: Fake, /) -> Fake: ...


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`qarun` installed from this repository into a virtual environment of its own, once a
    session (here, where every module that runs the command shares it).

    QARUN_TEST_VENV names one already built this way: bench/stress.py builds it once
    for all its rounds (the install is not what it stresses)."""
    prebuilt = os.environ.get("QARUN_TEST_VENV")
    if prebuilt:
        return Path(prebuilt) / "bin" / "qarun"
    return install_in_venv(tmp_path_factory.mktemp("install"))


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> ProviderCase:
    """Each platform in turn: a test taking `case` runs once per platform."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def clock() -> TestClock:
    """The test's time: the fakes it serves read it, and so does qarun run in-process."""
    return TestClock()


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[Serve]:
    """Starts a fake (`fake = serve(SomeFake(...))`) and stops it at the test's end.

    The fake's runs move on with the requests it receives (a PollClock), whatever a qarun
    process's pauses take; a test that takes the `clock` fixture puts it on that TestClock
    instead (in-process, `harness.run_in_process` does it itself).
    """
    started: list[FakePlatform] = []
    clock = request.getfixturevalue("clock") if "clock" in request.fixturenames else None

    def start(fake: Fake, /) -> Fake:
        if clock is not None:
            fake.clock = clock
        started.append(fake.start())
        return fake

    yield start
    for fake in started:
        fake.stop()

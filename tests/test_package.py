"""The package the release publishes to PyPI (README, Outside GitHub Actions): its sdist and
wheel built as .github/workflows/release.yml builds them, checked by `twine check` as PyPI
will read them, and the wheel installed into a fresh virtual environment, where `qarun` and
`python -m qarun` answer with the version the image carries."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from qarun import __version__
from tests.install import build_package, install_in_venv

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_package(tmp_path_factory.mktemp("package"))


def test_the_sdist_and_the_wheel_carry_the_version_and_pass_twine_check(
    built: tuple[Path, Path],
) -> None:
    sdist, wheel = built
    assert sdist.name == f"qarun-{__version__}.tar.gz"
    assert wheel.name == f"qarun-{__version__}-py3-none-any.whl"
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2
    # The inputs' one source travels in both: `qarun --help` is generated from it.
    assert "qarun/action.yml" in zipfile.ZipFile(wheel).namelist()
    with tarfile.open(sdist) as archive:
        assert f"qarun-{__version__}/src/qarun/action.yml" in archive.getnames()


def test_the_wheel_installs_into_a_fresh_venv_and_runs(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    qarun = install_in_venv(tmp_path, package=built[1])
    version = subprocess.run([str(qarun), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"qarun {__version__}"
    python = qarun.parent / "python"
    helped = subprocess.run(
        [str(python), "-m", "qarun", "--help"], capture_output=True, text=True, check=True
    )
    assert "--commit-status" in helped.stdout and "--provider" in helped.stdout
    # Installed from the wheel, not from the repository: the module lives in the venv.
    where = subprocess.run(
        [str(python), "-c", "import qarun; print(qarun.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert str(tmp_path / "venv") in where.stdout

"""`pip install .` into a virtual environment of its own, as a user of the command would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache")


def copy_of_repository(folder: Path) -> Path:
    """The repository's files under `folder`: a build writes `build/` and `*.egg-info` where
    its sources are."""
    source = folder / "source" / "qarun"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT, symlinks=True)
    return source


def build_package(folder: Path) -> tuple[Path, Path]:
    """The sdist and the wheel, built as the release builds them (`python -m build`: the
    sdist, then the wheel from it, which proves the sdist whole), from a copy of the
    repository, into `folder / "dist"`."""
    source, dist = copy_of_repository(folder), folder / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
    return sdist, wheel


def install_in_venv(folder: Path, package: Path | None = None) -> Path:
    """Installs qarun (its locked dependencies, then the package: built from a copy of the
    repository, or `package`, a wheel) under `folder`; the path of its `qarun` command."""
    venv = folder / "venv"
    source = package or copy_of_repository(folder)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    locks = ["-r", str(ROOT / "requirements.txt"), "-r", str(ROOT / "requirements-build.txt")]
    subprocess.run([*pip, "--require-hashes", *locks], check=True, capture_output=True)
    subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", str(source)], check=True, capture_output=True
    )
    return venv / "bin" / "qarun"

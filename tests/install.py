"""`pip install .` into a virtual environment of its own, as a user of the command would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache")


def install_in_venv(folder: Path) -> Path:
    """Installs qarun (its locked dependencies, then the package) under `folder`; the path of
    its `qarun` command."""
    venv = folder / "venv"
    # Built from a copy: a build writes `build/` and `*.egg-info` where its sources are.
    source = folder / "source" / "qarun"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT, symlinks=True)
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

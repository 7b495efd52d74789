"""Golden files: rendered output compared byte for byte with a reviewed file in tests/golden/.

Run with UPDATE_GOLDEN=1 to rewrite the files from the current output, then
review the diff as you would review code (`git diff tests/golden/`).
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} is missing; run the tests with UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from the golden file; UPDATE_GOLDEN=1 rewrites it"

"""Holds entrypoint.py while it loads qarun, so a test can signal it at that certain moment.

Put on PYTHONPATH with QARUN_TEST_HOLD_IMPORT naming a file: the first import of
`qarun.main` creates the file, then waits (10 s at most) until entrypoint.py has
kept a signal in `early_signals`, and lets the import go on. Tests only.
"""

from __future__ import annotations

import os
import sys
import time
from importlib.abc import MetaPathFinder
from pathlib import Path
from typing import Any

MARKER = os.environ.get("QARUN_TEST_HOLD_IMPORT")


class _Hold(MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name != "qarun.main":
            return None
        sys.meta_path.remove(self)
        assert MARKER is not None
        Path(MARKER).touch()
        main = sys.modules["__main__"]
        end = time.monotonic() + 10
        while not getattr(main, "early_signals", None) and time.monotonic() < end:
            time.sleep(0.01)
        return None  # the usual finders load it


if MARKER:
    sys.meta_path.insert(0, _Hold())

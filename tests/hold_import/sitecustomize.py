"""Holds `python -m qarun` while it loads qarun.main, so a test can signal it then, for sure.

Put on PYTHONPATH with QARUN_TEST_HOLD_IMPORT naming a file: the first import of
`qarun.main` creates the file, then sleeps until a signal has come and
qarun.startup has kept it in `early_signals`, and lets the import go on. Tests only.
"""

from __future__ import annotations

import os
import signal
import sys
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
        startup = sys.modules["qarun.startup"]
        while not getattr(startup, "early_signals", None):
            signal.pause()  # returns once a signal's handler has run
        return None  # the usual finders load it


if MARKER:
    sys.meta_path.insert(0, _Hold())

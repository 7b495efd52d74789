"""The first thing every door into qarun does (`python -m qarun`, the `qarun` command, the
container's entrypoint.py): keep the runner's signals.

A signal that arrives while qarun is still loading is kept, not lost to a traceback
(SIGINT's default) or to death (SIGTERM's): qarun then stops at once and still reports.
The handlers go first, before anything heavy is imported; `Cancellation.install` takes
over from them (cancel.py).
"""

from __future__ import annotations

import signal

# Signals that came before qarun's own handlers were installed, in order.
early_signals: list[int] = []


def keep_signals() -> list[int]:
    """Records SIGINT and SIGTERM from now on; returns the list they are kept in."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda received, frame: early_signals.append(received))
    return early_signals

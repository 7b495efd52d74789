"""`python -m qarun`: the container's entry point, run with the runner's environment.

Signals that arrive while qarun is still loading are kept, not lost to a traceback
(SIGINT's default) or to death (SIGTERM's): qarun then stops at once and still
reports. The handlers go first, before anything heavy is imported.
"""

import signal

early_signals: list[int] = []
for _signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signum, lambda signum, frame: early_signals.append(signum))

from qarun.main import main  # noqa: E402  (after the handlers, which must come first)

if __name__ == "__main__":
    raise SystemExit(main(early_signals=early_signals))

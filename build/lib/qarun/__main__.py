"""`python -m qarun`: the container's entry point and the `qarun` command.

With no arguments inside GitHub Actions it is the action: the runner passes the inputs as
INPUT_<NAME>. With arguments, or anywhere else, it is the command (qarun.cli).

Signals that arrive while qarun is still loading are kept, not lost to a traceback
(SIGINT's default) or to death (SIGTERM's): qarun then stops at once and still
reports. The handlers go first, before anything heavy is imported.
"""

import os
import signal
import sys

early_signals: list[int] = []
for _signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signum, lambda signum, frame: early_signals.append(signum))

if __name__ == "__main__":
    if len(sys.argv) > 1 or os.environ.get("GITHUB_ACTIONS") != "true":
        from qarun.cli import run

        raise SystemExit(run(sys.argv[1:], early_signals))
    from qarun.main import main

    raise SystemExit(main(early_signals=early_signals))

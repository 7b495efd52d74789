"""`python -m qarun`: the same program as the `qarun` command and the container's
entrypoint.py (qarun.cli.program). Signals are kept before anything else loads."""

import sys

from qarun.startup import keep_signals

early_signals = keep_signals()

if __name__ == "__main__":
    from qarun.cli import program

    raise SystemExit(program(sys.argv[1:], early_signals))

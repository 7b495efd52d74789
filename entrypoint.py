#!/usr/bin/env python3
"""The container's entry point (the Dockerfile's ENTRYPOINT names it by absolute path): the
same program as `python -m qarun` and the `qarun` command, qarun.cli.program. Signals are
kept before anything else loads (qarun.startup)."""

import sys

from qarun.startup import keep_signals

early_signals = keep_signals()

if __name__ == "__main__":
    from qarun.cli import program

    raise SystemExit(program(sys.argv[1:], early_signals))

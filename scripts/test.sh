#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs into .venv, then lint, types and pytest
# (unit, end-to-end over loopback, and the container tests where a Docker engine runs).
# README.md gives this command; .ci/run runs it too, so the two stay one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/lint.sh
.venv/bin/python -m pytest "$@"

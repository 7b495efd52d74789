#!/usr/bin/env bash
# A development environment in .venv from a fresh clone: the image's locked packages
# (checked by hash), the test and lint tools, and qarun itself (editable), so that
# `python -m qarun`, the tests, the demo and the benchmarks all run the working tree.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip install -q --disable-pip-version-check)
"${PIP[@]}" --require-hashes -r requirements.txt -r requirements-build.txt
"${PIP[@]}" -r requirements-dev.txt
"${PIP[@]}" --no-deps --no-build-isolation -e .

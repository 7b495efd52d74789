#!/usr/bin/env bash
# The flake check: every test that sends a signal or waits on a process, N rounds with two
# rounds at once (a busy machine), counting failed rounds. Not a timed test; run it before
# saying the suite is steady.  Usage: bash scripts/flake_check.sh [rounds] [pytest args…]
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-100}
shift || true
TARGETS=("${@:-tests/test_cancel.py}")
log=$(mktemp -d)
failed=0
for ((round = 1; round <= ROUNDS; round += 2)); do
  .venv/bin/python -m pytest -q -p no:cacheprovider -p no:randomly "${TARGETS[@]}" >"$log/a" 2>&1 &
  first=$!
  .venv/bin/python -m pytest -q -p no:cacheprovider -p no:randomly "${TARGETS[@]}" >"$log/b" 2>&1 &
  second=$!
  wait "$first" || { failed=$((failed + 1)); cp "$log/a" "$log/failed-$round-a"; }
  wait "$second" || { failed=$((failed + 1)); cp "$log/b" "$log/failed-$round-b"; }
done
echo "| rounds | at once | failed rounds |"
echo "| --- | --- | --- |"
echo "| $ROUNDS | 2 | $failed |"
[ "$failed" -eq 0 ] || { echo "logs of failed rounds: $log"; exit 1; }

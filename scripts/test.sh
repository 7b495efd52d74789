#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs into .venv, then lint, types and pytest
# (unit, end-to-end over loopback, properties, and the container tests where a Docker engine
# runs), in a random order (its seed printed first; `-p no:randomly` for file order),
# the tier without containers on every core (pytest-xdist).
# README.md gives this command; .ci/run runs it too, so the two stay one.
# Arguments go to pytest. At the end it prints how long each part took against its target.
set -euo pipefail
cd "$(dirname "$0")/.."
began=$(date +%s)
bash scripts/setup.sh
bash scripts/lint.sh

pytest_part() {
  # Exit 5 is "no test selected": a slice (-k …) may select none of one part.
  .venv/bin/python -m pytest "$@" || { status=$?; [ "$status" -eq 5 ] || return "$status"; }
}
# The random order's seed, said before the tests run and given to both parts: a failure in
# that order can be replayed with QARUN_TEST_SEED=<seed> bash scripts/test.sh.
seed=${QARUN_TEST_SEED:-$RANDOM}
order=(--randomly-seed="$seed")
case " $* " in
  *no:randomly*) order=() ;;  # file order asked for: no seed to give
  *) echo "pytest-randomly seed: $seed (QARUN_TEST_SEED=$seed replays this order)" ;;
esac
start=$(date +%s)
pytest_part -m "not docker" -n auto "${order[@]}" "$@"
middle=$(date +%s)
bash scripts/gitlab-ci-local.sh  # the container tier runs the README's GitLab example with it
pytest_part -m docker "${order[@]}" "$@"
end=$(date +%s)

echo
echo "| part | seconds | target |"
echo "| --- | --- | --- |"
echo "| tests without the container tier | $((middle - start)) | 60 |"
echo "| container tier | $((end - middle)) | |"
echo "| scripts/test.sh as a whole (install and lint included) | $((end - began)) | 240 with .ci/run's engine |"

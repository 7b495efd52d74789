#!/usr/bin/env bash
# gitlab-ci-local (npm, pinned in tools/gitlab-ci-local) and the rsync it needs, for the
# container tier's run of the README's GitLab example (tests/test_gitlab_ci_local.py).
# Installs what is missing; says what it could not install and leaves the test to decide
# (it fails under CI=true, and is skipped elsewhere).
set -uo pipefail
cd "$(dirname "$0")/.."
# Installed outside the checkout (npm builds files that name where they are), from the pins
# in tools/gitlab-ci-local; tests/test_gitlab_ci_local.py looks in the same place.
TOOL=${QARUN_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/qarun}/gitlab-ci-local
PINS=tools/gitlab-ci-local
if [ ! -x "$TOOL/node_modules/.bin/gitlab-ci-local" ] || ! cmp -s "$PINS/package-lock.json" "$TOOL/package-lock.json"; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$TOOL" && cp "$PINS/package.json" "$PINS/package-lock.json" "$TOOL/"
    npm ci --prefix "$TOOL" --no-audit --no-fund --loglevel=error >/dev/null ||
      echo "gitlab-ci-local: npm ci failed in $TOOL" >&2
  else
    echo "gitlab-ci-local: no npm here; the GitLab example will not run" >&2
  fi
fi
if ! command -v rsync >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get install -y -qq rsync || { apt-get update -qq && apt-get install -y -qq rsync; }; } \
      >/dev/null 2>&1 || echo "gitlab-ci-local: could not install rsync" >&2
  else
    echo "gitlab-ci-local: needs rsync (apt-get install rsync)" >&2
  fi
fi
exit 0

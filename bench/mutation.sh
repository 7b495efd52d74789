#!/usr/bin/env bash
# Mutation testing of the verdict functions with mutmut 3: every mutant of the files in MUTATE
# is run against the fast tests in TESTS; prints the score per file and each survivor's diff,
# and exits 1 when fewer than THRESHOLD % of the mutants are killed. Not a CI step.
# Usage: bash bench/mutation.sh [MUTANT_NAME_GLOB...]   (the arguments go to `mutmut run`)
set -euo pipefail
cd "$(dirname "$0")/.."

# What is mutated (a file not written yet is skipped) and the tests run against each mutant.
MUTATE=(
  src/qarun/verdict.py
  src/qarun/providers/panto_verdict.py
  src/qarun/providers/qatech_verdict.py
  src/qarun/providers/qualigate_verdict.py
)
TESTS=(
  tests/test_verdict.py
  tests/test_verdicts*.py
  tests/test_verdict_table.py
  tests/test_verdict_properties.py
)
# QARUN_MUTATE and QARUN_MUTATION_TESTS (space-separated paths) narrow one run to some of them.
[ -z "${QARUN_MUTATE:-}" ] || read -ra MUTATE <<< "$QARUN_MUTATE"
[ -z "${QARUN_MUTATION_TESTS:-}" ] || read -ra TESTS <<< "$QARUN_MUTATION_TESTS"
MUTMUT=mutmut==3.8.1
THRESHOLD=95
# Outside the checkout, so nothing here shows in `git status`; the venv is kept between runs.
home=${QARUN_MUTATION_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/qarun-mutation}
venv=$home/venv
work=$home/work

present() {
  local kind=$1 path
  shift
  for path in "$@"; do
    if [ -f "$path" ]; then echo "$path"; else echo "skipped, not written yet: $kind $path" >&2; fi
  done
}
mapfile -t mutate < <(present source "${MUTATE[@]}")
mapfile -t tests < <(present test "${TESTS[@]}")
if [ "${#mutate[@]}" -eq 0 ] || [ "${#tests[@]}" -eq 0 ]; then
  echo "nothing to mutate, or no test to run" >&2
  exit 2
fi

# A venv of its own, with the project's pinned packages but without qarun: the editable install
# in .venv would put the checkout's unmutated src/ on sys.path beside mutmut's mutants/src.
stamp=$(cat requirements.txt requirements-dev.txt <(echo "$MUTMUT") | sha256sum | cut -c1-16)
if [ "$(cat "$venv/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
  "${pip[@]}" --require-hashes -r requirements.txt
  "${pip[@]}" -r requirements-dev.txt "$MUTMUT"
  echo "$stamp" > "$venv/stamp"
fi

# mutmut writes mutants/ where it runs and copies in only what its config names, so it runs in
# a fresh copy of the working tree (tracked and new files, as git sees them) with every
# top-level entry copied: the tests read action.yml, the requirements, the README.
rm -rf "$work"
mkdir -p "$work"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$work"
cd "$work"

# The tests must import the mutated qarun under mutants/src, or the score is about code that was
# never mutated: this conftest stops the run otherwise, and records the path it saw.
cat > conftest.py <<'EOF'
from pathlib import Path

import qarun

here = Path(__file__).resolve().parent
imported = Path(qarun.__file__).resolve()
(here / "qarun-imported-from.txt").write_text(f"{imported}\n")
if not imported.is_relative_to(here / "src"):
    raise RuntimeError(f"the tests import {imported}, not the mutated copy under {here}/src")
EOF

shopt -s dotglob
also_copy=()
for entry in *; do [ "$entry" = src ] || also_copy+=("$entry"); done
shopt -u dotglob
toml() { printf '['; printf '"%s", ' "$@"; printf ']'; }
# The whole package is copied (source_paths) so that it imports; only the listed files are mutated.
cat >> pyproject.toml <<EOF

[tool.mutmut]
source_paths = ["src"]
only_mutate = $(toml "${mutate[@]}")
also_copy = $(toml "${also_copy[@]}")
pytest_add_cli_args_test_selection = $(toml "${tests[@]}")
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:randomly"]
use_git_change_detection = false
debug = ${QARUN_MUTATION_DEBUG:-false}
EOF

echo "mutating: ${mutate[*]}"
echo "tests:    ${tests[*]}"
status=0
# CI=true loads the tests' derandomized Hypothesis profile: the same examples, the same score.
CI=true "$venv/bin/mutmut" run "$@" || status=$?
# mutmut hides the tests' output when they cannot start; the path shows the likeliest cause.
echo "the tests imported qarun from: $(cat mutants/qarun-imported-from.txt 2>/dev/null || echo '?')"
if [ "$status" -ne 0 ]; then
  echo "mutmut run failed (exit $status); QARUN_MUTATION_DEBUG=true shows why" >&2
  exit 2
fi

# The score from mutmut's own records (mutants/<file>.meta): a mutant that fails the tests or
# times out counts as killed; any other (survived, no tests, suspicious) is a survivor. Mutants
# a narrowed run (arguments) did not run are left out.
status=0
"$venv/bin/python" - "$THRESHOLD" "${mutate[@]}" <<'EOF' > score.md || status=$?
import json
import sys
from pathlib import Path

threshold, files = float(sys.argv[1]), sys.argv[2:]
KILLED = {1, 3, 24, -24, 36, 152, 255}  # mutmut 3's exit codes for "killed" and "timeout"
total = killed = 0
survivors = []
print("| file | mutants | killed | survived | score |")
print("|---|---|---|---|---|")
for path in files:
    meta = Path(f"mutants/{path}.meta")  # none for a file with nothing to mutate
    ran = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
    codes = {name: code for name, code in ran.items() if code is not None}
    dead = sum(code in KILLED for code in codes.values())
    total, killed = total + len(codes), killed + dead
    score = 100 * dead / len(codes) if codes else 100
    print(f"| {path} | {len(codes)} | {dead} | {len(codes) - dead} | {score:.1f} % |")
    survivors += sorted(name for name, code in codes.items() if code not in KILLED)
score = 100 * killed / total if total else 100
print(f"| all | {total} | {killed} | {total - killed} | {score:.1f} % |")
print(f"\nscore: {killed}/{total} killed, {score:.1f} % (needed: {threshold:g} %)")
with open("survivors.txt", "w") as out:
    out.writelines(f"{name}\n" for name in survivors)
sys.exit(0 if score >= threshold else 1)
EOF
echo
echo "survivors: $(wc -l < survivors.txt)"
# `mutmut show` for each, in one process: a process per mutant takes about a second each.
"$venv/bin/python" - <<'EOF'
from mutmut.__main__ import cli

with open("survivors.txt") as names:
    for name in names.read().split():
        cli.main(["show", name], standalone_mode=False)
        print()
EOF
echo "mutants and mutmut's state: $work (mutmut browse there with $venv/bin/mutmut)"
echo
cat score.md
exit "$status"

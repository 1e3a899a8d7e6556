#!/usr/bin/env bash
# Clang's thread-safety analysis over coordinator/ (docs/architecture.md
# "Threads and locks"): compiles every coordinator .cc file that
# BUILD_DIR/compile_commands.json lists and that includes an annotated
# header (common/mutex.h, common/thread_annotations.h, directly or through
# the repo's headers) with `clang++ -fsyntax-only -Wthread-safety
# -Werror=thread-safety` and the build's own flags, two at a time. First it proves the check can fail: tests/thread_safety/
# violation.cc, which reads a GUARDED_BY member without its mutex, must be
# refused with clang's diagnostic, and clean.cc, the same code done right,
# must pass.
#
# usage: check_thread_safety.sh BUILD_DIR [--self-test]
#   --self-test  only the two snippets
# Exits 77 (ctest's skip) when clang++ is not installed, 1 on a violation.
set -euo pipefail

build=${1:?usage: check_thread_safety.sh BUILD_DIR [--self-test]}
mode=${2:-}
src=$(cd "$(dirname "$0")/.." && pwd)
clang=${STRATA_CLANGXX:-clang++}
jobs=${STRATA_THREAD_SAFETY_JOBS:-2}

if ! command -v "$clang" >/dev/null 2>&1; then
  echo "skip: $clang is not installed (Debian package clang); the thread-safety analysis needs it"
  exit 77
fi

# The analysis flags; the build's -Werror and gcc-only options are left
# out so that only thread-safety findings fail the check.
analysis=(-fsyntax-only -Wthread-safety -Werror=thread-safety -Wno-unknown-warning-option)

# --- self-test: a known violation must be reported, its fix must pass ---
snippets=$src/tests/thread_safety
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if "$clang" -std=c++20 -I"$src" "${analysis[@]}" "$snippets/violation.cc" >"$out" 2>&1; then
  echo "FAIL: $snippets/violation.cc compiled: the analysis did not run"
  exit 1
fi
if ! grep -q "requires holding mutex 'mu_'" "$out"; then
  echo "FAIL: $snippets/violation.cc was refused, but not for the unguarded read:"
  cat "$out"
  exit 1
fi
if ! "$clang" -std=c++20 -I"$src" "${analysis[@]}" "$snippets/clean.cc" >"$out" 2>&1; then
  echo "FAIL: $snippets/clean.cc, which holds its locks, was refused:"
  cat "$out"
  exit 1
fi
echo "self-test: violation.cc refused (requires holding mutex 'mu_'), clean.cc accepted"
[ "$mode" = "--self-test" ] && exit 0

# --- the coordinator's sources, with their build flags ---
db=$build/compile_commands.json
if [ ! -f "$db" ]; then
  echo "FAIL: $db is missing: configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON (the top CMakeLists sets it)"
  exit 1
fi
commands=$(mktemp)
trap 'rm -f "$out" "$commands"' EXIT
python3 - "$db" "$src" "$clang" "${analysis[@]}" >"$commands" <<'PY'
import json, os, re, shlex, sys
db, src, clang, analysis = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
folder = os.path.join(src, "coordinator") + os.sep
annotated = {"common/mutex.h", "common/thread_annotations.h"}
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
closure = {}

def reaches_annotations(path, stack=()):
    # Whether `path` includes (through the repo's own headers) the
    # annotations: a file that does not has nothing to analyse.
    if path in closure:
        return closure[path]
    closure[path] = False  # include cycles
    try:
        text = open(path, errors="replace").read()
    except OSError:
        return False
    found = False
    for name in include.findall(text):
        if name in annotated:
            found = True
            break
        header = os.path.join(src, name)
        if os.path.isfile(header) and reaches_annotations(header):
            found = True
            break
    closure[path] = found
    return found

dropped = {"-Werror", "-Wno-maybe-uninitialized", "-c"}
seen = set()
skipped = 0
for entry in json.load(open(db)):
    path = entry["file"]
    if not path.startswith(folder) or path in seen:
        continue
    seen.add(path)
    if not reaches_annotations(path):
        skipped += 1
        continue
    args = entry.get("arguments") or shlex.split(entry["command"])
    kept, skip = [], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a in dropped or a == path:
            continue
        kept.append(a)
    # One line per file: the directory to run in, then the command.
    print(entry["directory"] + "\t" + shlex.join([clang] + kept + analysis + [path]))
print("%d coordinator files include no annotated header: not analysed" % skipped, file=sys.stderr)
PY
count=$(wc -l <"$commands")
if [ "$count" -eq 0 ]; then
  echo "FAIL: $db lists no file under coordinator/"
  exit 1
fi
echo "analysing $count coordinator files with $($clang --version | head -1), $jobs at a time"
status=0
tr '\n' '\0' <"$commands" | xargs -0 -P "$jobs" -I{} bash -c '
  dir=${1%%$'"'"'\t'"'"'*}; cmd=${1#*$'"'"'\t'"'"'}
  if ! log=$(cd "$dir" && eval "$cmd" 2>&1); then
    printf "%s\n" "$log"; exit 1
  fi
' _ {} || status=1
if [ "$status" -ne 0 ]; then
  echo "FAIL: thread-safety violations (or clang errors) above"
  exit 1
fi
echo "ok: no thread-safety finding in $count files"

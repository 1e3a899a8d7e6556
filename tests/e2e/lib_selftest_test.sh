#!/usr/bin/env bash
# The e2e helpers refuse the shapes that hide a failure: a check inside a
# pipeline, a suite that runs no check; and a skip is exit 77, not a pass.
source "$(dirname "$0")/lib.sh"
LIB="$(cd "$(dirname "$0")" && pwd)/lib.sh"

# suite NAME BODY: a throw-away suite using lib.sh; prints its exit code.
suite() {
  printf 'source %q\n%s\nfinish\n' "$LIB" "$2" > "$E2E_TMP/$1.sh"
  STRATA_ROOT= bash "$E2E_TMP/$1.sh" > "$E2E_TMP/$1.out" 2>&1
  echo $?
}

check "a passing check passes" test "$(suite pass 'check "true" true')" -eq 0
check "a failing check fails" test "$(suite fail 'check "false" false')" -ne 0
check "a check inside a pipeline fails the suite" \
  test "$(suite piped 'check "piped" true | cat')" -ne 0
check "... and says why" grep -q "ran in a subshell" "$E2E_TMP/piped.out"
check "a check in \$( ) fails the suite" test "$(suite subst 'x=$(check "inner" true)')" -ne 0
check "a suite that ran no check fails" test "$(suite empty ':')" -ne 0
check "... and says so" grep -q "the suite ran no check" "$E2E_TMP/empty.out"
check "fails passes only on a non-zero exit" test "$(suite fails0 'fails "true exits 0" true')" -ne 0
check "skip_suite exits 77" test "$(suite skip 'skip_suite "no widget here"')" -eq 77
check "... saying why" grep -q "SKIP: no widget here" "$E2E_TMP/skip.out"
finish

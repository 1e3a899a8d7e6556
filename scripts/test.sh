#!/usr/bin/env bash
# Set-up, build, and every test. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build

# ctest's own exit code decides; its output is also kept for the summary.
status=0
ctest --output-on-failure -j "$(nproc)" --timeout 900 2>&1 | tee ctest.log || status=$?

# The conformance counts, for the record (ctest hides passing output).
echo
echo "== BuildKit conformance (tests/data/buildkit)"
./tests/dockerfile_test --gtest_filter='*Conformance*' > conformance.log 2>&1 || status=1
grep ' conformance: ' conformance.log || status=1

# One summary line: what ran, what failed, what was skipped (and why ctest
# says so: a suite that cannot run on this machine exits 77).
total=$(sed -n 's/.* tests failed out of \([0-9][0-9]*\).*/\1/p' ctest.log | tail -1)
failed=$(sed -n 's/.*, \([0-9][0-9]*\) tests failed out of .*/\1/p' ctest.log | tail -1)
skipped=$(grep -c '(Skipped)' ctest.log || true)
total=${total:-0} failed=${failed:-0}
echo
echo "tests: $((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"
grep '(Skipped)' ctest.log || true
exit "$status"

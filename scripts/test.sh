#!/usr/bin/env bash
# Set-up, build, and every test. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900

# The conformance counts, for the record (ctest hides passing output).
echo
echo "== BuildKit conformance (../shared/conformance)"
STRATA_SOURCE_DIR="$PWD/.." ./tests/dockerfile_test --gtest_filter='*Conformance*' | grep ' conformance: '

#!/usr/bin/env bash
# Configures and builds strata into build/ (binaries in build/bin/).
# STRATA_SANITIZE=1 builds with ASan+UBSan into build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=()
if [ "${STRATA_SANITIZE:-0}" = 1 ]; then dir=build-asan; flags+=(-DSTRATA_SANITIZE=ON); fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"

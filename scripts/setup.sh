#!/usr/bin/env bash
# Installs every build, test and runtime dependency of strata from Debian's
# packages. Idempotent: installs only what is missing; runs `apt-get update`
# only when the package lists are missing or a package cannot be found.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake make pkg-config git clang
  # libraries (each behind one adapter: docs/architecture.md)
  libzmq3-dev cppzmq-dev librocksdb-dev libprotobuf-dev protobuf-compiler
  libssl-dev libarchive-dev libcurl4-openssl-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libzstd-dev libisal-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # runtime and test tools
  runc busybox-static skopeo umoci docker-registry buildah
  tar gzip zstd isal python3 curl procps iproute2 util-linux hyperfine tmux
  # the real Debian base of tests/e2e/real_base_test.sh
  debootstrap debian-archive-keyring
  # peak memory of buildah in bench/build_bench.sh
  time
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

echo "setup: installing ${missing[*]}"
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
  $SUDO apt-get update -q
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # Stale lists: refresh once and try again.
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

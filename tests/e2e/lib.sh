# Shared helpers for the end-to-end scripts: a temp state root per script,
# pass/fail counting, and a busybox rootfs from the busybox-static package.
set -u
S="${STRATA_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build/bin" && pwd)}/strata"
E2E_TMP=$(mktemp -d /tmp/strata-e2e-XXXXXX)
export STRATA_ROOT="$E2E_TMP/root"
export STRATA_LOCAL_IDLE_TIMEOUT=30
PASSED=0
FAILED=0

cleanup() {
  pkill -f "strata-coordinator --root $E2E_TMP" 2>/dev/null
  pkill -f "strata-worker .*$E2E_TMP" 2>/dev/null
  if [ "$FAILED" -eq 0 ]; then rm -rf "$E2E_TMP"; else echo "kept $E2E_TMP"; fi
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
# A check run in a subshell (a pipeline, $(...), ( ... )) would count in the
# subshell and be lost: refuse it. It is recorded in a file the suite's
# finish reads, so the refusal itself cannot be lost either.
E2E_LOST="$E2E_TMP/lost-checks"
in_subshell() {
  if [ "$BASH_SUBSHELL" -gt 0 ]; then
    echo "FAIL - '$1' ran in a subshell (inside a pipeline?): its result would be lost" | tee -a "$E2E_LOST"
    return 0
  fi
  return 1
}
# check NAME COMMAND...: passes when the command exits 0.
check() {
  local name=$1; shift
  in_subshell "$name" && return 1
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# fails NAME COMMAND...: passes when the command exits non-zero.
fails() {
  local name=$1; shift
  in_subshell "$name" && return 1
  if "$@" >/dev/null 2>&1; then not_ok "$name (exit 0)"; else ok "$name"; fi
}
# skip_suite REASON: this machine cannot run the suite; ctest reports it as
# skipped (SKIP_RETURN_CODE 77 in tests/CMakeLists.txt). Only for what the
# machine lacks, never for something strata does.
skip_suite() {
  echo "SKIP: $*"
  exit 77
}

# A directory with a static busybox and its applet links.
make_busybox_rootfs() {
  local dir=$1
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/var/www"
  chmod 1777 "$dir/tmp"
  cp /bin/busybox "$dir/bin/busybox"
  for a in sh echo cat ls id httpd wget mkdir rm touch true false sleep grep pwd test env printf wc head stat chmod ln tar tee; do
    ln -sf busybox "$dir/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
}

# Imports a busybox rootfs as the image $1 (default busybox:latest).
import_busybox_image() {
  local name=${1:-busybox:latest}
  make_busybox_rootfs "$E2E_TMP/busybox-rootfs"
  tar -C "$E2E_TMP/busybox-rootfs" -cf "$E2E_TMP/busybox-rootfs.tar" .
  "$S" image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$E2E_TMP/busybox-rootfs.tar" "$name" >/dev/null
}

# Whether this machine can run containers (root, runc, overlayfs).
can_run_containers() {
  [ "$(id -u)" = 0 ] && command -v runc >/dev/null && grep -q overlay /proc/filesystems
}

# A fingerprint of the store: blob files and image ids with tags.
store_state() {
  (ls "$STRATA_ROOT/store/blobs/sha256" 2>/dev/null | sort; "$S" image ls -a --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)
}

finish() {
  if [ -s "$E2E_LOST" ]; then
    FAILED=$((FAILED + $(wc -l < "$E2E_LOST")))
  fi
  if [ $((PASSED + FAILED)) -eq 0 ]; then
    echo "FAIL - the suite ran no check"
    FAILED=1
  fi
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# Imports a Debian bookworm minbase root as the image $1 (default
# debian:bookworm) with Docker's usual config (CMD ["bash"], the default PATH).
# scripts/debian_base.sh makes the root once with debootstrap and caches it
# under the build directory ($STRATA_BIN/../e2e-cache). Returns 77 when Debian's
# archive cannot be reached (the reason on stderr), 1 on any other failure.
E2E_SRC=${STRATA_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
import_debian_image() {
  local name=${1:-debian:bookworm} tarball
  tarball=$(STRATA_CACHE_DIR=${STRATA_CACHE_DIR:-$(dirname "$S")/../e2e-cache} bash "$E2E_SRC/scripts/debian_base.sh") || return $?
  "$S" image import --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" "$name" >/dev/null || return 1
}

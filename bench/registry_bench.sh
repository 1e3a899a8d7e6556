#!/usr/bin/env bash
# strata push and pull beside `skopeo copy` of the same image, in one run, on
# loopback against Debian's docker-registry:
#   push: strata push (from its store)      vs skopeo copy oci:DIR -> docker://
#   pull: strata pull (into a fresh store)  vs skopeo copy docker:// -> oci:DIR
#   no-op pull: strata pull of an image the store has ("Image is up to date")
# The image: FROM scratch and 5 COPY layers of BENCH_MB/5 MB of random bytes
# each (200 MB by default; random, so gzip does not shrink it). Every push
# goes to an empty registry (same port, storage wiped), so nothing is
# skipped or mounted. Prints the medians of RUNS, the ratios skopeo/strata,
# and peak RSS (GNU time): the coordinator (started by hand under
# /usr/bin/time, one per phase) and skopeo's largest run.
#
# Usage: bench/registry_bench.sh [RUNS]    (default 3; root: the build
#        that makes the image needs the local worker)
# Env: BENCH_MB=200.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BIN="$PWD/build/bin"
S="$BIN/strata"
MB=${BENCH_MB:-200}
W=$(mktemp -d /tmp/strata-registry-bench-XXXXXX)
export STRATA_LOCAL_IDLE_TIMEOUT=600
REGISTRY_PID=""
COORD_PID=""

cleanup() {
  [ -n "$COORD_PID" ] && kill "$COORD_PID" 2>/dev/null || true
  [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null || true
  pkill -f "strata-coordinator --root $W" 2>/dev/null || true
  pkill -f "strata-worker .*$W" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT

for tool in docker-registry skopeo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "registry_bench: $tool is missing (scripts/setup.sh installs it)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "registry_bench: needs root (the image is built by the local worker)"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.2f", b / (s > 0 ? s : 1)}'; }

# --- the registry: one port for the whole run, storage wiped by fresh_registry ---
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG="127.0.0.1:$PORT"
cat > "$W/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $W/registry-data
http:
  addr: $REG
  secret: strata-bench
EOF
stop_registry() {
  [ -n "$REGISTRY_PID" ] || return 0
  kill "$REGISTRY_PID" 2>/dev/null || true
  wait "$REGISTRY_PID" 2>/dev/null || true
  REGISTRY_PID=""
}
start_registry() {
  docker-registry serve "$W/registry.yml" > "$W/registry.log" 2>&1 < /dev/null &
  REGISTRY_PID=$!
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  echo "registry_bench: docker-registry did not come up:"; cat "$W/registry.log"; exit 1
}
fresh_registry() { stop_registry; rm -rf "$W/registry-data"; start_registry; }

# --- a coordinator started by hand under GNU time, so its peak RSS is known ---
start_coordinator() {  # ROOT RSS_FILE
  pkill -f "strata-coordinator --root $1" 2>/dev/null || true
  /usr/bin/time -f %M -o "$2" "$BIN/strata-coordinator" --root "$1" --local-worker false \
    --log-level warn > "$1.coordinator.log" 2>&1 &
  COORD_PID=$!
  for _ in $(seq 100); do
    STRATA_ROOT="$1" "$S" image ls -q > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "registry_bench: the coordinator of $1 did not answer"; cat "$1.coordinator.log"; exit 1
}
stop_coordinator() {
  [ -n "$COORD_PID" ] || return 0
  pkill -TERM -P "$COORD_PID" 2>/dev/null || true  # the coordinator, child of time
  wait "$COORD_PID" 2>/dev/null || true
  COORD_PID=""
}
peak_mb() { echo $(( $(sort -n "$@" 2>/dev/null | tail -1 || echo 0) / 1024 )); }

# --- the image: 5 layers of random bytes, built once in the seed store ---
mkdir -p "$W/src"
for i in 1 2 3 4 5; do
  head -c $(( MB * 1024 * 1024 / 5 )) /dev/urandom > "$W/src/blob$i"
done
printf 'FROM scratch\nCOPY blob1 /1\nCOPY blob2 /2\nCOPY blob3 /3\nCOPY blob4 /4\nCOPY blob5 /5\n' > "$W/src/Dockerfile"
SEED="$W/seed"
STRATA_ROOT="$SEED" "$S" build -q -t "$REG/bench:latest" "$W/src" > /dev/null
pkill -f "strata-coordinator --root $SEED" 2>/dev/null || true
pkill -f "strata-worker .*$SEED" 2>/dev/null || true
sleep 0.5
# skopeo's source for the push: the same image as an OCI layout directory.
STRATA_ROOT="$SEED" "$S" image save -o "$W/bench.tar" "$REG/bench:latest"
pkill -f "strata-coordinator --root $SEED" 2>/dev/null || true
sleep 0.5
mkdir -p "$W/oci" && tar -C "$W/oci" -xf "$W/bench.tar"
SKOPEO_SRC="oci:$W/oci"  # its only image
size_mb=$(du -sm "$SEED/store/blobs" | cut -f1)

# --- push ---
start_registry
start_coordinator "$SEED" "$W/coord-push-rss"
push_strata=() push_skopeo=()
for r in $(seq 1 "$RUNS"); do
  fresh_registry
  t0=$(now_ms)
  STRATA_ROOT="$SEED" "$S" push -q "$REG/bench:latest" > /dev/null
  push_strata+=($(( $(now_ms) - t0 )))
  fresh_registry
  t0=$(now_ms)
  /usr/bin/time -f %M -a -o "$W/skopeo-rss" skopeo copy -q --dest-tls-verify=false \
    "$SKOPEO_SRC" "docker://$REG/bench:latest"
  push_skopeo+=($(( $(now_ms) - t0 )))
done
# What the pulls read: strata's push of the image.
fresh_registry
STRATA_ROOT="$SEED" "$S" push -q "$REG/bench:latest" > /dev/null
stop_coordinator

# --- pull ---
pull_strata=() pull_skopeo=() noop=()
pull_note=""
for r in $(seq 1 "$RUNS"); do
  root="$W/pull-$r"
  start_coordinator "$root" "$W/coord-pull-rss-$r"
  t0=$(now_ms)
  if ! STRATA_ROOT="$root" "$S" pull -q "$REG/bench:latest" > "$W/pull.log" 2>&1; then
    pull_note="strata pull failed: $(head -c 300 "$W/pull.log")"
    stop_coordinator
    break
  fi
  pull_strata+=($(( $(now_ms) - t0 )))
  t0=$(now_ms)
  STRATA_ROOT="$root" "$S" pull "$REG/bench:latest" > "$W/noop.log" 2>&1
  noop+=($(( $(now_ms) - t0 )))
  grep -q "Image is up to date" "$W/noop.log" || pull_note="the second pull did not say 'Image is up to date'"
  stop_coordinator
  rm -rf "$root"
  rm -rf "$W/pulled-oci"
  t0=$(now_ms)
  /usr/bin/time -f %M -a -o "$W/skopeo-rss" skopeo copy -q --src-tls-verify=false \
    "docker://$REG/bench:latest" "oci:$W/pulled-oci:bench"
  pull_skopeo+=($(( $(now_ms) - t0 )))
done
stop_registry

# --- report ---
printf '\nimage: 5 layers, %s MB stored; registry docker-registry on %s; runs: %s (medians)\n' "$size_mb" "$REG" "$RUNS"
printf '%-12s %10s %10s %8s\n' "operation" "strata ms" "skopeo ms" "skopeo/strata"
ps=$(printf '%s\n' "${push_strata[@]}" | median)
pk=$(printf '%s\n' "${push_skopeo[@]}" | median)
printf '%-12s %10s %10s %7sx\n' "push" "$ps" "$pk" "$(ratio "$pk" "$ps")"
if [ ${#pull_strata[@]} -gt 0 ]; then
  ls_=$(printf '%s\n' "${pull_strata[@]}" | median)
  lk=$(printf '%s\n' "${pull_skopeo[@]}" | median)
  printf '%-12s %10s %10s %7sx\n' "pull" "$ls_" "$lk" "$(ratio "$lk" "$ls_")"
  printf '%-12s %10s %10s\n' "no-op pull" "$(printf '%s\n' "${noop[@]}" | median)" "-"
fi
[ -n "$pull_note" ] && echo "pull: $pull_note"
echo "peak RSS: coordinator push $(peak_mb "$W/coord-push-rss") MB, pull $(peak_mb "$W"/coord-pull-rss-*) MB; skopeo $(peak_mb "$W/skopeo-rss") MB"
echo "machine load: $(cut -d' ' -f1-3 /proc/loadavg)"

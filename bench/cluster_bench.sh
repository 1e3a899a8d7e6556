#!/usr/bin/env bash
# The farm on loopback: one strata-coordinator on TCP and real strata-workers
# (runc on overlayfs), each worker one slot and its own root.
#   overhead:  a --no-cache build of N distinct no-op RUN steps on one worker;
#              the coordinator's time per job = (build time - the jobs' own
#              time on their worker) / N, both read from /metrics
#   lookups:   C clients at once rebuild a fully cached 30-step Dockerfile;
#              cached-step lookups per second = C * 30 / wall time (client
#              start and context scan included); then the same from C
#              threads of one process (strata_bench_lookup: the
#              coordinator's own rate)
#   stages:    three independent stages of `sleep 2` (--no-cache) on 1
#              worker and on 3 workers, beside one such stage alone
#   builds:    B small builds (one RUN each, 10 clients at a time) on 1, 2
#              and 4 workers: builds per second and the scaling
# Prints a table and the coordinator's peak RSS (GNU time).
#
# Usage: bench/cluster_bench.sh    (root: workers need runc and overlayfs)
# Env: BENCH_STEPS=50 BENCH_CLIENTS=50 BENCH_BUILDS=100.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/build/bin"
S="$BIN/strata"
STEPS=${BENCH_STEPS:-50}
CLIENTS=${BENCH_CLIENTS:-50}
BUILDS=${BENCH_BUILDS:-100}
W=$(mktemp -d /tmp/strata-cluster-bench-XXXXXX)
cd "$W"
COORD_PID=""
WORKER_PIDS=()

cleanup() {
  stop_farm
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "cluster_bench: run as root (workers need runc and overlayfs)"; exit 1; }
for tool in runc python3 curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "cluster_bench: $tool is missing (scripts/setup.sh installs it)"; exit 1; }
done

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# start_farm WORKERS: a fresh coordinator and WORKERS one-slot workers; sets
# STRATA_HOST and METRICS.
start_farm() {
  local n=$1 line=""
  rm -rf "$W/farm" && mkdir -p "$W/farm"
  /usr/bin/time -f '%M' -o "$W/farm/coordinator.rss" "$BIN/strata-coordinator" \
    --root "$W/farm/c" --listen tcp://127.0.0.1:0 --workers tcp://127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 --no-auth true > "$W/farm/c.log" 2>&1 &
  COORD_PID=$!
  METRICS=""
  for _ in $(seq 1 100); do
    line=$(grep -o 'serving tcp://[0-9.:]*, workers on tcp://[0-9.:]*' "$W/farm/c.log" || true)
    METRICS=$(grep -o 'metrics on http://[0-9.:]*' "$W/farm/c.log" | awk '{print $3}' || true)
    [ -n "$line" ] && [ -n "$METRICS" ] && break
    sleep 0.1
  done
  [ -n "$METRICS" ] || { echo "cluster_bench: the coordinator did not start:"; cat "$W/farm/c.log"; exit 1; }
  export STRATA_HOST=$(awk '{print $2}' <<<"$line" | tr -d ,)
  local workers=$(awk '{print $5}' <<<"$line")
  WORKER_PIDS=()
  for i in $(seq 1 "$n"); do
    "$BIN/strata-worker" --coordinator "$workers" --slots 1 --root "$W/farm/w$i" --id "w$i" \
      --log-level warn > "$W/farm/w$i.log" 2>&1 &
    WORKER_PIDS+=($!)
  done
  for _ in $(seq 1 200); do
    [ "$("$S" system info -f '{{.Workers.Ready}}' 2>/dev/null || echo 0)" -ge "$n" ] && break
    sleep 0.1
  done
  "$S" image import --change 'ENV PATH=/bin' "$W/busybox.tar" busybox:latest > /dev/null
}
stop_farm() {
  for pid in "${WORKER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The coordinator itself (COORD_PID is GNU time, which writes the peak RSS
  # once its child exits).
  pkill -f "^$BIN/strata-coordinator --root $W/farm/c" 2>/dev/null || true
  wait 2>/dev/null || true
  COORD_PID=""
  WORKER_PIDS=()
}
# metric NAME: its value in /metrics now.
metric() { curl -fsS "$METRICS/metrics" | awk -v n="$1" '$1 == n {print $2}'; }

mkdir -p rootfs/bin rootfs/tmp
cp /bin/busybox rootfs/bin/
for a in sh true sleep echo; do ln -sf busybox "rootfs/bin/$a"; done
tar -C rootfs -cf busybox.tar .

# build_time DIR [ARGS...]: seconds for `strata build ARGS DIR`.
build_time() {
  local dir=$1 t0 t1
  shift
  t0=$(now)
  "$S" build -q "$@" "$dir" > /dev/null
  t1=$(now)
  elapsed "$t0" "$t1"
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

# --- overhead per job ---
mkdir overhead
{ echo "FROM busybox"; for i in $(seq 1 "$STEPS"); do echo "RUN true $i"; done; } > overhead/Dockerfile
start_farm 1
build_time overhead --no-cache > /dev/null  # warm: the base unpacked on the worker
b0=$(metric strata_build_duration_seconds_sum); j0=$(metric strata_job_duration_seconds_sum)
total=$(build_time overhead --no-cache)
b1=$(metric strata_build_duration_seconds_sum); j1=$(metric strata_job_duration_seconds_sum)
overhead_ms=$(python3 -c "import sys; b0,b1,j0,j1,n=map(float,sys.argv[1:]); print(f'{((b1-b0)-(j1-j0))/n*1000:.2f}')" "$b0" "$b1" "$j0" "$j1" "$STEPS")
per_step_ms=$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2])*1000:.1f}')" "$total" "$STEPS")

# --- cached lookups from many clients ---
mkdir cached
{ echo "FROM busybox"; for i in $(seq 1 30); do echo "RUN true cached $i"; done; } > cached/Dockerfile
build_time cached > /dev/null
t0=$(now)
seq 1 "$CLIENTS" | xargs -P "$CLIENTS" -I{} "$S" build -q cached > /dev/null
t1=$(now)
lookup_wall=$(elapsed "$t0" "$t1")
lookups=$(python3 -c "import sys; print(f'{float(sys.argv[1])*30/float(sys.argv[2]):.0f}')" "$CLIENTS" "$lookup_wall")
one_build=$(build_time cached)
# The same lookups from client threads of one process: the coordinator's
# own rate, without 50 process starts and context scans.
inproc=$("$BIN/strata_bench_lookup" "$STRATA_HOST" cached/Dockerfile 30 "$CLIENTS" 5)
stop_farm

# --- three independent stages ---
mkdir one three
printf 'FROM busybox\nRUN sleep 2\n' > one/Dockerfile
printf '%s\n' 'FROM busybox AS a' 'RUN sleep 2 && echo a > /a' 'FROM busybox AS b' \
  'RUN sleep 2 && echo b > /b' 'FROM busybox AS c' 'RUN sleep 2 && echo c > /c' 'FROM busybox' \
  'COPY --from=a /a /a' 'COPY --from=b /b /b' 'COPY --from=c /c /c' > three/Dockerfile
start_farm 1
build_time one --no-cache > /dev/null
one_stage=$(build_time one --no-cache)
three_on_1=$(build_time three --no-cache)
stop_farm
start_farm 3
for _ in 1 2 3; do build_time one --no-cache > /dev/null; done  # each worker unpacks the base
three_on_3=$(build_time three --no-cache)
stop_farm

# --- many small builds ---
mkdir small
for i in $(seq 1 "$BUILDS"); do
  mkdir "small/$i"
  printf 'FROM busybox\nRUN echo %s > /n\n' "$i" > "small/$i/Dockerfile"
done
throughput() {
  local n=$1 t0 t1
  start_farm "$n"
  t0=$(now)
  seq 1 "$BUILDS" | xargs -P 10 -I{} "$S" build -q --no-cache "small/{}" > /dev/null
  t1=$(now)
  stop_farm
  python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$BUILDS" "$(elapsed "$t0" "$t1")"
}
tp1=$(throughput 1)
tp2=$(throughput 2)
tp4=$(throughput 4)
rss=$(cat "$W/farm/coordinator.rss" 2>/dev/null || echo "?")

echo "| measure | value |"
echo "|---|---|"
echo "| coordinator overhead per job ($STEPS no-op RUNs, 1 worker) | ${overhead_ms} ms (whole step ${per_step_ms} ms) |"
echo "| cached-step lookups/s ($CLIENTS clients x 30 steps at once) | $lookups (wall ${lookup_wall} s; one client alone ${one_build} s) |"
echo "| cached-step lookups/s, $CLIENTS client threads of one process (5 s) | $inproc |"
echo "| one 2-second stage | ${one_stage} s |"
echo "| three 2-second stages, 1 worker | ${three_on_1} s ($(ratio "$three_on_1" "$one_stage")x one stage) |"
echo "| three 2-second stages, 3 workers | ${three_on_3} s ($(ratio "$three_on_3" "$one_stage")x one stage) |"
echo "| $BUILDS small builds, 1 worker | ${tp1} builds/s |"
echo "| $BUILDS small builds, 2 workers | ${tp2} builds/s ($(ratio "$tp2" "$tp1")x) |"
echo "| $BUILDS small builds, 4 workers | ${tp4} builds/s ($(ratio "$tp4" "$tp1")x) |"
echo "| coordinator peak RSS (the 4-worker farm) | ${rss} KB |"

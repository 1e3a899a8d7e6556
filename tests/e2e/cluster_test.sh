#!/usr/bin/env bash
# A build farm of real processes on 127.0.0.1 (docs/protocol.md "Builds and
# workers", "Cancel"): one strata-coordinator on TCP, three strata-workers
# with their own roots (no shared blob directory: every layer moves over
# the wire), and `strata --host` as the client.
#  - `strata worker ls`, `strata system info` and /metrics show the pool;
#  - the independent stages of one build run on three workers at once;
#  - ten clients build at once and every rebuild hits the cache; a 3-step
#    build submitted behind a 100-step one finishes first;
#  - a cluster build gives the image ID the embedded default gives;
#  - import, save, load and build --output move the archive over the
#    connection, not through a path on the coordinator's disk;
#  - a client killed (SIGKILL, and Ctrl-C) mid-RUN stops that RUN on its
#    worker and tags nothing;
#  - a worker SIGKILLed mid-RUN: the step runs again on another worker and
#    the build succeeds, and the worker's restart removes what the dead run
#    left; a worker SIGTERMed mid-RUN drains: the step finishes there, the
#    worker exits;
#  - the coordinator SIGKILLed and restarted keeps its images, the build
#    that was in flight fails on its client saying so, the late result of
#    its job is refused, and the workers come back by themselves.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

can_run_containers || skip_suite "RUN needs root, runc and overlayfs (uid $(id -u))"
command -v python3 >/dev/null || skip_suite "python3 (the stages' rendezvous) is missing"

BIN=$(dirname "$S")
C=$E2E_TMP/coordinator
export STRATA_ROOT=$E2E_TMP/client  # the client's own state (stat cache); the store is remote

# start_coordinator [CLIENT_PORT WORKER_PORT]: ports 0 let the system choose;
# sets CLIENT_EP and WORKER_EP from its log.
start_coordinator() {
  "$BIN/strata-coordinator" --root "$C" --listen "tcp://127.0.0.1:${1:-0}" \
    --workers "tcp://127.0.0.1:${2:-0}" --metrics-listen 127.0.0.1:0 --no-auth true >> coordinator.log 2>&1 &
  COORDINATOR_PID=$!
  local line=""
  for _ in $(seq 1 100); do
    line=$(grep -o 'serving tcp://[0-9.:]*, workers on tcp://[0-9.:]*' coordinator.log | tail -1)
    [ -n "$line" ] && break
    sleep 0.1
  done
  CLIENT_EP=$(awk '{print $2}' <<<"$line" | tr -d ,)
  WORKER_EP=$(awk '{print $5}' <<<"$line")
  METRICS=$(grep -o 'metrics on http://[0-9.:]*' coordinator.log | tail -1 | awk '{print $3}')
}
start_worker() {
  "$BIN/strata-worker" --coordinator "$WORKER_EP" --slots 1 --root "$E2E_TMP/w$1" --id "w$1" \
    >> "w$1.log" 2>&1 &
  eval "WORKER_PID_$1=$!"
}
# The number of workers `strata-coordinator` lists as registered.
registered_workers() { grep -c "worker w[0-9] registered" coordinator.log; }
containers_of() { runc --root "$E2E_TMP/w$1/runc/state" list -q 2>/dev/null; }
all_containers() { for i in 1 2 3; do containers_of "$i"; done; }
# The number of the worker that runs a container, waiting up to 30 s; ""
# when none does.
worker_running_a_container() {
  for _ in $(seq 1 300); do
    for i in 1 2 3; do
      [ -n "$(containers_of "$i")" ] && { echo "$i"; return; }
    done
    sleep 0.1
  done
}

start_coordinator
check "the coordinator serves clients on TCP" [ -n "$CLIENT_EP" ]
check "and workers on TCP" [ -n "$WORKER_EP" ]
for i in 1 2 3; do start_worker "$i"; done
for _ in $(seq 1 100); do
  [ "$(registered_workers)" -ge 3 ] && break
  sleep 0.1
done
check "three workers registered" [ "$(registered_workers)" -eq 3 ]
export STRATA_HOST=$CLIENT_EP
states() { "$S" worker ls --format '{{.ID}} {{.State}}' | sort | tr '\n' ' '; }
check "worker ls shows them ready" [ "$(states)" = "w1 ready w2 ready w3 ready " ]
check "system info counts them" [ "$("$S" system info -f '{{.Workers.Ready}} {{.Slots}}')" = "3 3" ]

import_busybox_image busybox:latest
check "the busybox image is on the coordinator" "$S" image inspect -f '{{.Id}}' busybox:latest

# --- three independent stages on three workers at once ---
# Each stage's RUN asks the rendezvous for /go; it answers only once three
# requests are open at the same time (a stage alone gets "alone" after
# 60 s and its RUN fails). One slot per worker: three at once is three
# workers.
cat > rendezvous.py <<'EOF'
import http.server, sys, threading
arrived = threading.Semaphore(0)
count = 0
lock = threading.Lock()
all_here = threading.Event()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        with lock:
            count += 1
            if count >= 3:
                all_here.set()
        body = b"go\n" if all_here.wait(60) else b"alone\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
EOF
python3 rendezvous.py > rendezvous.port &
RENDEZVOUS_PID=$!
for _ in $(seq 1 50); do [ -s rendezvous.port ] && break; sleep 0.1; done
PORT=$(cat rendezvous.port)
mkdir stages && cat > stages/Dockerfile <<EOF
FROM busybox AS a
RUN wget -q -O /got-a http://127.0.0.1:$PORT/a && grep -qx go /got-a
FROM busybox AS b
RUN wget -q -O /got-b http://127.0.0.1:$PORT/b && grep -qx go /got-b
FROM busybox AS c
RUN wget -q -O /got-c http://127.0.0.1:$PORT/c && grep -qx go /got-c
FROM busybox
COPY --from=a /got-a /a
COPY --from=b /got-b /b
COPY --from=c /got-c /c
EOF
# build_logged LOG ARGS...: `strata build ARGS` with its output in LOG.
build_logged() {
  local log=$1
  shift
  "$S" build "$@" > "$log" 2>&1
}
check "a three-stage build whose stages meet succeeds" \
  build_logged stages.log --progress=plain -t stages stages
ran_on() { grep -l "job .*RUN wget -q -O /got-$1 " w1.log w2.log w3.log | sort -u | wc -l; }
spread=$(for s in a b c; do grep -l "job .*RUN wget -q -O /got-$s " w1.log w2.log w3.log; done | sort -u | wc -l)
check "each stage ran on one worker" [ "$(ran_on a)$(ran_on b)$(ran_on c)" = 111 ]
check "the three stages ran on three different workers" [ "$spread" -eq 3 ]
kill "$RENDEZVOUS_PID" 2>/dev/null

# --- ten clients at once; rebuilds hit the cache on any worker ---
for i in $(seq 1 10); do
  mkdir "ten$i"
  printf 'FROM busybox\nRUN echo client %s > /who\nRUN echo second %s > /second\n' "$i" "$i" > "ten$i/Dockerfile"
done
ten_pids=()
for i in $(seq 1 10); do
  "$S" build -q -t "ten$i" "ten$i" > "ten$i.log" 2>&1 &
  ten_pids+=($!)
done
ten_failed=0
for pid in "${ten_pids[@]}"; do wait "$pid" || ten_failed=$((ten_failed + 1)); done
check "ten concurrent builds from ten clients all succeed" [ "$ten_failed" -eq 0 ]
rebuilt_cached=0
for i in $(seq 1 10); do
  "$S" build --progress=plain "ten$i" > "ten$i.again.log" 2>&1 || continue
  [ "$(grep -c ' CACHED$' "ten$i.again.log")" -eq 2 ] && rebuilt_cached=$((rebuilt_cached + 1))
done
check "each rebuild is served from the cache, whichever worker built it" [ "$rebuilt_cached" -eq 10 ]

# --- a small build is not held behind a long one ---
{ echo "FROM busybox"; for i in $(seq 1 100); do echo "RUN echo long $i"; done; } > long100.Dockerfile
mkdir long100 && mv long100.Dockerfile long100/Dockerfile
printf 'FROM busybox\nRUN echo small 1\nRUN echo small 2\nRUN echo small 3\n' > small3.Dockerfile
mkdir small3 && mv small3.Dockerfile small3/Dockerfile
"$S" build --progress=plain -t long100 long100 > long100.log 2>&1 &
long_pid=$!
for _ in $(seq 1 300); do
  grep -q 'RUN echo long 5$' long100.log && break
  sleep 0.1
done
check "the 100-step build is under way" grep -q 'RUN echo long 5$' long100.log
check "a 3-step build submitted behind it succeeds" "$S" build -q -t small3 small3
check "and finishes first" kill -0 "$long_pid"
wait "$long_pid"
long_rc=$?
check "the 100-step build succeeds too" [ "$long_rc" -eq 0 ]

# --- the same image ID as the embedded default ---
mkdir same && echo "same bytes" > same/file && cat > same/Dockerfile <<'EOF'
FROM scratch
COPY file /file
WORKDIR /srv
COPY file /srv/again
EOF
check "a cluster build of a scratch image" \
  env SOURCE_DATE_EPOCH=0 "$S" build -q --iidfile same.cluster same
check "the embedded default builds it too" \
  env -u STRATA_HOST STRATA_ROOT="$E2E_TMP/embedded" SOURCE_DATE_EPOCH=0 "$S" build -q --iidfile same.embedded same
check "the cluster build wrote its image ID" [ -s same.cluster ]
check "both give one image ID" [ "$(cat same.cluster)" = "$(cat same.embedded)" ]

# --- archives stream over the connection: save, load, build --output ---
quietly() { "$@" > /dev/null; }
stages_id=$("$S" image inspect -f '{{.Id}}' stages)
check "save streams the archive to the client" "$S" image save -o saved.tar stages
check "the archive is Docker's" quietly tar -xOf saved.tar manifest.json
check "save to stdout streams too" [ "$("$S" image save stages | wc -c)" -eq "$(wc -c < saved.tar)" ]
"$S" image rm stages > /dev/null
fails "the image is gone" "$S" image inspect stages
check "load streams it back" quietly "$S" image load -i saved.tar
check "the loaded image keeps its ID" [ "$("$S" image inspect -f '{{.Id}}' stages)" = "$stages_id" ]
check "build --output writes the OCI archive on the client" \
  "$S" build -q --output type=oci,dest=same.oci.tar same
check "skopeo reads it" quietly skopeo inspect --raw oci-archive:same.oci.tar
check "the coordinator kept no temp file of the streams" [ -z "$(ls -A "$C/store/tmp")" ]

# --- a client killed mid-RUN stops the RUN and tags nothing ---
mkdir long && cat > long/Dockerfile <<'EOF'
FROM busybox
RUN echo long-started; sleep 60; echo long-finished
EOF
# kill_client_during_run SIGNAL TAG: starts a build of long/ as TAG and
# sends SIGNAL to the client once the RUN runs in a container; sets
# STOPPED_IN (tenths of a second until no container is left, or "never").
kill_client_during_run() {
  # python3 execs the client with SIGINT back at its default: a background
  # job of a script would ignore it, unlike a terminal's Ctrl-C.
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    "$S" build --progress=plain --no-cache -t "$2" long > "$2.log" 2>&1 &
  local client=$! running=""
  for _ in $(seq 1 300); do
    running=$(all_containers)
    [ -n "$running" ] && break
    sleep 0.1
  done
  RAN=$running
  kill "-$1" "$client"
  wait "$client" 2>/dev/null
  STOPPED_IN=never
  for t in $(seq 1 50); do
    if [ -z "$(all_containers)" ]; then STOPPED_IN=$t; break; fi
    sleep 0.1
  done
}
kill_client_during_run KILL killed
check "the RUN of the client to kill started" [ -n "$RAN" ]
echo "# RUN stopped ${STOPPED_IN} tenths of a second after the client's SIGKILL"
check "a SIGKILLed client's RUN is stopped on its worker" [ "$STOPPED_IN" != never ]
fails "nothing is tagged for it" "$S" image inspect killed
kill_client_during_run INT interrupted
check "the RUN of the client to interrupt started" [ -n "$RAN" ]
echo "# RUN stopped ${STOPPED_IN} tenths of a second after the client's Ctrl-C"
check "an interrupted client's RUN is stopped on its worker" [ "$STOPPED_IN" != never ]
fails "nothing is tagged for the interrupted build" "$S" image inspect interrupted
check "the coordinator says why it cancelled" grep -q "went away; cancelling it" coordinator.log

# --- /metrics and /healthz ---
curl -fsS "$METRICS/metrics" > metrics.txt
check "the coordinator serves /metrics" [ -s metrics.txt ]
check "it counts the ready workers" grep -qx 'strata_workers{state="ready"} 3' metrics.txt
check "and the two cancelled builds" grep -qx 'strata_builds_total{result="cancelled"} 2' metrics.txt
check "and the jobs they stopped" grep -qx 'strata_jobs_cancelled_total 2' metrics.txt
check "build durations are a histogram" grep -q '^strata_build_duration_seconds_bucket{le="+Inf"} [1-9]' metrics.txt
check "/healthz says ok" [ "$(curl -fsS "$METRICS/healthz")" = ok ]

# --- a worker SIGKILLed mid-RUN: the step runs again elsewhere ---
mkdir crash && cat > crash/Dockerfile <<'EOF'
FROM busybox
RUN echo crash-started; sleep 4; echo crash-finished > /done
EOF
"$S" build --progress=plain -t crash crash > crash.log 2>&1 &
build_pid=$!
victim=$(worker_running_a_container)
check "the RUN to crash started on a worker" [ -n "$victim" ]
victim_pid_var=WORKER_PID_$victim
kill -9 "${!victim_pid_var}"
wait "$build_pid"
crash_rc=$?
check "the build whose worker died succeeds" [ "$crash_rc" -eq 0 ]
check "its progress says it ran again" grep -q "retrying on another worker (attempt 2/3): worker lost" crash.log
check "the image is tagged" "$S" image inspect -f '{{.Id}}' crash
check "worker ls shows the killed worker lost" grep -qx "w$victim lost" <<<"$("$S" worker ls --format '{{.ID}} {{.State}}')"
start_worker "$victim"  # back for the rest
for _ in $(seq 1 100); do
  [ "$(grep -c "worker w$victim registered" coordinator.log)" -ge 2 ] && break
  sleep 0.1
done
check "the killed worker registered again" [ "$(grep -c "worker w$victim registered" coordinator.log)" -ge 2 ]
check "its restart removed the dead run's container" [ -z "$(containers_of "$victim")" ]
mounts=$(findmnt -rn -o TARGET) || mounts="findmnt failed"
check "and the dead run's overlay mount" [ -z "$(grep "^$E2E_TMP/w$victim/" <<<"$mounts")" ]
check "and its bundle" [ -z "$(ls -A "$E2E_TMP/w$victim/runc/bundles" 2>&1)" ]

# --- a worker SIGTERMed mid-job drains: it finishes the job, then exits ---
mkdir drain && cat > drain/Dockerfile <<'EOF'
FROM busybox
RUN echo drain-started; sleep 3; echo drained > /drained
EOF
"$S" build --progress=plain -t drain drain > drain.log 2>&1 &
build_pid=$!
drained=$(worker_running_a_container)
check "the RUN to drain started on a worker" [ -n "$drained" ]
drained_pid_var=WORKER_PID_$drained
kill -TERM "${!drained_pid_var}"
wait "$build_pid"
drain_rc=$?
check "the build on the draining worker succeeds" [ "$drain_rc" -eq 0 ]
fails "its step was not run again" grep -q "retrying on another worker" drain.log
for _ in $(seq 1 100); do
  kill -0 "${!drained_pid_var}" 2>/dev/null || break
  sleep 0.1
done
fails "the drained worker exited" kill -0 "${!drained_pid_var}"
check "it says it drained" grep -q "drained: every job finished" "w$drained.log"
check "the coordinator sent it nothing more" grep -q "worker w$drained drains: no new jobs go to it" coordinator.log
start_worker "$drained"

# --- the coordinator SIGKILLed and restarted ---
client_port=${CLIENT_EP##*:}
worker_port=${WORKER_EP##*:}
before=$("$S" image ls --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)
# A build in flight: its RUN outlives the restart and its result reaches
# the new coordinator, which never sent that job.
mkdir inflight && cat > inflight/Dockerfile <<'EOF'
FROM busybox
RUN echo inflight-started; sleep 6; echo inflight-finished > /f
EOF
"$S" build --progress=plain -t inflight inflight > inflight.log 2>&1 &
inflight_pid=$!
check "the in-flight build's RUN started" [ -n "$(worker_running_a_container)" ]
kill -9 "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null
: > coordinator.log
start_coordinator "$client_port" "$worker_port"
check "the coordinator restarts on its ports" [ "$CLIENT_EP" = "$STRATA_HOST" ]
after=$("$S" image ls --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)
check "the coordinator listed images before its kill" [ -n "$before" ]
check "every image is still there" [ "$before" = "$after" ]
for _ in $(seq 1 150); do
  [ "$(registered_workers)" -ge 3 ] && break
  sleep 0.1
done
check "the three workers registered again by themselves" [ "$(registered_workers)" -eq 3 ]
for _ in $(seq 1 600); do
  kill -0 "$inflight_pid" 2>/dev/null || break
  sleep 0.1
done
wait "$inflight_pid"
inflight_rc=$?
check "the build in flight fails on its client" [ "$inflight_rc" -ne 0 ]
check "saying the coordinator restarted" grep -q "restarted during the build, which was lost with it; run it again" inflight.log
check "the late result from before the restart is refused" grep -q "result of job .* ignored: no such job is waited for" coordinator.log
fails "and nothing is tagged for it" "$S" image inspect inflight
mkdir again && cat > again/Dockerfile <<'EOF'
FROM busybox
RUN echo after-restart > /after
EOF
check "a build after the restart succeeds" "$S" build -q -t again again

# --- what workers keep, and --max-cache ---
held_of() { "$S" worker ls --format '{{.ID}} {{.HeldBytes}} {{.MaxCacheBytes}}' | awk -v w="w$1" '$1 == w {print $2, $3}'; }
read -r w1_held w1_max <<<"$(held_of 1)"
check "worker ls says what a worker keeps" [ "${w1_held:-0}" -gt 0 ]
check "and that it has no --max-cache" [ "$w1_max" = 0 ]
IFS='|' read -r _ wc_total _ wc_size _ <<<"$("$S" system df --format '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}' | grep '^Worker Cache|')"
check "system df counts the three workers" [ "$wc_total" = 3 ]
check "and what they keep" [ "$wc_size" != 0B ]
bc_total=$("$S" system df --format '{{.Type}} {{.TotalCount}}' | awk '$1 == "Build" {print $3}')
check "and the build cache entries" [ "${bc_total:-0}" -gt 0 ]
check "with --host, no containers of this machine" [ "$("$S" system df --format '{{.Type}}|{{.TotalCount}}' | grep '^Containers|')" = "Containers|0" ]
check "w1 keeps unpacked layers" [ -n "$(ls -A "$E2E_TMP/w1/snap/snapshots")" ]
fails "--max-cache refuses what is not a size" "$BIN/strata-worker" --coordinator "$WORKER_EP" \
  --root "$E2E_TMP/w-bad" --max-cache lots
kill -TERM "$WORKER_PID_1"
wait "$WORKER_PID_1" 2>/dev/null
: > w1.log
"$BIN/strata-worker" --coordinator "$WORKER_EP" --slots 1 --root "$E2E_TMP/w1" --id w1 \
  --max-cache 1 --metrics-listen 127.0.0.1:0 >> w1.log 2>&1 &
WORKER_PID_1=$!
for _ in $(seq 1 100); do
  [ "$(grep -c "worker w1 registered" coordinator.log)" -ge 2 ] && break
  sleep 0.1
done
check "w1 registered again with --max-cache 1" [ "$(grep -c "worker w1 registered" coordinator.log)" -ge 2 ]
check "at start it removed what it kept, being over its budget" [ -z "$(ls -A "$E2E_TMP/w1/snap/snapshots")" ]
check "and its cached blobs" [ -z "$(ls -A "$E2E_TMP/w1/blobs/sha256")" ]
for _ in $(seq 1 30); do
  [ "$(held_of 1)" = "0 1" ] && break
  sleep 0.1
done
check "worker ls shows its budget and nothing held" [ "$(held_of 1)" = "0 1" ]
mkdir small-cache && cat > small-cache/Dockerfile <<'EOF'
FROM busybox
RUN echo on-a-small-cache > /small
EOF
check "builds still succeed" "$S" build -q -t small-cache small-cache
W1_METRICS=$(grep -o 'worker metrics on http://[0-9.:]*' w1.log | tail -1 | awk '{print $4}')
check "the worker serves its own /metrics" quietly curl -fsS -o w1-metrics.txt "$W1_METRICS/metrics"
check "with its budget" grep -qx 'strata_worker_max_cache_bytes 1' w1-metrics.txt
check "and its evictions" grep -q '^strata_worker_evictions_total [1-9]' w1-metrics.txt
check "the worker's /healthz says ok" [ "$(curl -fsS "$W1_METRICS/healthz")" = ok ]

kill "$COORDINATOR_PID" 2>/dev/null
for i in 1 2 3; do
  pid_var=WORKER_PID_$i
  kill "${!pid_var}" 2>/dev/null
done
wait 2>/dev/null
finish

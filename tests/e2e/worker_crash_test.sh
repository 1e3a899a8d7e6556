#!/usr/bin/env bash
# The local worker dying during a build (docs/protocol.md "Lost workers"):
# SIGKILLed during a long RUN, the step runs again with a marker in the
# progress and the restarted worker removes the dead one's container,
# bundle, overlay mount and scratch; a step that kills every worker it runs
# on ends the build after two crashes instead of three runs.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if ! can_run_containers; then
  echo "SKIP: builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
  exit 0
fi

# runc, except that a RUN whose command says KILL-MY-WORKER kills the
# worker that runs it (the worker is the runtime's parent), as a crash in
# the worker while it handles that step would.
cat > runtime.sh <<'EOF'
#!/bin/sh
bundle=
prev=
for a in "$@"; do
  [ "$prev" = --bundle ] && bundle=$a
  prev=$a
done
if [ -n "$bundle" ] && grep -q KILL-MY-WORKER "$bundle/config.json"; then
  kill -9 "$PPID"
  exit 1
fi
exec runc "$@"
EOF
chmod +x runtime.sh
# Inherited by the coordinator the first command starts, and its worker.
export STRATA_RUNTIME=$E2E_TMP/runtime.sh

import_busybox_image busybox:latest
W=$STRATA_ROOT/worker

worker_pids() { pgrep -f "strata-worker .*--root $W( |\$)"; }
# Mount points under the worker's step mounts, one a line.
# The step mounts under the worker's root; "findmnt failed" (never empty)
# when the listing itself fails, so that an emptiness check cannot pass on it.
step_mounts() {
  local all
  all=$(findmnt -rn -o TARGET) || { echo "findmnt failed"; return; }
  grep "^$W/snap/mounts/" <<<"$all" || true
}
containers() { runc --root "$W/runc/state" list -q 2>/dev/null || true; }

# --- SIGKILL during a long RUN ---
# The RUN outlives the worker's restart (after 1 s), whose registering
# again makes the pool requeue the job with the marker: what is gone by
# then was removed by the new worker's start, not by the RUN ending.
mkdir long && cat > long/Dockerfile <<'EOF'
FROM busybox
RUN echo step-started; sleep 8; echo step-finished
EOF
"$S" build --progress=plain -t long long > long.log 2>&1 &
build_pid=$!
running=""
for _ in $(seq 1 900); do
  running=$(containers)
  [ -n "$running" ] && break
  sleep 0.1
done
check "the RUN started in a container" [ "$(echo "$running" | wc -w)" -eq 1 ]
old_worker=$(worker_pids)
check "one local worker runs" [ "$(echo "$old_worker" | wc -w)" -eq 1 ]
old_mount=$(step_mounts)
check "the RUN's overlay is mounted" [ "$(echo "$old_mount" | wc -w)" -eq 1 ]
kill -9 $old_worker
marker='^#[0-9]* retrying on another worker (attempt 2/3): worker lost$'
for _ in $(seq 1 600); do
  grep -q "$marker" long.log && break
  sleep 0.1
done
check "the progress marks the replay" grep -q "$marker" long.log
# line NEEDLE HAYSTACK: whether NEEDLE is a line of HAYSTACK.
line() { grep -qxF -- "$1" <<<"$2"; }
fails "the dead worker's container was deleted" line "$running" "$(containers)"
fails "its overlay was unmounted" line "$old_mount" "$(step_mounts)"
check "its mount directory was removed" [ ! -e "$(dirname "$old_mount")" ]
check "its bundle was removed" [ ! -e "$W/runc/bundles/$running" ]
wait $build_pid
long_rc=$?
check "the build succeeds on the restarted worker" [ "$long_rc" -eq 0 ]
check "the step's output is shown for the new run" grep -q 'step-finished' long.log
new_worker=$(worker_pids)
check "a new worker runs" [ -n "$new_worker" -a "$new_worker" != "$old_worker" ]
check "no step mount is left under $W/snap/mounts" [ -z "$(step_mounts)" ]
check "no mount directory is left" [ -z "$(ls -A "$W/snap/mounts")" ]
check "no runc container is left" [ -z "$(containers)" ]
check "no bundle is left" [ -z "$(ls -A "$W/runc/bundles")" ]

# --- a second worker on the same root is refused ---
second_out=$(timeout 20 "$(dirname "$S")/strata-worker" --coordinator "ipc://$STRATA_ROOT/worker.sock" --root "$W" 2>&1)
second_rc=$?
check "a second worker on a live worker's root is refused" [ "$second_rc" -ne 0 ]
check "it says why" grep -q "another strata-worker is running with --root $W" <<<"$second_out"
check "and leaves the live worker's state alone" [ "$(worker_pids)" = "$new_worker" ]

# --- a step that kills every worker it runs on ---
mkdir killer && cat > killer/Dockerfile <<'EOF'
FROM busybox
RUN echo KILL-MY-WORKER
EOF
"$S" build --progress=plain killer > killer.log 2>&1
killer_rc=$?
check "the build fails" [ "$killer_rc" -ne 0 ]
check "it blames the step after two crashes" grep -q 'Dockerfile:2: RUN echo KILL-MY-WORKER: step crashed the worker 2 times; not retried' killer.log
check "it was retried once, with the marker" [ "$(grep -c 'retrying on another worker (attempt 2/3): worker lost' killer.log)" -eq 1 ]
check "no third attempt" [ "$(grep -c 'attempt 3/3' killer.log)" -eq 0 ]

finish

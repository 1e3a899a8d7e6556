#!/usr/bin/env bash
# A worker whose disk fills (docs/cluster.md "What happens when things
# fail"): its root is a 24 MiB tmpfs, and a RUN that writes 64 MiB fills
# it. The worker reports the job failed on a full disk (a retryable error,
# not the RUN's exit code), the coordinator runs it again on the other
# worker, never the full one while another can take it, and the build
# succeeds. Two fresh workers hold no snapshot, so the first job goes to the
# first by id: "a-full".
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

can_run_containers || skip_suite "RUN needs root, runc and overlayfs (uid $(id -u))"

BIN=$(dirname "$S")
export STRATA_ROOT=$E2E_TMP/client
mkdir small
mount -t tmpfs -o size=24m strata-e2e-full "$E2E_TMP/small" || skip_suite "cannot mount a tmpfs"
unmount_small() {
  pkill -f "strata-worker .*$E2E_TMP/small" 2>/dev/null
  for _ in $(seq 1 50); do umount "$E2E_TMP/small" 2>/dev/null && break; sleep 0.1; done
  cleanup
}
trap unmount_small EXIT

"$BIN/strata-coordinator" --root "$E2E_TMP/coordinator" --listen tcp://127.0.0.1:0 \
  --workers tcp://127.0.0.1:0 --no-auth true > coordinator.log 2>&1 &
line=""
for _ in $(seq 1 100); do
  line=$(grep -o 'serving tcp://[0-9.:]*, workers on tcp://[0-9.:]*' coordinator.log | tail -1)
  [ -n "$line" ] && break
  sleep 0.1
done
export STRATA_HOST=$(awk '{print $2}' <<<"$line" | tr -d ,)
WORKER_EP=$(awk '{print $5}' <<<"$line")
check "the coordinator serves on TCP" [ -n "$WORKER_EP" ]
"$BIN/strata-worker" --coordinator "$WORKER_EP" --slots 1 --root "$E2E_TMP/small/w" --id a-full \
  > a-full.log 2>&1 &
"$BIN/strata-worker" --coordinator "$WORKER_EP" --slots 1 --root "$E2E_TMP/roomy" --id b-roomy \
  > b-roomy.log 2>&1 &
for _ in $(seq 1 100); do
  [ "$(grep -c "worker [ab]-[a-z]* registered" coordinator.log)" -ge 2 ] && break
  sleep 0.1
done
check "both workers registered" [ "$(grep -c "worker [ab]-[a-z]* registered" coordinator.log)" -eq 2 ]
import_busybox_image busybox:latest
check "busybox is on the coordinator" "$S" image inspect -f '{{.Id}}' busybox:latest

mkdir fill && cat > fill/Dockerfile <<'EOF'
FROM busybox
RUN dd if=/dev/zero of=/big bs=1M count=64 && echo wrote-64-MiB
EOF
"$S" build --progress=plain -t fill fill > fill.log 2>&1
fill_rc=$?
check "the build whose first worker's disk filled succeeds" [ "$fill_rc" -eq 0 ]
check "the full worker got the job first" grep -q "job .*RUN dd if=/dev/zero" a-full.log
check "and said its disk was full" grep -q "whose disk is full" a-full.log
check "the progress says it ran again elsewhere" grep -q "retrying on another worker (attempt 2/3)" fill.log
check "the other worker ran it" grep -q "job .*RUN dd if=/dev/zero" b-roomy.log
check "the RUN's output is the other worker's" grep -q "wrote-64-MiB" fill.log
check "the image is tagged" "$S" image inspect -f '{{.Id}}' fill
finish

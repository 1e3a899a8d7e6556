#!/usr/bin/env bash
# Tenancy on real processes over 127.0.0.1 (docs/tenancy.md): a coordinator
# with a tokens file, a worker with a worker token, two teams as clients.
#  - a missing, wrong or worker token is refused on the client endpoint,
#    and a worker without a worker token cannot register; each says what
#    to do;
#  - team B's build of team A's Dockerfile misses A's private entries and
#    makes its own layer; after A rebuilds with --cache-share, B hits;
#  - a member cannot shut the coordinator down or read every namespace's
#    disk use; a token added to the file works after SIGHUP;
#  - with CurveZMQ and an allow-list of keys: a client without the server
#    key, or with a key the file does not list, is not answered; a worker
#    registers by its listed key alone; an admin shuts the coordinator down.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

can_run_containers || skip_suite "RUN needs root, runc and overlayfs (uid $(id -u))"

BIN=$(dirname "$S")
C=$E2E_TMP/coordinator
export STRATA_ROOT=$E2E_TMP/client

# new_token NS ROLE: sets TOKEN and appends its grant line to tokens.
new_token() {
  "$S" system token create --namespace "$1" --role "$2" > token.out
  TOKEN=$(awk '/^Token: /{print $2}' token.out)
  grep '^sha256:' token.out >> tokens
}
: > tokens
new_token team-a member; TOKEN_A=$TOKEN
new_token team-b member; TOKEN_B=$TOKEN
new_token ops admin; TOKEN_ADMIN=$TOKEN
new_token farm worker; TOKEN_WORKER=$TOKEN
new_token team-d member; TOKEN_D=$TOKEN
check "token create prints a token and its line" [ -n "$TOKEN_A" ]
check "the tokens file holds no token" bash -c "! grep -q '$TOKEN_A' tokens"
check "five grants are written" [ "$(grep -c '^sha256:[0-9a-f]\{64\} ' tokens)" -eq 5 ]
fails "token create refuses a bad namespace" "$S" system token create --namespace 'Team A'

# start_coordinator EXTRA...: sets CLIENT_EP, WORKER_EP, COORDINATOR_PID.
start_coordinator() {
  : > coordinator.log
  "$BIN/strata-coordinator" --root "$C" --listen tcp://127.0.0.1:0 --workers tcp://127.0.0.1:0 \
    --tokens "$E2E_TMP/tokens" "$@" >> coordinator.log 2>&1 &
  COORDINATOR_PID=$!
  local line=""
  for _ in $(seq 1 100); do
    line=$(grep -o 'serving tcp://[0-9.:]*, workers on tcp://[0-9.:]*' coordinator.log | tail -1)
    [ -n "$line" ] && break
    sleep 0.1
  done
  CLIENT_EP=$(awk '{print $2}' <<<"$line" | tr -d ,)
  WORKER_EP=$(awk '{print $5}' <<<"$line")
}
registered() { grep -c "worker $1 registered" coordinator.log; }
wait_registered() {
  for _ in $(seq 1 100); do [ "$(registered "$1")" -ge 1 ] && return 0; sleep 0.1; done
  return 1
}

err=$("$BIN/strata-coordinator" --root "$E2E_TMP/open" --listen tcp://127.0.0.1:0 2>&1); rc=$?
check "a tcp:// coordinator without --tokens refuses to start" [ "$rc" -eq 2 ]
check "and says to give --tokens or --no-auth" grep -q -- '--tokens FILE.*--no-auth' <<<"$err"

start_coordinator
check "the coordinator serves TCP with tokens" [ -n "$CLIENT_EP" ]
export STRATA_HOST=$CLIENT_EP

# --- refusals ---
err=$(STRATA_TOKEN= "$S" image ls 2>&1); rc=$?
check "a client without a token is refused" [ "$rc" -ne 0 ]
check "told to pass --token or STRATA_TOKEN" grep -q 'needs a token: pass --token, set STRATA_TOKEN' <<<"$err"
err=$("$S" --token strata_guess image ls 2>&1); rc=$?
check "a wrong token is refused" [ "$rc" -ne 0 ]
check "as not valid here" grep -q 'not valid on this coordinator' <<<"$err"
err=$("$S" --token "$TOKEN_WORKER" image ls 2>&1); rc=$?
check "a worker token is refused on the client endpoint" [ "$rc" -ne 0 ]
check "saying it is for the worker endpoint" grep -q 'worker token is for the worker endpoint' <<<"$err"

timeout 20 "$BIN/strata-worker" --coordinator "$WORKER_EP" --root "$E2E_TMP/w0" --id w0 > w0.log 2>&1; rc=$?
check "a worker without a token exits with an error" [ "$rc" -ne 0 ]
check "saying it needs a worker token" grep -q 'needs a worker token' w0.log
timeout 20 "$BIN/strata-worker" --coordinator "$WORKER_EP" --root "$E2E_TMP/w0" --id w0 \
  --token "$TOKEN_A" > w0m.log 2>&1; rc=$?
check "a worker with a member token exits with an error" [ "$rc" -ne 0 ]
check "saying only role worker may register" grep -q 'only a grant of role worker' w0m.log
check "neither registered" [ "$(registered w0)" -eq 0 ]

"$BIN/strata-worker" --coordinator "$WORKER_EP" --slots 2 --root "$E2E_TMP/w1" --id w1 \
  --token "$TOKEN_WORKER" >> w1.log 2>&1 &
check "a worker with a worker token registers" wait_registered w1

# --- two teams, one cache ---
export STRATA_TOKEN=$TOKEN_ADMIN
import_busybox_image busybox:latest
check "the admin imported busybox (streamed over TCP)" "$S" image inspect -f '{{.Id}}' busybox:latest
mkdir app && cat > app/Dockerfile <<'DF'
FROM busybox
RUN cat /proc/sys/kernel/random/uuid > /id
DF
layer_of() { "$S" image inspect -f '{{index .RootFS.Layers 1}}' "$1"; }
check "team A builds" "$S" --token "$TOKEN_A" build -t app-a app
"$S" --token "$TOKEN_B" build --progress plain -t app-b app > b1.out 2>&1; rc=$?
check "team B builds the same Dockerfile" [ "$rc" -eq 0 ]
check "B's RUN was not served from A's private entry" bash -c "! grep -q 'RUN cat.*CACHED\|CACHED.*RUN cat' b1.out"
check "B made a layer of its own" [ "$(layer_of app-a)" != "$(layer_of app-b)" ]
"$S" --token "$TOKEN_A" build --progress plain -t app-a app > a2.out 2>&1
check "A's own rebuild hits its entry" grep -q 'CACHED' a2.out
check "A publishes with --cache-share" "$S" --token "$TOKEN_A" build --cache-share -t app-a app
"$S" --token "$TOKEN_B" build --progress plain -t app-b2 app > b2.out 2>&1
check "after A publishes, B's build hits" grep -q 'CACHED' b2.out
"$S" --token "$TOKEN_D" build --progress plain -t app-d app > d.out 2>&1
check "a team that never built it hits A's published entry" grep -q 'CACHED' d.out
check "and its image has A's layer" [ "$(layer_of app-a)" = "$(layer_of app-d)" ]

# --- roles ---
err=$("$S" --token "$TOKEN_A" system shutdown 2>&1); rc=$?
check "a member cannot shut the coordinator down" [ "$rc" -ne 0 ]
check "told only an admin may" grep -q 'only an admin may shut the coordinator down' <<<"$err"
check "the coordinator still runs" kill -0 "$COORDINATOR_PID"
fails "a member cannot read every namespace's disk use" "$S" --token "$TOKEN_A" system df
check "an admin can" "$S" --token "$TOKEN_ADMIN" system df

new_token team-c member; TOKEN_C=$TOKEN
fails "a token not yet loaded is refused" "$S" --token "$TOKEN_C" image ls
kill -HUP "$COORDINATOR_PID"
check "after SIGHUP it is taken" "$S" --token "$TOKEN_C" image ls

# --- login --token saves it for the host ---
check "login --token checks and saves the token" env STRATA_TOKEN= "$S" login --token "$TOKEN_B"
check "the saved token file is private" [ "$(stat -c %a "$STRATA_ROOT/hosts.json")" = 600 ]
check "a command without --token uses the saved one" env STRATA_TOKEN= "$S" image ls
fails "login --token refuses a wrong token" env STRATA_TOKEN= "$S" login --token strata_wrong

check "an admin shuts the coordinator down" "$S" --token "$TOKEN_ADMIN" system shutdown
for _ in $(seq 1 100); do kill -0 "$COORDINATOR_PID" 2>/dev/null || break; sleep 0.1; done
check "and it exits" bash -c "! kill -0 $COORDINATOR_PID 2>/dev/null"
pkill -f "strata-worker .*$E2E_TMP/w1" 2>/dev/null; sleep 0.5

# --- CurveZMQ with an allow-list ---
"$S" system keygen --out server > /dev/null
"$S" system keygen --out worker > /dev/null
"$S" system keygen --out client > /dev/null
"$S" system keygen --out stranger > /dev/null
check "keygen keeps the secret key private" [ "$(stat -c %a server.key)" = 600 ]
fails "keygen never overwrites a key" "$S" system keygen --out server
echo "curve:$(cat worker.pub) farm worker" >> tokens
echo "curve:$(cat client.pub) team-a member" >> tokens
start_coordinator --curve-secret-key "$E2E_TMP/server.key"
check "the coordinator serves TCP with CurveZMQ" [ -n "$CLIENT_EP" ]
export STRATA_HOST=$CLIENT_EP
unset STRATA_TOKEN
"$BIN/strata-worker" --coordinator "$WORKER_EP" --root "$E2E_TMP/w2" --id w2 \
  --curve-server-key server.pub --curve-secret-key worker.key >> w2.log 2>&1 &
check "a worker registers by its listed key alone" wait_registered w2
"$BIN/strata-worker" --coordinator "$WORKER_EP" --root "$E2E_TMP/w3" --id w3 \
  --curve-server-key server.pub --curve-secret-key stranger.key --token "$TOKEN_WORKER" >> w3.log 2>&1 &
sleep 3
check "a worker with an unlisted key is not let in, even with a token" [ "$(registered w3)" -eq 0 ]
check "a listed client key is a team-a identity" "$S" --curve-server-key server.pub \
  --curve-secret-key client.key image inspect -f '{{.Id}}' app-a
err=$("$S" --token "$TOKEN_ADMIN" image ls 2>&1); rc=$?
check "a client without the server key gets no answer" [ "$rc" -ne 0 ]
check "and is told about --curve-server-key" grep -q -- '--curve-server-key' <<<"$err"
fails "a client with an unlisted key gets none either" "$S" --token "$TOKEN_ADMIN" \
  --curve-server-key server.pub --curve-secret-key stranger.key image ls
check "a token still works through a listed key" "$S" --token "$TOKEN_B" \
  --curve-server-key server.pub --curve-secret-key client.key image ls
fails "the listed key of team-a cannot shut down" "$S" --curve-server-key server.pub \
  --curve-secret-key client.key system shutdown
check "no log line holds a token" bash -c "! grep -q 'strata_[0-9a-f]\{40\}' coordinator.log w1.log w2.log"
check "an admin shuts the Curve coordinator down" "$S" --token "$TOKEN_ADMIN" \
  --curve-server-key server.pub --curve-secret-key client.key system shutdown

pkill -f "strata-worker .*$E2E_TMP" 2>/dev/null
wait 2>/dev/null
finish

# A real registry (Debian's docker-registry) on 127.0.0.1 for the suites that
# pull and push. Source it after lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/registry_lib.sh"
#   start_registry open          # exports REGISTRY=127.0.0.1:PORT, prints it
#
# Modes:
#   open      anonymous pull and push
#   htpasswd  basic auth; exports REGISTRY_USER and REGISTRY_PASSWORD
#   token     bearer tokens from a loopback token issuer (strata-test-registry);
#             exports REGISTRY_USER/REGISTRY_PASSWORD (the issuer's account)
#
# Each registry keeps its storage under $E2E_TMP/registry-N and is stopped when
# the suite exits (or by stop_registry). The suite is skipped (77) only when
# /usr/bin/docker-registry is missing.
#
# start_registry must run in the suite's shell, not in $(...): it exports.

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REGISTRY_COUNT=0
REGISTRY_PIDS="$E2E_TMP/registry-pids"
STRATA_TEST_REGISTRY="$(dirname "$S")/strata-test-registry"

[ -x "$REGISTRY_BIN" ] || skip_suite "$REGISTRY_BIN is missing (Debian package docker-registry)"

stop_registries() {
  local pid
  [ -f "$REGISTRY_PIDS" ] || return 0
  while read -r pid; do
    kill "$pid" 2>/dev/null
  done < "$REGISTRY_PIDS"
  while read -r pid; do
    # Bounded wait: a registry that ignores TERM for 5 s gets KILL.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done < "$REGISTRY_PIDS"
  rm -f "$REGISTRY_PIDS"
}
trap 'stop_registries; cleanup' EXIT

# Waits (bounded, 10 s) for the "listening on" line of a registry log and
# prints the address.
_registry_wait_address() {
  local log=$1 pid=$2 addr=""
  for _ in $(seq 100); do
    addr=$(sed -n 's/.*msg="listening on \(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$log" 2>/dev/null | head -1)
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$addr" ] || return 1
  echo "$addr"
}

# Waits (bounded, 10 s) until GET /v2/ answers (200 or 401).
_registry_wait_ready() {
  local addr=$1 code
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/v2/" 2>/dev/null)
    [ "$code" = 200 ] || [ "$code" = 401 ] && return 0
    sleep 0.1
  done
  return 1
}

# start_registry [open|htpasswd|token]: starts a registry, exports REGISTRY
# (127.0.0.1:PORT), REGISTRY_DIR (its directory) and REGISTRY_PID, and prints
# the address. Returns 1 (the log on stderr) when it does not come up.
start_registry() {
  local mode=${1:-open} dir pid addr
  REGISTRY_COUNT=$((REGISTRY_COUNT + 1))
  dir="$E2E_TMP/registry-$REGISTRY_COUNT"
  mkdir -p "$dir/data"
  case "$mode" in
    open)
      cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
  secret: strata-e2e
EOF
      "$REGISTRY_BIN" serve "$dir/config.yml" > "$dir/log" 2>&1 < /dev/null &
      pid=$!
      echo "$pid" >> "$REGISTRY_PIDS"
      if ! addr=$(_registry_wait_address "$dir/log" "$pid"); then
        echo "docker-registry did not start; its log:" >&2
        cat "$dir/log" >&2
        return 1
      fi
      ;;
    htpasswd|token)
      if [ ! -x "$STRATA_TEST_REGISTRY" ]; then
        echo "start_registry $mode: $STRATA_TEST_REGISTRY is missing (build the strata-test-registry target)" >&2
        return 1
      fi
      "$STRATA_TEST_REGISTRY" serve --mode "$mode" --dir "$dir" > "$dir/tool.log" 2>&1 < /dev/null &
      pid=$!
      echo "$pid" >> "$REGISTRY_PIDS"
      for _ in $(seq 100); do
        [ -s "$dir/address" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if [ ! -s "$dir/address" ]; then
        echo "strata-test-registry serve --mode $mode did not start; its log:" >&2
        cat "$dir/tool.log" "$dir/log" >&2 2>/dev/null
        return 1
      fi
      addr=$(cat "$dir/address")
      REGISTRY_USER=$(cat "$dir/user")
      REGISTRY_PASSWORD=$(cat "$dir/password")
      export REGISTRY_USER REGISTRY_PASSWORD
      ;;
    *)
      echo "start_registry: unknown mode '$mode' (open, htpasswd or token)" >&2
      return 1
      ;;
  esac
  if ! _registry_wait_ready "$addr"; then
    echo "registry at $addr does not answer /v2/; its log:" >&2
    cat "$dir/log" >&2
    return 1
  fi
  REGISTRY=$addr
  REGISTRY_DIR=$dir
  REGISTRY_PID=$pid
  export REGISTRY REGISTRY_DIR REGISTRY_PID
  echo "$addr"
}

# start_proxy UPSTREAM [--corrupt PART] [--cut PART:BYTES] [--fail PART:STATUS:TIMES]:
# a fault proxy (strata-test-registry proxy) in front of the registry at
# UPSTREAM: responses whose path contains PART get a byte changed, are cut
# after BYTES body bytes (once), or get STATUS (TIMES times) without
# reaching the registry. Exports PROXY (127.0.0.1:PORT) and prints it.
start_proxy() {
  local upstream=$1 dir pid; shift
  REGISTRY_COUNT=$((REGISTRY_COUNT + 1))
  dir="$E2E_TMP/proxy-$REGISTRY_COUNT"
  mkdir -p "$dir"
  if [ ! -x "$STRATA_TEST_REGISTRY" ]; then
    echo "start_proxy: $STRATA_TEST_REGISTRY is missing (build the strata-test-registry target)" >&2
    return 1
  fi
  "$STRATA_TEST_REGISTRY" proxy --upstream "$upstream" --dir "$dir" "$@" > "$dir/log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" >> "$REGISTRY_PIDS"
  for _ in $(seq 100); do
    [ -s "$dir/address" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$dir/address" ]; then
    echo "strata-test-registry proxy did not start; its log:" >&2
    cat "$dir/log" >&2
    return 1
  fi
  PROXY=$(cat "$dir/address")
  PROXY_PID=$pid
  export PROXY PROXY_PID
  echo "$PROXY"
}

# stop_registry [PID]: stops one registry (default the last started), e.g. to
# check that a pull fails clearly while the registry is down.
stop_registry() {
  local pid=${1:-$REGISTRY_PID}
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
}

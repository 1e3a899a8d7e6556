#!/usr/bin/env bash
# Local mode's rooms and liveness: the state directory and its sockets are
# private whatever the umask, a root owned by another user is refused, the
# log file never follows a link, and a coordinator that dies under a request
# is noticed in seconds.
source "$(dirname "$0")/lib.sh"

# The worst umask, and a root somebody made world-writable beforehand.
umask 000
mkdir -p "$STRATA_ROOT"
chmod 0755 "$STRATA_ROOT"
check "image ls starts a local coordinator" "$S" image ls -q
mode_of() { stat -c %a "$1"; }
check "the state directory is 0700" test "$(mode_of "$STRATA_ROOT")" = 700
check "coordinator.sock is 0600" test "$(mode_of "$STRATA_ROOT/coordinator.sock")" = 600
check "worker.sock is 0600" test "$(mode_of "$STRATA_ROOT/worker.sock")" = 600
check "coordinator.log is 0600" test "$(mode_of "$STRATA_ROOT/coordinator.log")" = 600

# A planted log link is refused, and what it points at is not created.
other="$E2E_TMP/other-root"
mkdir -m 0700 "$other"
ln -s "$E2E_TMP/victim" "$other/coordinator.log"
fails "a symlinked coordinator.log is refused" env STRATA_ROOT="$other" "$S" image ls -q
check "the link's target was not written" test ! -e "$E2E_TMP/victim"

# A root that belongs to another user.
if [ "$(id -u)" = 0 ]; then
  foreign="$E2E_TMP/foreign-root"
  mkdir -m 0700 "$foreign"
  chown 65534:65534 "$foreign"
  env STRATA_ROOT="$foreign" "$S" image ls > "$E2E_TMP/foreign.out" 2>&1
  code=$?
  check "a root owned by another user is refused (exit $code)" test "$code" -ne 0
  check "the error says whose it is and what to do" \
    grep -q "belongs to uid 65534, not to you (uid 0); use a directory of your own" "$E2E_TMP/foreign.out"
fi

# A coordinator killed while a request waits on it: the client says so in
# seconds instead of waiting out its 30-minute timeout. The request is an
# import of 600 MB of random bytes, long enough to kill the coordinator once
# it has the file open.
umask 022
mkdir -p "$E2E_TMP/big"
head -c 600M /dev/urandom > "$E2E_TMP/big/blob"
check "made the big rootfs tar" tar -C "$E2E_TMP/big" -cf "$E2E_TMP/big.tar" blob
coord=$(pgrep -f "strata-coordinator --root $STRATA_ROOT " | head -1)
check "the local coordinator runs" test -n "$coord"
if [ -n "$coord" ]; then
  timeout 120 "$S" image import "$E2E_TMP/big.tar" big:1 > "$E2E_TMP/dead.out" 2>&1 &
  client=$!
  opened=no
  for _ in $(seq 1 400); do  # at most 20 s
    if ls -l "/proc/$coord/fd" 2>/dev/null | grep -q "big.tar"; then opened=yes; break; fi
    sleep 0.05
  done
  check "the coordinator opened the import" test "$opened" = yes
  kill -KILL "$coord"
  wait "$client"
  code=$?
  check "the client fails (exit $code: not 0, not timeout's 124)" \
    test "$code" -ne 0 -a "$code" -ne 124
  check "it says the coordinator stopped" \
    grep -q "the local coordinator stopped while serving this request" "$E2E_TMP/dead.out"
  check "the next command starts a new coordinator" "$S" image ls -q
fi
finish

#!/usr/bin/env bash
# A real Debian base for the tests, the demo and the benchmarks: makes
# `debootstrap --variant=minbase bookworm` once from Debian's archive, caches
# the root as a tarball outside the source tree (build/e2e-cache/ by default) and
# prints the tarball's path. Later runs reuse the tarball; the tarball is
# written to a temp name and renamed, and a lock keeps two callers from
# running debootstrap at once.
#
# Usage: scripts/debian_base.sh [--probe]
#   --probe  only checks that Debian's archive can be reached
# Env: STRATA_CACHE_DIR (default <source>/build/e2e-cache),
#      DEBIAN_MIRROR (default: the Debian mirror the machine's apt uses).
# Exit 0 with the path on stdout; 77 when Debian's archive cannot be reached
# (the reason on stderr: callers report a skip); 1 on any other failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${STRATA_CACHE_DIR:-$HERE/../build/e2e-cache}
SUITE=bookworm
TARBALL_NAME=debian-$SUITE-minbase.tar

# The first http(s) Debian mirror (not the security one) in apt's sources.
apt_mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -E '^[[:space:]]*(deb|URIs:)[[:space:]]' | grep -oE 'https?://[^[:space:]]+' |
    sed 's#/$##' | grep -E '/debian$' | head -1 || true
}
MIRROR=${DEBIAN_MIRROR:-$(apt_mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

probe() {
  if ! command -v curl >/dev/null; then
    echo "debian_base: curl is missing (scripts/setup.sh installs it)" >&2
    return 1
  fi
  local code
  code=$(curl -m 10 -s -o /dev/null -w '%{http_code}' -I "$MIRROR/dists/$SUITE/Release" 2>/dev/null) || code=000
  if [ "$code" != 200 ]; then
    echo "Debian's archive cannot be reached: HEAD $MIRROR/dists/$SUITE/Release gave HTTP $code within 10 s" >&2
    return 77
  fi
}

if [ "${1:-}" = --probe ]; then
  probe
  exit $?
fi

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
OUT="$CACHE/$TARBALL_NAME"
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi

exec 9>"$CACHE/$TARBALL_NAME.lock"
flock 9
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi   # another caller made it meanwhile

rc=0
probe || rc=$?
[ $rc -eq 0 ] || exit $rc
if ! command -v debootstrap >/dev/null; then
  echo "debian_base: debootstrap is missing (scripts/setup.sh installs it)" >&2
  exit 1
fi

WORK=$(mktemp -d "$CACHE/.debootstrap-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "debian_base: debootstrap --variant=minbase $SUITE from $MIRROR (once; cached as $OUT)" >&2
if ! debootstrap --variant=minbase "$SUITE" "$WORK/root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
  tail -20 "$WORK/debootstrap.log" >&2
  if grep -qiE 'Failed getting release file|Temporary failure resolving|Could not resolve|Connection (refused|timed out)' "$WORK/debootstrap.log"; then
    echo "Debian's archive cannot be reached: debootstrap from $MIRROR failed (log above)" >&2
    exit 77
  fi
  echo "debian_base: debootstrap failed (log above)" >&2
  exit 1
fi
# As Docker's debian images: no package lists, no downloaded .debs, no device
# nodes (the runtime makes /dev), no host name of the machine that built it.
rm -rf "$WORK/root/var/lib/apt/lists/"* "$WORK/root/var/cache/apt/archives/"*.deb \
  "$WORK/root/var/cache/apt/"*.bin "$WORK/root/dev/"* "$WORK/root/etc/hostname"
tar --numeric-owner --xattrs --xattrs-include='*' -C "$WORK/root" -cf "$WORK/root.tar" .
mv -f "$WORK/root.tar" "$OUT.tmp.$$"
mv -f "$OUT.tmp.$$" "$OUT"
echo "$OUT"

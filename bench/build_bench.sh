#!/usr/bin/env bash
# strata build beside buildah (`buildah bud --isolation chroot --layers`, its
# own storage directory, overlay driver) on this machine, in one run:
#   (a) a 30-step Dockerfile of small COPY and RUN steps,
#   (b) a generated 5,000-file / 200 MB context copied in, then one RUN,
#   (c) a three-stage build whose stages are independent,
#   (n) the tutorial's nginx Dockerfile (examples/webserver-debian: apt-get
#       update, upgrade, install nginx) on Debian bookworm made by
#       scripts/debian_base.sh; reaches Debian's archive, skipped when it
#       cannot be reached,
# each cold (fresh store, base image already there), rebuilt with no change,
# and (a-c) rebuilt after one context file changed. Prints median wall times,
# the ratios buildah/strata, and peak memory (strata's coordinator and worker,
# buildah's largest process).
#
# Usage: bench/build_bench.sh [RUNS]      (root, runc, overlayfs, buildah)
# Env: BENCH_SCENARIOS="a b c n" to pick, BENCH_MB=200 BENCH_FILES=5000 for (b).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
S="$PWD/build/bin/strata"
W=$(mktemp -d /tmp/strata-build-bench-XXXXXX)
SCENARIOS=${BENCH_SCENARIOS:-a b c n}
MB=${BENCH_MB:-200}
FILES=${BENCH_FILES:-5000}
export STRATA_LOCAL_IDLE_TIMEOUT=600
cleanup() {
  pkill -f "strata-coordinator --root $W" 2>/dev/null || true
  pkill -f "strata-worker .*$W" 2>/dev/null || true
  for r in "$W"/buildah-*; do
    [ -d "$r" ] && buildah --root "$r/root" --runroot "$r/run" rm -a >/dev/null 2>&1 || true
    umount -R "$r/root/overlay" 2>/dev/null || true
  done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT

for tool in runc buildah; do
  command -v $tool >/dev/null || { echo "build_bench: $tool is missing (scripts/setup.sh installs it)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build_bench: needs root (runc and overlay mounts)"; exit 1; }

# --- the base image, once: a busybox rootfs, saved as an archive both take ---
mkdir -p "$W/rootfs/bin" "$W/rootfs/etc" "$W/rootfs/tmp" && chmod 1777 "$W/rootfs/tmp"
cp /bin/busybox "$W/rootfs/bin/"
for a in sh echo cat ls wc find sha256sum dd head true sleep; do ln -sf busybox "$W/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$W/rootfs/etc/passwd"
tar -C "$W/rootfs" -cf "$W/busybox.tar" .
STRATA_ROOT="$W/seed" "$S" image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' \
  "$W/busybox.tar" busybox:latest >/dev/null
STRATA_ROOT="$W/seed" "$S" image save -o "$W/busybox-image.tar" busybox:latest
# (n)'s base: Debian bookworm minbase, imported with Docker's config and saved.
if [[ " $SCENARIOS " == *" n "* ]]; then
  if bash scripts/debian_base.sh --probe && debian_tar=$(bash scripts/debian_base.sh); then
    STRATA_ROOT="$W/seed" "$S" image import --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "$debian_tar" debian:bookworm >/dev/null
    STRATA_ROOT="$W/seed" "$S" image save -o "$W/debian-image.tar" debian:bookworm
  else
    echo "build_bench: skipping (n): Debian's archive cannot be reached"
    SCENARIOS=$(echo " $SCENARIOS " | sed 's/ n / /')
  fi
fi
BASE_IMAGE="$W/busybox-image.tar"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# fresh_strata NAME: a new store holding only the base image.
fresh_strata() {
  export STRATA_ROOT="$W/strata-$1"
  pkill -f "strata-coordinator --root $W/strata-" 2>/dev/null || true
  sleep 0.2
  rm -rf "$STRATA_ROOT"
  "$S" image load -q -i "$BASE_IMAGE"
}
# fresh_buildah NAME: a new buildah storage holding only the base image.
fresh_buildah() {
  B_ROOT="$W/buildah-$1"
  rm -rf "$B_ROOT"
  mkdir -p "$B_ROOT"
  buildah --root "$B_ROOT/root" --runroot "$B_ROOT/run" --storage-driver overlay \
    pull -q "docker-archive:$BASE_IMAGE" >/dev/null
}
strata_build() { "$S" build -q -t bench:latest "$1" >/dev/null 2>"$W/last-strata.err" || { cat "$W/last-strata.err"; exit 1; }; }
buildah_build() {
  /usr/bin/time -f %M -a -o "$W/buildah-rss-kb" buildah --root "$B_ROOT/root" --runroot "$B_ROOT/run" --storage-driver overlay \
    bud --isolation chroot --layers -q -t bench:latest "$1" >/dev/null 2>"$W/last-buildah.err" ||
    { cat "$W/last-buildah.err"; exit 1; }
}
# timed CMD...: milliseconds of wall time.
timed() { local t0; t0=$(now_ms); "$@"; echo $(( $(now_ms) - t0 )); }

# --- scenario generators: gen_X DIR; change_X DIR N (changes one file) ---
gen_a() {
  mkdir -p "$1"
  { echo "FROM busybox"
    for i in $(seq -w 1 15); do echo "COPY f$i /d/f$i"; echo "RUN echo $i >> /log"; done
  } > "$1/Dockerfile"
  for i in $(seq -w 1 15); do echo "file $i" > "$1/f$i"; done
}
change_a() { echo "change $2" >> "$1/f08"; }

gen_b() {
  mkdir -p "$1"
  python3 - "$1/ctx" "$MB" "$FILES" <<'EOF'
import os, random, sys
root, mb, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
size = mb * 1024 * 1024 // files
words = [b"strata", b"layer", b"cache", b"build", b"worker", b"digest", b"overlay"]
for i in range(files):
    d = os.path.join(root, "d%02d" % (i % 50))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        if i % 2:
            f.write(rng.randbytes(size))
        else:
            out = bytearray()
            while len(out) < size:
                out += rng.choice(words) + b" "
            f.write(bytes(out[:size]))
EOF
  printf 'FROM busybox\nCOPY ctx /ctx\nRUN find /ctx -type f | wc -l > /count\n' > "$1/Dockerfile"
}
change_b() { echo "change $2" >> "$1/ctx/d07/f00007"; }

gen_c() {
  mkdir -p "$1"
  for s in 1 2 3; do echo "stage $s" > "$1/s$s.txt"; done
  cat > "$1/Dockerfile" <<'EOF'
FROM busybox AS one
COPY s1.txt /in
RUN dd if=/dev/zero bs=1M count=300 2>/dev/null | sha256sum > /out && cat /in >> /out
FROM busybox AS two
COPY s2.txt /in
RUN dd if=/dev/zero bs=1M count=300 2>/dev/null | sha256sum > /out && cat /in >> /out
FROM busybox AS three
COPY s3.txt /in
RUN dd if=/dev/zero bs=1M count=300 2>/dev/null | sha256sum > /out && cat /in >> /out
FROM busybox
COPY --from=one /out /one
COPY --from=two /out /two
COPY --from=three /out /three
EOF
}
change_c() { echo "change $2" >> "$1/s2.txt"; }

gen_n() { cp -r examples/webserver-debian "$1"; }

peak_kb() {  # largest VmHWM of the running processes matching $1
  local best=0 v
  for pid in $(pgrep -f "$1" || true); do
    v=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$best" ] && best=$v
  done
  echo $best
}

printf '\n%-4s %-10s %10s %10s %8s\n' "case" "build" "strata ms" "buildah ms" "ratio"
for sc in $SCENARIOS; do
  src="$W/src-$sc"
  gen_$sc "$src"
  BASE_IMAGE="$W/busybox-image.tar"
  [ $sc = n ] && BASE_IMAGE="$W/debian-image.tar"
  rm -f "$W/buildah-rss-kb"
  declare -A T=()
  for tool in strata buildah; do
    cold=()
    for r in $(seq 1 $(( RUNS < 3 ? RUNS : 3 ))); do
      rm -rf "$W/ctx-$sc-$tool" && cp -r "$src" "$W/ctx-$sc-$tool"
      fresh_$tool "$sc-$r"
      cold+=("$(timed ${tool}_build "$W/ctx-$sc-$tool")")
    done
    T[$tool-cold]=$(printf '%s\n' "${cold[@]}" | median)
    nochange=()
    for r in $(seq 1 "$RUNS"); do nochange+=("$(timed ${tool}_build "$W/ctx-$sc-$tool")"); done
    T[$tool-nochange]=$(printf '%s\n' "${nochange[@]}" | median)
    changed=()
    declare -F change_$sc >/dev/null || RUNS_CHANGED=0
    for r in $(seq 1 "${RUNS_CHANGED:-$RUNS}"); do
      change_$sc "$W/ctx-$sc-$tool" "$tool-$r"
      changed+=("$(timed ${tool}_build "$W/ctx-$sc-$tool")")
    done
    T[$tool-changed]=$( ((${#changed[@]})) && printf '%s\n' "${changed[@]}" | median || echo -)
    if [ $tool = strata ]; then
      T[mem]="coordinator $(( $(peak_kb "strata-coordinator --root $STRATA_ROOT") / 1024 )) MB, worker $(( $(peak_kb "strata-worker .*$STRATA_ROOT") / 1024 )) MB"
    fi
  done
  T[mem]+=", buildah $(( $(sort -n "$W/buildah-rss-kb" | tail -1) / 1024 )) MB"
  for kind in cold nochange changed; do
    s=${T[strata-$kind]} b=${T[buildah-$kind]}
    [ "$s" = - ] && continue
    printf '%-4s %-10s %10s %10s %7sx\n' "$sc" "$kind" "$s" "$b" "$(awk -v b="$b" -v s="$s" 'BEGIN {printf "%.1f", b / (s > 0 ? s : 1)}')"
  done
  echo "     peak RSS: ${T[mem]}"
  unset T RUNS_CHANGED
done
echo
echo "runs: $RUNS (cold: min(RUNS,3)); medians; machine load: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Writes the seed corpora of the libFuzzer targets (docs/fuzzing.md) into
# build-fuzz/corpus/{plan,archive,template}. The archive seeds include an OCI
# layout saved by the normal build's strata (build/bin/strata), in a
# throw-away state directory whose coordinator exits when idle.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-fuzz/corpus
mkdir -p "$out/plan" "$out/archive" "$out/template"

# plan: BuildKit's parser test Dockerfiles and the strata seed, each behind
# two option headers (all off; target/build-args/platform/base scope on).
i=0
for f in tests/data/buildkit/parser/*/Dockerfile dockerfile/fuzz/plan_seed.Dockerfile; do
  i=$((i + 1))
  { printf '\x00\x00\x00\x00'; cat "$f"; } >"$out/plan/seed$i"
  { printf '\x05\xff\x03\x35'; cat "$f"; } >"$out/plan/seed${i}o"
done

# archive: small tars of each entry kind, one byte in front choosing the
# reader (00 import, 01 load, 02 extract, 12 extract restoring owners).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(
  cd "$tmp" && mkdir -p t/d/sub && cd t
  echo hello >d/file && ln -s file d/link && ln d/file d/hard
  touch d/sub/.wh.gone d/.wh..wh..opq "d/$(printf 'ü%.0s' $(seq 60))名前名前"
  tar -b1 -cf ../regular.tar d/file
  tar -b1 -cf ../symlink.tar d/link d/file
  tar -b1 -cf ../hardlink.tar d/file d/hard
  tar -b1 -cf ../dir.tar d/sub
  tar -b1 -cf ../whiteout.tar d/sub/.wh.gone d/.wh..wh..opq
  tar -b1 --format=posix -cf ../longname.tar d/
  tar -b1 --format=gnu -cf ../gnu.tar d/
  gzip -c ../regular.tar >../regular.tar.gz
)
if [ -x build/bin/strata ]; then
  root="$tmp/root"
  # The local coordinator it starts exits after a second without clients.
  export STRATA_LOCAL_IDLE_TIMEOUT=1
  build/bin/strata --root "$root" image import "$tmp/regular.tar" tiny:1 >/dev/null
  build/bin/strata --root "$root" image save -o "$tmp/oci.tar" tiny:1
  for _ in $(seq 60); do
    flock -n "$root/coordinator.lock" true && break
    sleep 0.5
  done
else
  echo "build/bin/strata missing (bash scripts/build.sh): no OCI layout seed" >&2
fi
for f in "$tmp"/*.tar "$tmp"/*.tar.gz; do
  for m in 00 01 02 12; do
    { printf "\x$m"; cat "$f"; } >"$out/archive/$m-$(basename "$f")"
  done
done

# template: --format strings covering actions, pipelines and every function.
i=0
while IFS= read -r t; do
  i=$((i + 1))
  printf '%s' "$t" >"$out/template/seed$i"
done <<'EOF'
{{.Id}}
{{json .Config}}
{{range .RepoTags}}{{.}} {{end}}
{{pad .Id 2 3}}
{{truncate .Id 12}}
{{printf "%-20s|%5.2f" .Os .Ratio}}
{{if eq .Os "linux"}}L{{else if .Flag}}F{{else}}N{{end}}
{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}
{{with .Config}}{{index .Env 0}}{{end}}
{{join (split .Config.WorkingDir "/") ","}}
{{- title (lower (upper .Architecture)) -}}
{{slice .Id 0 7}} {{len .RootFS.Layers}}
{{range 3}}{{.}}{{break}}{{end}}
{{/* c */}}{{$x := 1}}{{$x = 2}}{{$x}}
{{and .Flag (or .Parent .Size) | not}}
table {{.Repository}}\t{{.Tag}}\t{{.ID}}
{{println .Big .Negative}}{{print nil}}
EOF
echo "seeds: $(ls "$out/plan" | wc -l) plan, $(ls "$out/archive" | wc -l) archive, $(ls "$out/template" | wc -l) template"

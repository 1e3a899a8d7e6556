#!/usr/bin/env bash
# The main job: set-up, build, then show strata at work on examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
S=build/bin/strata

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

for f in examples/webserver/Dockerfile examples/hello/Dockerfile examples/multistage/Dockerfile; do
  step "strata dockerfile parse --dump $f"
  $S dockerfile parse --dump "$f"
  step "strata dockerfile plan $f"
  $S dockerfile plan "$f"
done

step "strata dockerfile plan examples/multistage/Dockerfile --target build --build-arg GREETING=annyeong"
$S dockerfile plan examples/multistage/Dockerfile --target build --build-arg GREETING=annyeong

step "strata dockerfile expand --env NAME=strata '\${NAME:-none}-\${MISSING:-default}' '\${NAME%ta}'"
$S dockerfile expand --env NAME=strata '${NAME:-none}-${MISSING:-default}' '${NAME%ta}'

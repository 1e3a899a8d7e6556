#!/usr/bin/env bash
# registry_lib.sh itself: the registries the pull/push suites start come up on
# loopback, take a push from skopeo, and go away on stop_registry.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
cd "$E2E_TMP"

start_registry open > addr.txt
check "start_registry open prints the address it exports" [ "$(cat addr.txt)" = "$REGISTRY" ]
check "the address is on loopback" bash -c "echo '$REGISTRY' | grep -Eq '^127\.0\.0\.1:[0-9]+$'"
check "GET /v2/ answers 200" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" = 200 ]

umoci init --layout layout >/dev/null
umoci new --image layout:t >/dev/null
check "skopeo pushes an OCI layout to it" skopeo copy --quiet oci:layout:t "docker://$REGISTRY/selftest/empty:t" --dest-tls-verify=false
check "the tag is listed" bash -c "curl -s 'http://$REGISTRY/v2/selftest/empty/tags/list' | grep -q '\"t\"'"
check "storage is under the suite's temp dir" [ -d "$REGISTRY_DIR/data/docker/registry/v2/repositories/selftest/empty" ]

first=$REGISTRY
start_registry open >/dev/null
check "a second registry gets another port" [ "$REGISTRY" != "$first" ]

stop_registry
fails "stop_registry stops it" curl -sf "http://$REGISTRY/v2/"
check "the first one still answers" curl -sf -o /dev/null "http://$first/v2/"
finish

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

# --- htpasswd: refused without credentials, accepted with them ---
start_registry htpasswd >/dev/null
check "htpasswd registry exports its account" [ -n "${REGISTRY_USER:-}" ]
check "htpasswd: /v2/ wants credentials" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" = 401 ]
fails "htpasswd: anonymous push is refused" skopeo copy --quiet oci:layout:t "docker://$REGISTRY/p/img:t" --dest-tls-verify=false
check "htpasswd: push with the account" skopeo copy --quiet oci:layout:t "docker://$REGISTRY/p/img:t" --dest-tls-verify=false --dest-creds "$REGISTRY_USER:$REGISTRY_PASSWORD"
stop_registry

# --- token: the bearer flow through the loopback token issuer ---
start_registry token >/dev/null
check "token: /v2/ sends a Bearer challenge" bash -c "curl -si 'http://$REGISTRY/v2/' | grep -qi '^www-authenticate: Bearer realm=\"http://127.0.0.1:'"
fails "token: anonymous push is refused" skopeo copy --quiet oci:layout:t "docker://$REGISTRY/t/img:t" --dest-tls-verify=false
check "token: push with the issuer's account" skopeo copy --quiet oci:layout:t "docker://$REGISTRY/t/img:t" --dest-tls-verify=false --dest-creds "$REGISTRY_USER:$REGISTRY_PASSWORD"
check "token: skopeo reads it back" bash -c "skopeo inspect --raw --tls-verify=false --creds \"$REGISTRY_USER:$REGISTRY_PASSWORD\" docker://$REGISTRY/t/img:t | grep -q schemaVersion"
stop_registry

# --- the fault proxy in front of an open registry ---
start_registry open >/dev/null
skopeo copy --quiet oci:layout:t "docker://$REGISTRY/f/img:t" --dest-tls-verify=false
start_proxy "$REGISTRY" --fail /v2/f/img/tags/list:503:1 >/dev/null
check "proxy: the first tags request gets the injected 503" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$PROXY/v2/f/img/tags/list")" = 503 ]
check "proxy: the next one reaches the registry" bash -c "curl -sf 'http://$PROXY/v2/f/img/tags/list' | grep -q '\"t\"'"

first=$REGISTRY
start_registry open >/dev/null
check "a second registry gets another port" [ "$REGISTRY" != "$first" ]

stop_registry
fails "stop_registry stops it" curl -sf "http://$REGISTRY/v2/"
check "the first one still answers" curl -sf -o /dev/null "http://$first/v2/"
finish

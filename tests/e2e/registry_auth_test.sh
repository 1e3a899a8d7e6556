#!/usr/bin/env bash
# strata login against a real registry that wants credentials (Debian's
# docker-registry on 127.0.0.1): with htpasswd (basic auth) and with token
# auth (a loopback token issuer signing RS256 JWTs the registry trusts).
# Without credentials a push and a pull are refused with a clear message;
# login checks the credentials with the registry and stores only accepted
# ones; after `strata login` both work; after `strata logout` they are refused
# again, by the same coordinator too. The credentials file is mode 0600.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
cd "$E2E_TMP"
export STRATA_LOCAL_IDLE_TIMEOUT=900

if ! can_run_containers; then
  skip_suite "builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
fi

import_busybox_image busybox:latest
mkdir ctx
echo "secret app" > ctx/app.txt
printf 'FROM busybox\nCOPY app.txt /app.txt\n' > ctx/Dockerfile

# Whether strata's credentials file has no entry for registry $1.
not_stored() { [ ! -e "$STRATA_ROOT/auth.json" ] || ! grep -qF "\"$1\"" "$STRATA_ROOT/auth.json"; }

for mode in htpasswd token; do
  start_registry "$mode" >/dev/null || { not_ok "docker-registry starts ($mode)"; finish; exit 1; }
  image="$REGISTRY/team/app:$mode"
  check "$mode: the image builds" "$S" build -q -t "$image" ctx

  fails "$mode: a push without credentials is refused" "$S" push "$image"
  "$S" push "$image" > refused.log 2>&1
  check "$mode: the refusal says to log in" grep -qF "strata login $REGISTRY" refused.log

  # login asks the registry first (as docker login does): a wrong password
  # is refused there and nothing is stored.
  fails "$mode: login with a wrong password is refused" \
    "$S" login -u "$REGISTRY_USER" -p wrong-password "$REGISTRY"
  "$S" login -u "$REGISTRY_USER" -p wrong-password "$REGISTRY" > wrong-login.log 2>&1
  check "$mode: the refusal names the registry and its words" \
    grep -qE "^Error: login to $REGISTRY failed: registry $REGISTRY: .*(unauthorized|denied)" wrong-login.log
  check "$mode: a refused login stores nothing" not_stored "$REGISTRY"
  # Wrong credentials that come from a file (Docker's config.json, an old
  # login) are refused at use.
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" \
    "$(printf '%s:wrong-password' "$REGISTRY_USER" | base64 -w0)" > "wrong-auth-$mode.json"
  fails "$mode: a pull with a stored wrong password is refused" \
    env STRATA_ROOT="$E2E_TMP/wrong-$mode" STRATA_AUTH_FILE="$PWD/wrong-auth-$mode.json" "$S" pull "$image"
  check "$mode: login with --password-stdin" \
    "$S" login -u "$REGISTRY_USER" --password-stdin "$REGISTRY" <<<"$REGISTRY_PASSWORD"
  fails "$mode: the accepted login is stored" not_stored "$REGISTRY"
  check "$mode: the credentials file is mode 0600" \
    [ "$(stat -c %a "$STRATA_ROOT/auth.json")" = 600 ]
  fails "$mode: the file does not hold the password in clear" \
    grep -qF "$REGISTRY_PASSWORD" "$STRATA_ROOT/auth.json"
  check "$mode: push after login" "$S" push "$image" > pushed.log 2>&1
  check "$mode: the push names its digest" grep -qE "^$mode: digest: sha256:[0-9a-f]{64} size: " pushed.log

  # A fresh store with the same credentials file pulls it back.
  check "$mode: pull after login into an empty store" \
    env STRATA_ROOT="$E2E_TMP/fresh-$mode" STRATA_AUTH_FILE="$STRATA_ROOT/auth.json" "$S" pull "$image"
  check "$mode: the pulled image has the pushed image's ID" \
    [ "$(env STRATA_ROOT="$E2E_TMP/fresh-$mode" "$S" inspect -f '{{.Id}}' "$image")" = \
      "$("$S" inspect -f '{{.Id}}' "$image")" ]

  check "$mode: logout" "$S" logout "$REGISTRY"
  # The same coordinator must not go on with the credentials it was sent.
  fails "$mode: a push after logout is refused" "$S" push "$image"
  fails "$mode: a pull after logout is refused" \
    env STRATA_ROOT="$E2E_TMP/after-logout-$mode" STRATA_AUTH_FILE="$STRATA_ROOT/auth.json" "$S" pull "$image"
  stop_registry
done

finish

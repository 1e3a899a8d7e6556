#!/usr/bin/env bash
# strata push against a real registry (Debian's docker-registry on
# 127.0.0.1): what strata pushes is read back by skopeo and unpacked by
# umoci; a second push sends nothing; build --push and --output
# type=image,push=true; a stopped registry is a clear failure.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
cd "$E2E_TMP"
# One coordinator for the whole suite (no idle exit between its steps).
export STRATA_LOCAL_IDLE_TIMEOUT=900

if ! can_run_containers; then
  skip_suite "builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
fi
for tool in skopeo umoci jq; do
  command -v "$tool" >/dev/null || skip_suite "$tool is missing (scripts/setup.sh installs it)"
done

import_busybox_image busybox:latest
start_registry open >/dev/null || { not_ok "docker-registry starts"; finish; exit 1; }

mkdir ctx
echo "hello from strata" > ctx/hello.txt
cat > ctx/Dockerfile <<'EOF'
FROM busybox
RUN echo built > /built.txt
COPY hello.txt /app/hello.txt
CMD ["cat", "/app/hello.txt"]
EOF
check "the image builds" "$S" build -q -t "$REGISTRY/app:latest" ctx

# --- a first push sends every layer ---
check "push exits 0" "$S" push "$REGISTRY/app" > push1.log 2>&1
check "Docker's default-tag line" grep -qx "Using default tag: latest" push1.log
check "Docker's repository line" grep -qxF "The push refers to repository [$REGISTRY/app]" push1.log
layers=$("$S" inspect -f '{{len .RootFS.Layers}}' "$REGISTRY/app")
pushed=$(grep -cE '^[0-9a-f]{12}: Pushed$' push1.log)
check "one Pushed line per layer ($layers)" [ "$pushed" = "$layers" ]
manifest_digest=$(sed -n 's/^latest: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' push1.log)
check "a digest line" [ -n "$manifest_digest" ]
image_id=$("$S" inspect -f '{{.Id}}' "$REGISTRY/app")
check "RepoDigests names the pushed digest" \
  grep -qF "$REGISTRY/app@$manifest_digest" <<<"$("$S" inspect -f '{{json .RepoDigests}}' "$REGISTRY/app")"

# --- skopeo reads what strata pushed ---
check "skopeo inspect reads the pushed image" \
  skopeo inspect --tls-verify=false "docker://$REGISTRY/app:latest" > inspect.json
check "the registry's digest is strata's manifest digest" [ "$(jq -r .Digest inspect.json)" = "$manifest_digest" ]
check "the registry has every layer" [ "$(jq '.Layers | length' inspect.json)" = "$layers" ]
skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/app:latest" > raw.json
blob_dir="$STRATA_ROOT/store/blobs/sha256"
check "the manifest bytes are the stored ones" cmp raw.json "$blob_dir/${manifest_digest#sha256:}"
check "and name the image's config" [ "$(jq -r .config.digest raw.json)" = "$image_id" ]
check "skopeo copies it to an OCI layout" \
  skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/app:latest" "oci:$E2E_TMP/oci:app"
check "umoci unpacks the copy" umoci unpack --image "$E2E_TMP/oci:app" "$E2E_TMP/bundle"
check "the COPY'd file is in the pushed image" \
  [ "$(cat "$E2E_TMP/bundle/rootfs/app/hello.txt")" = "hello from strata" ]
check "the RUN's file is in the pushed image" [ "$(cat "$E2E_TMP/bundle/rootfs/built.txt")" = "built" ]
check "the base's busybox is in the pushed image" [ -x "$E2E_TMP/bundle/rootfs/bin/busybox" ]

# --- strata pulls it back into an empty store ---
check "pull into an empty store" env STRATA_ROOT="$E2E_TMP/fresh" "$S" pull "$REGISTRY/app:latest" > pull.log 2>&1
check "the same image ID" [ "$(STRATA_ROOT="$E2E_TMP/fresh" "$S" inspect -f '{{.Id}}' "$REGISTRY/app")" = "$image_id" ]
check "the same RepoDigest" \
  grep -qF "$REGISTRY/app@$manifest_digest" <<<"$(STRATA_ROOT="$E2E_TMP/fresh" "$S" inspect -f '{{json .RepoDigests}}' "$REGISTRY/app")"

# --- a second push sends nothing ---
check "push again exits 0" "$S" push "$REGISTRY/app:latest" > push2.log 2>&1
existing=$(grep -cE '^[0-9a-f]{12}: Layer already exists$' push2.log)
check "every layer already exists" [ "$existing" = "$layers" ]
check "no layer is pushed again" [ "$(grep -c ': Pushed$' push2.log)" = 0 ]
check "the second push names the same digest" grep -qE "^latest: digest: $manifest_digest " push2.log

# --- another repository of the registry: mounted, not sent ---
"$S" tag "$REGISTRY/app:latest" "$REGISTRY/copy:v1"
check "push to another repository" "$S" push "$REGISTRY/copy:v1" > push3.log 2>&1
mounted=$(grep -cE '^[0-9a-f]{12}: (Mounted from app|Layer already exists)$' push3.log)
check "its layers are mounted from app" [ "$mounted" = "$layers" ]
check "nothing was uploaded for it" [ "$(grep -c ': Pushed$' push3.log)" = 0 ]

# --- -a and -q ---
"$S" tag "$REGISTRY/app:latest" "$REGISTRY/app:v2"
check "push -a" "$S" push -a "$REGISTRY/app" > push-all.log 2>&1
check "push -a pushes latest" grep -qE '^latest: digest: ' push-all.log
check "push -a pushes v2" grep -qE '^v2: digest: ' push-all.log
check "the registry lists both tags" \
  [ "$(skopeo list-tags --tls-verify=false "docker://$REGISTRY/app" | jq -c '.Tags | sort')" = '["latest","v2"]' ]
check "push -q prints only the reference" [ "$("$S" push -q "$REGISTRY/app:v2")" = "$REGISTRY/app:v2" ]
fails "a tag with -a is refused" "$S" push -a "$REGISTRY/app:v2"

# --- an image not in the store ---
"$S" push "$REGISTRY/nothing:latest" > missing.log 2>&1
rc=$?
check "pushing a missing image fails" [ "$rc" -ne 0 ]
check "with Docker's message" \
  grep -qxF "An image does not exist locally with the tag: $REGISTRY/nothing" missing.log

# --- build --push and --output type=image,push=true ---
echo "second" > ctx/hello.txt
check "build --push exits 0" "$S" build --progress=plain -t "$REGISTRY/built:v1" --push ctx > build-push.log 2>&1
check "the build shows the push" grep -qF "pushing manifest for $REGISTRY/built:v1@sha256:" build-push.log
check "the registry has built:v1" skopeo inspect --tls-verify=false "docker://$REGISTRY/built:v1" > built.json
skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/built:v1" > built-raw.json
check "of the built image" [ "$(jq -r .config.digest built-raw.json)" = "$("$S" inspect -f '{{.Id}}' "$REGISTRY/built:v1")" ]
check "--output type=image,name=…,push=true exits 0" \
  "$S" build -q --output "type=image,name=$REGISTRY/out:v1,push=true" ctx
check "the output's name is tagged locally" "$S" inspect "$REGISTRY/out:v1" > /dev/null
check "and pushed" skopeo inspect --tls-verify=false "docker://$REGISTRY/out:v1" > /dev/null
fails "build --push without a tag is refused" "$S" build -q --push ctx
"$S" build -q --output "type=image,push=true,compression=zstd" -t x ctx > unsupported.log 2>&1
check "an unsupported output key says so" grep -qF "compression is not supported yet" unsupported.log

# --- the registry stopped ---
stop_registry
"$S" push "$REGISTRY/app:latest" > down.log 2>&1
rc=$?
check "a push to a stopped registry fails" [ "$rc" -ne 0 ]
check "naming the registry" grep -qF "$REGISTRY" down.log
echo "third" > ctx/hello.txt
"$S" build --progress=plain -t "$REGISTRY/built:v2" --push ctx > build-down.log 2>&1
rc=$?
check "build --push to a stopped registry exits non-zero" [ "$rc" -ne 0 ]
check "and says the image is built locally" grep -qF "is built and tagged locally" build-down.log
check "the image is tagged locally" "$S" inspect "$REGISTRY/built:v2" > /dev/null

finish

#!/usr/bin/env bash
# strata pull against a real docker-registry on 127.0.0.1: images strata
# made, put into the registry with skopeo (so this suite needs no strata
# push), pulled into fresh stores; up to date, RepoDigests, a multi-platform
# index, a corrupting proxy, a stopped registry, and a build whose FROM only
# the registry has.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
cd "$E2E_TMP"
command -v skopeo >/dev/null || skip_suite "skopeo is missing"

start_registry open >/dev/null

# --- an image strata made, in the registry ---
import_busybox_image src:1
src_id=$("$S" image inspect --format '{{.Id}}' src:1)
"$S" image save -o src.tar src:1
check "skopeo pushes strata's archive to the registry" \
  skopeo copy --quiet oci-archive:src.tar:1 "docker://$REGISTRY/e2e/busybox:1" --dest-tls-verify=false
reg_digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/e2e/busybox:1")

# --- pull into an empty store ---
export STRATA_ROOT="$E2E_TMP/root-pull"
"$S" pull "$REGISTRY/e2e/busybox:1" > pull1.txt 2> pull1.err
check "pull exits 0" [ $? = 0 ]
check "pull says where it pulls from" grep -qx "1: Pulling from e2e/busybox" pull1.txt
check "pull shows each layer complete" grep -Eq '^[0-9a-f]{12}: Pull complete$' pull1.txt
check "pull prints the registry's digest" grep -qx "Digest: $reg_digest" pull1.txt
check "pull says it downloaded a newer image" grep -qx "Status: Downloaded newer image for $REGISTRY/e2e/busybox:1" pull1.txt
check "pull ends with the full name" [ "$(tail -1 pull1.txt)" = "$REGISTRY/e2e/busybox:1" ]
check "the pulled image has the id strata gave it" \
  [ "$("$S" image inspect --format '{{.Id}}' "$REGISTRY/e2e/busybox:1")" = "$src_id" ]
check "inspect shows the RepoDigest" \
  [ "$("$S" image inspect --format '{{index .RepoDigests 0}}' "$REGISTRY/e2e/busybox:1")" = "$REGISTRY/e2e/busybox@$reg_digest" ]
"$S" image ls --digests > ls.txt
check "image ls --digests has a DIGEST column" grep -q "^REPOSITORY *TAG *DIGEST *IMAGE ID" ls.txt
check "image ls --digests shows the digest" grep -q "$REGISTRY/e2e/busybox *1 *$reg_digest" ls.txt

# --- again: nothing to do ---
"$S" pull "$REGISTRY/e2e/busybox:1" > pull2.txt
check "a second pull is up to date" grep -qx "Status: Image is up to date for $REGISTRY/e2e/busybox:1" pull2.txt
check "a second pull downloads no layer" bash -c "! grep -q 'Pull complete' pull2.txt"
check "-q prints only the name" [ "$("$S" pull -q "$REGISTRY/e2e/busybox:1")" = "$REGISTRY/e2e/busybox:1" ]
"$S" pull "$REGISTRY/e2e/busybox@$reg_digest" > pull3.txt
check "pull by digest" grep -qx "Status: Image is up to date for $REGISTRY/e2e/busybox@$reg_digest" pull3.txt

# --- a wrong platform, an unknown tag ---
fails "a single-platform image of another platform is refused" \
  "$S" pull --platform linux/s390x "$REGISTRY/e2e/busybox:1"
"$S" pull --platform linux/s390x "$REGISTRY/e2e/busybox:1" 2> platform.err
check "the platform error says what was wanted" grep -q "does not match the specified platform: wanted linux/s390x" platform.err
fails "an unknown tag fails" "$S" pull "$REGISTRY/e2e/busybox:nope"

# --- a multi-platform index: the machine's entry is chosen ---
mkdir -p layout && tar -C layout -xf src.tar
python3 - layout "$src_id" <<'EOF'
import hashlib, json, os, sys
root, config_id = sys.argv[1], sys.argv[2]
blobs = os.path.join(root, "blobs", "sha256")
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return "sha256:" + d, len(data)
index = json.load(open(os.path.join(root, "index.json")))
amd = index["manifests"][0]
manifest = json.load(open(os.path.join(blobs, amd["digest"][7:])))
config = json.load(open(os.path.join(blobs, manifest["config"]["digest"][7:])))
config["architecture"] = "arm64"
config["variant"] = "v8"
cdig, csize = put(json.dumps(config).encode())
manifest["config"] = dict(manifest["config"], digest=cdig, size=csize)
mdig, msize = put(json.dumps(manifest).encode())
arm = {"mediaType": amd["mediaType"], "digest": mdig, "size": msize,
       "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
amd = {"mediaType": amd["mediaType"], "digest": amd["digest"], "size": amd["size"],
       "platform": {"architecture": "amd64", "os": "linux"}}
idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
       "manifests": [arm, amd]}
idig, isize = put(json.dumps(idx).encode())
json.dump({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idig, "size": isize,
     "annotations": {"org.opencontainers.image.ref.name": "multi"}}]},
    open(os.path.join(root, "index.json"), "w"))
EOF
check "skopeo pushes the index" \
  skopeo copy --quiet --all oci:layout:multi "docker://$REGISTRY/e2e/multi:1" --dest-tls-verify=false
index_digest=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/e2e/multi:1" | sha256sum | cut -d' ' -f1)
export STRATA_ROOT="$E2E_TMP/root-multi"
if [ "$(uname -m)" = x86_64 ]; then
  "$S" pull "$REGISTRY/e2e/multi:1" > multi.txt
  check "the amd64 entry of the index is pulled" \
    [ "$("$S" image inspect --format '{{.Id}}' "$REGISTRY/e2e/multi:1")" = "$src_id" ]
  check "Digest: names the index" grep -qx "Digest: sha256:$index_digest" multi.txt
fi
"$S" pull --platform linux/arm64 "$REGISTRY/e2e/multi:1" > multi-arm.txt
check "--platform linux/arm64 pulls the arm64 entry" \
  [ "$("$S" image inspect --format '{{.Architecture}}' "$REGISTRY/e2e/multi:1")" = arm64 ]
"$S" pull --platform linux/s390x "$REGISTRY/e2e/multi:1" 2> multi.err
check "no matching entry is Docker's error" grep -q "no matching manifest for linux/s390x in the manifest list entries" multi.err

# --- a registry that corrupts blobs: a clear error, nothing stored ---
export STRATA_ROOT="$E2E_TMP/root-corrupt"
"$S" image ls > /dev/null
before=$(store_state)
start_proxy "$REGISTRY" --corrupt /blobs/ >/dev/null
fails "a corrupted blob fails the pull" "$S" pull "$PROXY/e2e/busybox:1"
"$S" pull "$PROXY/e2e/busybox:1" 2> corrupt.err
check "the error says the digest does not match" grep -qi "digest" corrupt.err
after=$(store_state)
check "a corrupted pull leaves the store as it was" [ "$before" = "$after" ]

# --- a build whose FROM only the registry has ---
export STRATA_ROOT="$E2E_TMP/root-build"
mkdir -p ctx
printf 'FROM %s/e2e/busybox:1\nENV PULLED=yes\n' "$REGISTRY" > ctx/Dockerfile
"$S" build --progress plain -t built:1 ctx > build.txt 2>&1
check "a build pulls its FROM image" [ $? = 0 ]
check "the build shows the pull" grep -q "load metadata for $REGISTRY/e2e/busybox:1" build.txt
check "the base is in the store after the build" "$S" image inspect "$REGISTRY/e2e/busybox:1"
check "the built image has the base's config" \
  [ "$("$S" image inspect --format '{{index .Config.Env 0}}' built:1)" = "PATH=/bin" ]
"$S" build --progress plain --pull -t built:1 ctx > build2.txt 2>&1
check "build --pull of an unchanged tag succeeds" [ $? = 0 ]
check "build --pull downloads nothing for an unchanged tag" bash -c "! grep -q 'Pull complete' build2.txt"

# --- the registry stopped: a clear error, the store unchanged ---
export STRATA_ROOT="$E2E_TMP/root-down"
"$S" image ls > /dev/null
before=$(store_state)
stop_registry
fails "a pull from a stopped registry fails" "$S" pull "$REGISTRY/e2e/busybox:1"
"$S" pull "$REGISTRY/e2e/busybox:1" 2> down.err
check "the error names the registry" grep -q "$REGISTRY" down.err
after=$(store_state)
check "a failed pull leaves the store as it was" [ "$before" = "$after" ]
finish

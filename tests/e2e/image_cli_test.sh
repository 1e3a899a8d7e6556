#!/usr/bin/env bash
# strata image import/ls/inspect/tag/rm/save/load with the real binaries,
# checked by skopeo and umoci, and the bad inputs of the image-store issue.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

make_busybox_rootfs rootfs
tar -C rootfs -cf busybox.tar .

# --- import, tag, ls, inspect ---
id=$("$S" image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' -m "from busybox-static" busybox.tar busybox:1.36)
check "import prints the image id" bash -c "echo $id | grep -Eq '^sha256:[0-9a-f]{64}$'"
check "tag" "$S" tag busybox:1.36 localhost:5000/tools/busybox
rows=$("$S" images --format '{{.Repository}} {{.Tag}} {{.ID}}')
check "ls shows both tags" [ "$(echo "$rows" | wc -l)" -eq 2 ]
check "two tags share one IMAGE ID" [ "$(echo "$rows" | awk '{print $3}' | sort -u | wc -l)" -eq 1 ]
check "ls -q prints short ids" [ "$("$S" images -q | head -1)" = "${id:7:12}" ]
check "ls filter reference" [ "$("$S" images --filter 'reference=localhost:5000/*/*' -q | wc -l)" -eq 1 ]
check "ls table header" bash -c "'$S' images | head -1 | grep -q '^REPOSITORY *TAG *IMAGE ID *CREATED *SIZE$'"
check "inspect Id" [ "$("$S" inspect --format '{{.Id}}' busybox:1.36)" = "$id" ]
check "inspect Cmd/Env/Comment" [ "$("$S" image inspect -f '{{json .Config.Cmd}}|{{index .Config.Env 0}}|{{.Comment}}' busybox:1.36)" = '["/bin/sh"]|PATH=/bin|from busybox-static' ]
check "inspect RepoTags prints like Go" [ "$("$S" inspect -f '{{.RepoTags}}' "$id")" = "[busybox:1.36 localhost:5000/tools/busybox:latest]" ]
check "inspect is a JSON array" bash -c "'$S' inspect busybox:1.36 | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0][\"RootFS\"][\"Type\"]==\"layers\" and len(d[0][\"RootFS\"][\"Layers\"])==1'"
check "inspect by id prefix" "$S" inspect -f '{{.Id}}' "${id:7:6}"

# --- save, then real tools read it ---
check "save" "$S" image save -o saved.tar busybox:1.36
check "skopeo reads it as oci-archive" bash -c "skopeo inspect oci-archive:saved.tar:1.36 | grep -q '\"Os\": \"linux\"'"
check "skopeo reads it as docker-archive" bash -c "skopeo inspect docker-archive:saved.tar:busybox:1.36 | grep -q '\"Architecture\": \"amd64\"'"
mkdir oci && tar -C oci -xf saved.tar
check "umoci unpacks it" umoci unpack --image oci:1.36 bundle
check "the unpacked rootfs holds busybox" cmp bundle/rootfs/bin/busybox /bin/busybox
check "save to stdout" bash -c "'$S' image save busybox:1.36 > piped.tar && cmp piped.tar saved.tar"

# --- load into an empty store gives the same image ---
loaded=$(STRATA_ROOT="$E2E_TMP/root2" "$S" image load -i saved.tar)
check "load reports the tag" [ "$loaded" = "Loaded image: busybox:1.36" ]
check "load gives the same image id" [ "$(STRATA_ROOT="$E2E_TMP/root2" "$S" inspect -f '{{.Id}}' busybox:1.36)" = "$id" ]
check "load from stdin" bash -c "STRATA_ROOT='$E2E_TMP/root3' '$S' image load < saved.tar | grep -q busybox:1.36"

# --- import from stdin, gzip and zstd give the same layer ---
gzip -c busybox.tar > busybox.tar.gz
zstd -q -c busybox.tar > busybox.tar.zst
"$S" image import - gz:1 < busybox.tar.gz >/dev/null
"$S" image import busybox.tar.zst zst:1 >/dev/null
l1=$("$S" inspect -f '{{json .RootFS}}' busybox:1.36)
check "gzip via stdin: same layer" [ "$("$S" inspect -f '{{json .RootFS}}' gz:1)" = "$l1" ]
check "zstd: same layer" [ "$("$S" inspect -f '{{json .RootFS}}' zst:1)" = "$l1" ]

# --- bad input: clear error, non-zero exit, store unchanged ---
before=$(store_state)
printf 'not a tarball\n' > notes.txt
head -c 20000 busybox.tar > truncated.tar
mkdir -p evil/a && echo x > evil/x
tar -C evil/a -cPf dotdot.tar ../x
tar -cPf absolute.tar "$E2E_TMP/evil/x"
ln -s /tmp evil/link && tar -C evil -cf symlink.tar link && rm evil/link && mkdir evil/link && echo x > evil/link/pwned && tar -C evil -rf symlink.tar link/pwned
for f in notes.txt truncated.tar dotdot.tar absolute.tar symlink.tar; do
  err=$("$S" image import "$f" bad:1 2>&1 >/dev/null); rc=$?
  check "import $f fails with a message" [ $rc -ne 0 -a -n "$err" ]
  echo "     $err"
done
fails "import of a missing file" "$S" image import nothere.tar bad:1
fails "inspect an unknown image" "$S" inspect nothere
fails "rm an unknown image" "$S" rmi nothere
fails "save an unknown image" "$S" image save -o x.tar nothere
check "a failed save leaves no file" [ ! -e x.tar ]
fails "tag UPPER:case" "$S" tag busybox:1.36 UPPER:case
fails "tag a:b:c" "$S" tag busybox:1.36 a:b:c
check "invalid reference uses Docker's wording" bash -c "'$S' tag busybox:1.36 UPPER:case 2>&1 | grep -q 'invalid reference format: repository name (library/UPPER) must be lowercase'"
fails "import with a bad --change" "$S" image import --change 'RUN rm -rf /' busybox.tar bad:1
fails "load of a non-archive" "$S" image load -i notes.txt
fails "load of a truncated archive" bash -c "head -c 3000 saved.tar > t.tar; '$S' image load -i t.tar"
check "the store is exactly as before" [ "$(store_state)" = "$before" ]

# --- rm: untag, then delete and free blobs ---
err=$("$S" rmi "${id:7:12}" 2>&1 >/dev/null); rc=$?
check "rm by id with two repositories is refused" [ $rc -eq 1 ]
check "rm by id with two repositories: Docker's conflict" [ "$err" = "Error response from daemon: conflict: unable to delete ${id:7:12} (must be forced) - image is referenced in multiple repositories" ]
out=$("$S" rmi localhost:5000/tools/busybox)
check "rm of one tag only untags" [ "$out" = "Untagged: localhost:5000/tools/busybox:latest" ]
"$S" rmi gz:1 zst:1 >/dev/null
out=$("$S" rmi busybox:1.36)
check "rm of the last tag deletes" [ "$out" = "$(printf 'Untagged: busybox:1.36\nDeleted: %s' "$id")" ]
check "no blob is left" [ -z "$(ls "$STRATA_ROOT/store/blobs/sha256")" ]

# --- two commands at the same moment share one coordinator ---
export STRATA_ROOT="$E2E_TMP/race"
"$S" images -q > r1.out 2>&1 & p1=$!
"$S" images -q > r2.out 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "both concurrent commands succeed" [ $r1 -eq 0 -a $r2 -eq 0 ]
check "one coordinator serves the root" [ "$(pgrep -fc "strata-coordinator --root $STRATA_ROOT ")" -eq 1 ]

# --- the local coordinator exits when idle ---
export STRATA_ROOT="$E2E_TMP/idle" STRATA_LOCAL_IDLE_TIMEOUT=1
"$S" images >/dev/null
gone=1
for _ in $(seq 1 50); do
  pgrep -f "strata-coordinator --root $STRATA_ROOT " >/dev/null || { gone=0; break; }
  sleep 0.2
done
check "idle coordinator exits by itself" [ $gone -eq 0 ]

finish

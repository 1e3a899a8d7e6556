#!/usr/bin/env bash
# Docker fidelity of the image commands (issue 8): version, pull, the
# unpacked SIZE, `images REPOSITORY[:TAG]`, RepoTags order, history, and
# `rmi` of an image a container uses; error texts that said things twice.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

make_busybox_rootfs rootfs
# 4 MiB of zeros: a few kB compressed, 4 MiB unpacked.
head -c 4194304 /dev/zero > rootfs/zeros
tar -C rootfs -cf busybox.tar .
id=$("$S" image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' busybox.tar busybox:1.36)
check "set-up: import" bash -c "echo '$id' | grep -Eq '^sha256:[0-9a-f]{64}$'"
check "set-up: tag busybox:latest" "$S" tag busybox:1.36 busybox:latest
check "set-up: tag example/bb:2.0" "$S" tag busybox:1.36 example/bb:2.0

# --- version ---
check "--version: strata version X, build COMMIT" bash -c "'$S' --version | grep -Eq '^strata version [0-9]+\.[0-9]+\.[0-9]+, build ([0-9a-f]{7}|unknown)$'"
out=$("$S" version); rc=$?
check "version exits 0" [ $rc -eq 0 ]
check "version: Client section first" [ "$(echo "$out" | head -2)" = "$(printf 'Client:\n Version:           %s' "$("$S" version -f '{{.Client.Version}}')")" ]
check "version: Server section with the coordinator" bash -c "echo '$out' | grep -q '^Server:$' && echo '$out' | grep -q '^ Coordinator:$' && echo '$out' | grep -Eq '^  Git commit: +([0-9a-f]{7}|unknown)$'"
check "version: OS/Arch" bash -c "echo '$out' | grep -Eq '^ OS/Arch: +linux/'"
check "version --format Server = Client" [ "$("$S" version -f '{{.Server.Version}} {{.Server.GitCommit}}')" = "$("$S" version -f '{{.Client.Version}} {{.Client.GitCommit}}')" ]
err=$("$S" --host tcp://127.0.0.1:1 version 2>&1 >/dev/null); rc=$?
check "version without a coordinator: exit 1" [ $rc -eq 1 ]
check "version without a coordinator: says so" [ -n "$err" ]
check "version without a coordinator: still the Client part" bash -c "'$S' --host tcp://127.0.0.1:1 version 2>/dev/null | head -1 | grep -qx 'Client:'"

# --- a pull that cannot reach its registry says so ---
err=$("$S" pull 127.0.0.1:1/busybox 2>&1 >/dev/null); rc=$?
check "pull of an unreachable registry exits 1" [ $rc -eq 1 ]
check "pull says it as Docker does" bash -c "echo '$err' | grep -q '^Error response from daemon: .*127.0.0.1:1'"
check "image pull too" bash -c "'$S' image pull 127.0.0.1:1/busybox 2>&1 | grep -q '^Error response from daemon: '"

# --- SIZE is the unpacked size ---
size=$("$S" inspect -f '{{.Size}}' busybox:1.36)
check "inspect .Size counts the 4 MiB unpacked (got $size)" [ "$size" -ge 4194304 ]
human=$("$S" images --format '{{.Size}}' busybox:1.36)
check "images SIZE is the unpacked size (got $human)" bash -c "echo '$human' | grep -Eq '^[4-9]\.[0-9]+MB$'"

check "set-up: save" "$S" image save -o saved.tar busybox:1.36
check "set-up: load into another store" bash -c "STRATA_ROOT='$E2E_TMP/root2' '$S' image load -i saved.tar >/dev/null"
check "a loaded image has the same unpacked size" [ "$(STRATA_ROOT="$E2E_TMP/root2" "$S" inspect -f '{{.Size}}' busybox:1.36)" = "$size" ]
check "its history shows the layer's unpacked size" [ "$(STRATA_ROOT="$E2E_TMP/root2" "$S" history --human=false --format '{{.Size}}' busybox:1.36)" = "$size" ]

# --- images [REPOSITORY[:TAG]] ---
check "images NAME: every tag of that repository" [ "$("$S" images --format '{{.Repository}}:{{.Tag}}' busybox | sort | tr '\n' ' ')" = "busybox:1.36 busybox:latest " ]
check "images NAME:TAG" [ "$("$S" images --format '{{.Repository}}:{{.Tag}}' busybox:1.36)" = "busybox:1.36" ]
check "images with a wildcard tag" [ "$("$S" images --format '{{.Tag}}' 'busybox:1.*')" = "1.36" ]
check "images */* (wildcards do not cross /)" [ "$("$S" images --format '{{.Repository}}' '*/*')" = "example/bb" ]
check "images NAME plus --filter reference=: either matches" [ "$("$S" images --format '{{.Repository}}:{{.Tag}}' --filter 'reference=example/*' busybox:latest | tr '\n' ' ')" = "example/bb:2.0 busybox:latest " ]
check "images of nothing: only the header" [ "$("$S" images nothere | wc -l)" -eq 1 ]
fails "images takes one REPOSITORY" "$S" images busybox example/bb

# --- RepoTags in Docker's order (by full name: docker.io/example < docker.io/library) ---
check "inspect RepoTags order" [ "$("$S" inspect -f '{{.RepoTags}}' busybox:1.36)" = "[example/bb:2.0 busybox:1.36 busybox:latest]" ]

# --- history of an imported image ---
hist=$("$S" history busybox:1.36)
check "history header" bash -c "echo '$hist' | head -1 | grep -Eq '^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$'"
check "history: one row, the image id" [ "$("$S" history --format '{{.ID}} {{.CreatedBy}}' busybox:1.36)" = "${id:7:12} strata image import" ]
check "image history --no-trunc -q" [ "$("$S" image history --no-trunc -q busybox:1.36)" = "$id" ]
check "history --human=false: bytes" bash -c "'$S' history --human=false --format '{{.Size}}' busybox:1.36 | grep -Eq '^[0-9]{7,}$'"
fails "history of an unknown image" "$S" history nothere

if ! can_run_containers; then
  echo "SKIP: builds and containers need root, runc and overlayfs"
  finish
  exit $?
fi

# --- history of a build: BuildKit's created_by, <missing>, 0B for metadata ---
mkdir app && echo hello > app/f.txt && cat > app/Dockerfile <<'DF'
FROM busybox:1.36
RUN echo hi > /hi
COPY f.txt /f.txt
ENV MODE=prod
CMD ["sh"]
DF
check "set-up: build" bash -c "'$S' build -q -t app:1 app > app.iid"
rows=$("$S" history --no-trunc --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}' app:1)
check "history rows: 4 steps + the import" [ "$(echo "$rows" | wc -l)" -eq 5 ]
check "history: newest row carries the id" [ "$(echo "$rows" | head -1 | cut -d'|' -f1)" = "$(cat app.iid)" ]
check "history: older rows are <missing>" [ "$(echo "$rows" | tail -4 | cut -d'|' -f1 | sort -u)" = "<missing>" ]
check "history: CMD is a 0B metadata row" [ "$(echo "$rows" | sed -n 1p | cut -d'|' -f2-4)" = 'CMD ["sh"]|0B|buildkit.dockerfile.v0' ]
check "history: ENV row" [ "$(echo "$rows" | sed -n 2p | cut -d'|' -f2,3)" = 'ENV MODE=prod|0B' ]
check "history: COPY as BuildKit writes it" [ "$(echo "$rows" | sed -n 3p | cut -d'|' -f2)" = 'COPY f.txt /f.txt # buildkit' ]
check "history: RUN as BuildKit writes it" [ "$(echo "$rows" | sed -n 4p | cut -d'|' -f2)" = 'RUN /bin/sh -c echo hi > /hi # buildkit' ]
check "history: the RUN layer has a size" bash -c "echo '$(echo "$rows" | sed -n 4p | cut -d'|' -f3)' | grep -Eq '^[0-9.]+kB$'"

# --- rmi of an image a container uses (Docker's conflicts) ---
used=$("$S" image import busybox.tar used:1)
check "set-up: import used:1" bash -c "echo '$used' | grep -Eq '^sha256:'"
check "set-up: a stopped container of used:1" "$S" run --name user1 used:1 true
cid=$("$S" ps -a --format '{{.ID}} {{.Names}}' | awk '$2 == "user1" {print $1}')
check "set-up: its id" bash -c "echo '$cid' | grep -Eq '^[0-9a-f]{12}$'"
err=$("$S" rmi used:1 2>&1 >/dev/null); rc=$?
check "rmi NAME of a used image exits 1" [ $rc -eq 1 ]
check "rmi NAME: Docker's wording" [ "$err" = "Error response from daemon: conflict: unable to remove repository reference \"used:1\" (must force) - container $cid is using its referenced image ${used:7:12}" ]
err=$("$S" rmi "${used:7:12}" 2>&1 >/dev/null); rc=$?
check "rmi ID of a stopped container's image exits 1" [ $rc -eq 1 ]
check "rmi ID: must be forced, stopped container" [ "$err" = "Error response from daemon: conflict: unable to delete ${used:7:12} (must be forced) - image is being used by stopped container $cid" ]
check "the image is still there" [ "$("$S" inspect -f '{{.Id}}' used:1)" = "$used" ]

used2=$("$S" image import --change 'CMD ["sleep", "300"]' busybox.tar used2:1)
check "set-up: import used2:1" bash -c "echo '$used2' | grep -Eq '^sha256:'"
rid=$("$S" run -d --name runner used2:1)
check "set-up: a running container of used2:1" bash -c "echo '$rid' | grep -Eq '^[0-9a-f]{64}$'"
err=$("$S" rmi -f "${used2:7:12}" 2>&1 >/dev/null); rc=$?
check "rmi -f ID of a running container's image exits 1" [ $rc -eq 1 ]
check "rmi -f ID: cannot be forced, running container" [ "$err" = "Error response from daemon: conflict: unable to delete ${used2:7:12} (cannot be forced) - image is being used by running container ${rid:0:12}" ]
check "rmi -f NAME of a running container's image only untags" [ "$("$S" rmi -f used2:1)" = "Untagged: used2:1" ]
check "... and keeps the image" [ "$("$S" inspect -f '{{.Id}}' "$used2")" = "$used2" ]
check "set-up: rm -f runner" "$S" rm -f runner
out=$("$S" rmi -f used:1)
check "rmi -f NAME of a stopped container's image deletes it" [ "$out" = "$(printf 'Untagged: used:1\nDeleted: %s' "$used")" ]
check "set-up: rm user1" "$S" rm user1

# --- errors say things once ---
mkdir missing && printf 'FROM busybox:1.36\nCOPY nothere /x\n' > missing/Dockerfile
err=$("$S" build -q missing 2>&1); rc=$?
check "COPY of a missing file fails" [ $rc -ne 0 ]
check "the error names the line once (no 'Dockerfile:2: :')" bash -c "echo '$err' | grep -q 'Dockerfile:2: failed to compute cache key' && ! echo '$err' | grep -q 'Dockerfile:2: :'"

finish

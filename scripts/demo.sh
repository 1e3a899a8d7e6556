#!/usr/bin/env bash
# The main job: set-up, build, then show strata at work: the Dockerfile front
# end on examples/, base images made on this machine (no outside registry is
# reached: busybox from the busybox-static package, and Debian bookworm from
# debootstrap, made once and cached under build/e2e-cache), the tutorial's images
# built, run and rebuilt from the cache (its nginx web server on Debian; busybox
# httpd stands in when Debian's archive cannot be reached), and the image store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
S="$PWD/build/bin/strata"
WORK=$(mktemp -d /tmp/strata-demo-XXXXXX)
export STRATA_ROOT="$WORK/root"
REGISTRY_PID=""
trap '[ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null; pkill -f "strata-coordinator --root $WORK" 2>/dev/null; pkill -f "strata-worker .*$WORK" 2>/dev/null; sleep 0.5; rm -rf "$WORK"' EXIT

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

step "a base image from the busybox-static package"
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/tmp" && chmod 1777 "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/"
for a in sh echo cat ls httpd mkdir uname wget id; do ln -sf busybox "$WORK/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$WORK/rootfs/etc/passwd"
tar -C "$WORK/rootfs" -cf "$WORK/busybox.tar" .
echo "\$ strata image import --change 'CMD [\"/bin/sh\"]' --change 'ENV PATH=/bin' busybox.tar busybox:latest"
$S image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$WORK/busybox.tar" busybox:latest

if [ "$(id -u)" = 0 ] && command -v runc >/dev/null && grep -q overlay /proc/filesystems; then
  step "strata build -t hellodocker examples/hello-busybox   (the tutorial's ENTRYPOINT + CMD)"
  $S build --progress=plain -t hellodocker examples/hello-busybox
  step "strata run --rm hellodocker"
  $S run --rm hellodocker
  step "strata run --rm hellodocker 'Hi, Docker!'"
  $S run --rm hellodocker 'Hi, Docker!'

  WEB=examples/webserver-busybox
  WEB_PAGE='strata-built web server'
  if bash scripts/debian_base.sh --probe && debian_tar=$(bash scripts/debian_base.sh); then
    step "a Debian base: debootstrap --variant=minbase bookworm (made once, cached as build/e2e-cache/${debian_tar##*/})"
    echo "\$ strata image import --change 'CMD [\"bash\"]' --change 'ENV PATH=...' ${debian_tar##*/} debian:bookworm"
    $S image import --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$debian_tar" debian:bookworm
    WEB=examples/webserver-debian
    WEB_PAGE='Welcome to nginx!'
    step "strata build -t webserver $WEB   (the tutorial's nginx Dockerfile, FROM debian:bookworm)"
  else
    echo "(Debian's archive cannot be reached: busybox httpd stands in for the tutorial's nginx)"
    step "strata build -t webserver $WEB   (busybox httpd for the tutorial's nginx)"
  fi
  $S build --progress=plain -t webserver "$WEB"
  step "strata run -d --name web -p 80:80 webserver; GET http://127.0.0.1:80/"
  $S run -d --name web -p 80:80 webserver
  # bash's /dev/tcp: the static busybox's own wget is not reliable outside a container.
  page=""
  for i in $(seq 1 50); do
    page=$(exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3) &&
      grep -qF "$WEB_PAGE" <<<"$page" && break
    sleep 0.2
  done
  echo "${page:-the server did not answer}"
  $S ps
  step "strata stop web && strata rm web"
  $S stop web && $S rm web

  step "strata build again: every step CACHED"
  $S build --progress=plain -t webserver "$WEB"
  step "strata build -t multistage examples/multistage   (stages, heredoc RUN, COPY --from)"
  $S build --progress=plain -t multistage examples/multistage
  $S run --rm multistage

  step "a local registry (Debian's docker-registry on 127.0.0.1); strata push hellodocker to it"
  mkdir -p "$WORK/registry"
  printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:0\n' \
    "$WORK/registry/data" > "$WORK/registry/config.yml"
  # The kernel picks the port; the registry logs it ("listening on").
  docker-registry serve "$WORK/registry/config.yml" > "$WORK/registry/log" 2>&1 < /dev/null &
  REGISTRY_PID=$!
  REG=""
  for i in $(seq 1 100); do
    REG=$(sed -n 's/.*msg="listening on \(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$WORK/registry/log" | head -1)
    [ -n "$REG" ] && break
    sleep 0.1
  done
  echo "\$ strata tag hellodocker $REG/hellodocker && strata push $REG/hellodocker"
  $S tag hellodocker "$REG/hellodocker"
  $S push "$REG/hellodocker"
  echo "\$ skopeo inspect --tls-verify=false docker://$REG/hellodocker:latest"
  skopeo inspect --tls-verify=false "docker://$REG/hellodocker:latest" | jq '{Digest, Layers}'
  step "strata push again: every layer already exists"
  $S push "$REG/hellodocker"
  step "strata pull $REG/hellodocker into a fresh store: the same image ID"
  STRATA_ROOT="$WORK/pulled" $S pull "$REG/hellodocker"
  STRATA_ROOT="$WORK/pulled" $S images --digests
  echo "pushed $($S image inspect -f '{{.Id}}' hellodocker), pulled $(STRATA_ROOT="$WORK/pulled" $S image inspect -f '{{.Id}}' "$REG/hellodocker")"

  step "strata images && strata image inspect hellodocker"
  $S images
  $S image inspect --format '{{.Id}} {{.RepoTags}} {{json .Config.Entrypoint}} {{json .Config.Cmd}}' hellodocker
  $S image inspect --format '{{json .Config.ExposedPorts}} {{json .Config.Cmd}}' webserver
else
  echo "(skipping builds and containers: they need root, runc and overlayfs)"
fi

step "strata image tag busybox hellodocker:1 && strata images"
$S image tag busybox hellodocker:1
$S images

step "strata image inspect --format '{{.Id}} {{.RepoTags}} {{json .Config.Cmd}}' busybox"
$S image inspect --format '{{.Id}} {{.RepoTags}} {{json .Config.Cmd}}' busybox

step "strata image save -o busybox.tar busybox, read by skopeo and umoci"
$S image save -o "$WORK/saved.tar" busybox
skopeo inspect "oci-archive:$WORK/saved.tar:latest" | head -8
mkdir "$WORK/oci" && tar -C "$WORK/oci" -xf "$WORK/saved.tar"
umoci unpack --image "$WORK/oci:latest" "$WORK/bundle" >/dev/null && ls "$WORK/bundle/rootfs/bin" | head -3

step "strata image load into an empty store gives the same image ID"
STRATA_ROOT="$WORK/other" $S image load -i "$WORK/saved.tar"
STRATA_ROOT="$WORK/other" $S images

step "strata image rm hellodocker:1 busybox"
$S image rm hellodocker:1 busybox
$S images

#!/usr/bin/env bash
# Nothing a Dockerfile or a run flag says reaches outside the container's
# root: a WORKDIR or -w that climbs with "..", or goes through a symlink of
# the image pointing at /tmp, makes its directory inside the container.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if ! can_run_containers; then
  skip_suite "containers need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
fi
import_busybox_image busybox:latest

mark="strata-escape-$$-$RANDOM"
host_dir_absent() { [ ! -e "/tmp/$mark-$1" ]; }

mkdir ctx
printf 'FROM busybox\nWORKDIR ../../../../tmp/%s-wd\n' "$mark" > ctx/Dockerfile
check "build with WORKDIR ../../../../tmp/..." "$S" build -q -t rooms:wd ctx
check "WORKDIR is stored cleaned, as Docker does" \
  test "$("$S" inspect -f '{{.Config.WorkingDir}}' rooms:wd)" = "/tmp/$mark-wd"
check "run in that WORKDIR" test "$("$S" run --rm rooms:wd pwd)" = "/tmp/$mark-wd"
check "the host's /tmp got nothing from WORKDIR" host_dir_absent wd

check "run -w /../../../../tmp/..." test "$("$S" run --rm -w "/../../../../tmp/$mark-w" busybox pwd)" = "/tmp/$mark-w"
check "the host's /tmp got nothing from -w" host_dir_absent w

# An image whose /hostlink points at /tmp: WORKDIR through it stays inside.
mkdir -p link-rootfs
make_busybox_rootfs link-rootfs
ln -s /tmp link-rootfs/hostlink
check "tar the linked rootfs" tar -C link-rootfs -cf link.tar .
check "import the image with /hostlink -> /tmp" "$S" image import link.tar rooms:link
# runc enters the directory through the container's own /hostlink, so the
# kernel names it /tmp/... of the container.
check "run -w /hostlink/... in it" \
  test "$("$S" run --rm -w "/hostlink/$mark-link" rooms:link pwd)" = "/tmp/$mark-link"
check "the host's /tmp got nothing through the image's symlink" host_dir_absent link
printf 'FROM rooms:link\nWORKDIR /hostlink/%s-link2\nRUN pwd > /where\n' "$mark" > ctx/Dockerfile
check "build with WORKDIR through the symlink" "$S" build -q -t rooms:link2 ctx
check "run the image built through the symlink" "$S" run --rm rooms:link2 true
check "the host's /tmp got nothing from the build's WORKDIR either" host_dir_absent link2
rm -rf "/tmp/$mark-"*
finish

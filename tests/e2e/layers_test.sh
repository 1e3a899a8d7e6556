#!/usr/bin/env bash
# Layers as real images make them (issue 8): a RUN deleting two lower files
# (overlayfs whiteouts sharing one inode), non-ASCII file names through RUN,
# COPY, commit, export, import and save/load, and one layer twice in a chain.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if ! can_run_containers; then
  echo "SKIP: builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
  exit 0
fi

# A busybox base that, like Debian, has /etc/issue and /etc/issue.net.
make_busybox_rootfs base
echo 'Debian GNU/Linux 12' > base/etc/issue
echo 'Debian GNU/Linux 12' > base/etc/issue.net
echo 'motd' > base/etc/motd
tar -C base -cf base.tar .
check "the base imports" "$S" image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' base.tar base:1

build() {
  local name=$1 dir=$2; shift 2
  "$S" build --progress=plain "$@" "$dir" > "$name.log" 2>&1
}

# --- RUN rm of two lower files: the next step and `run` unpack the layer ---
mkdir rm2 && cat > rm2/Dockerfile <<'EOF2'
FROM base:1
RUN rm /etc/issue /etc/issue.net /etc/motd
RUN test ! -e /etc/issue && test ! -e /etc/issue.net && test ! -e /etc/motd && cat /etc/passwd > /passwd-copy
EOF2
check "a RUN deleting three lower files, then another step, builds" build rm2 rm2 -t rm2:1
check "the files are gone in the image" [ "$("$S" run --rm rm2:1 sh -c 'ls /etc/issue /etc/issue.net /etc/motd 2>/dev/null | wc -l')" = "0" ]
check "the rest of /etc is there" cmp -s <("$S" run --rm rm2:1 cat /passwd-copy) base/etc/passwd
check "a rebuild is all cached" build rm2-again rm2 -t rm2:1
check "the rebuild ran nothing" [ "$(grep -c ' CACHED$' rm2-again.log)" = "2" ]

# --- non-ASCII names: RUN, COPY, commit, export, import, save/load ---
# Command lines stay UTF-8 (runc's config.json is JSON); the Latin-1 name
# (byte 0xE9, not UTF-8) is made inside the container with printf.
utf8='Főtanúsítvány.crt'
latin1=$(printf 'latin1-\351t\351')
long=őőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőőő  # 120 bytes
L1='$(printf "latin1-\351t\351")'  # the Latin-1 name, as a shell word in the container
in_image() { "$S" run --rm "$1" sh -c "$2" sh "$utf8" "$long"; }  # $1 = utf8, $2 = long
mkdir names && cd names
echo copied > "$utf8"
echo latin > "$latin1"
mkdir -p "dir-$long" && echo deep > "dir-$long/$utf8"
cat > Dockerfile <<EOF2
FROM base:1
RUN touch /tmp/$utf8 && mkdir -p /tmp/$long && touch "/tmp/$long/$L1"
COPY . /ctx/
EOF2
cd ..
check "RUN and COPY of non-ASCII names build" build names names -t names:1
check "RUN made the UTF-8 name" in_image names:1 'test -f "/tmp/$1"'
check "RUN made the long path with a Latin-1 name" in_image names:1 "test -f \"/tmp/\$2/$L1\""
check "COPY kept the UTF-8 name" [ "$(in_image names:1 'cat "/ctx/$1"')" = "copied" ]
check "COPY kept the Latin-1 name" [ "$(in_image names:1 "cat \"/ctx/$L1\"")" = "latin" ]
check "COPY kept the long non-ASCII path" [ "$(in_image names:1 'cat "/ctx/dir-$2/$1"')" = "deep" ]

check "a container writes non-ASCII names" "$S" run --name namer names:1 sh -c "echo committed > \"/\$1\" && echo latin > \"/$L1\"" sh "$utf8"
check "commit of that container" "$S" container commit namer names:2
check "the committed image has the UTF-8 name" [ "$(in_image names:2 'cat "/$1"')" = "committed" ]
check "the committed image has the Latin-1 name" [ "$(in_image names:2 "cat \"/$L1\"")" = "latin" ]
check "export of that container" "$S" export -o names.tar namer
mkdir exported
check "the export unpacks with GNU tar" tar -C exported -xf names.tar
check "the export holds the UTF-8 name" [ "$(cat "exported/$utf8")" = "committed" ]
check "the export holds the Latin-1 name" [ "$(cat "exported/$latin1")" = "latin" ]
check "the export holds the long path" [ "$(cat "exported/ctx/dir-$long/$utf8")" = "deep" ]
check "import of the export" "$S" image import names.tar names:3
check "the imported image has the names" in_image names:3 "test -f \"/$L1\" && test -f \"/ctx/dir-\$2/\$1\""
check "image save" "$S" image save -o saved.tar names:2
check "image rm before load" "$S" image rm names:2
fails "the image is gone" "$S" inspect names:2
check "image load" "$S" image load -i saved.tar
check "the loaded image has the names" in_image names:2 "test -f \"/$L1\" && test -f \"/\$1\""

# --- one layer twice in a chain (two identical COPYs) ---
mkdir twice && echo same > twice/f && cat > twice/Dockerfile <<'EOF2'
FROM base:1
COPY f /f
COPY f /f
RUN cat /f > /seen
EOF2
check "two identical COPY steps then RUN build" build twice twice -t twice:1
# base, COPY, COPY, RUN: the two COPY layers are the same diff_id.
copy_layers_equal() {
  local json layers
  json=$("$S" inspect -f '{{json .RootFS.Layers}}' twice:1) || return 1
  IFS=',' read -ra layers <<< "$(tr -d '[]" ' <<< "$json")"
  [ "${#layers[@]}" = 4 ] && [ "${layers[1]}" = "${layers[2]}" ]
}
check "the two COPY layers are one layer" copy_layers_equal
check "the image runs" [ "$("$S" run --rm twice:1 cat /seen)" = "same" ]

# --- a Dockerfile that is not UTF-8 (Latin-1 bytes in a LABEL and a RUN) ---
# Every byte crosses the wire; where JSON must hold it (the image config,
# runc's config.json) it becomes U+FFFD, as Go's encoding/json writes it for
# Docker. It used to be a dropped frame and a build that never answered.
mkdir -p latin1
printf 'FROM base:1\nLABEL a=caf\351\nRUN echo caf\351 > /tmp/said\n' > latin1/Dockerfile
check "a Dockerfile with Latin-1 bytes builds" timeout 120 "$S" build -q -t latin1:1 latin1
check "its label holds U+FFFD for the byte" \
  [ "$("$S" inspect -f '{{index .Config.Labels "a"}}' latin1:1)" = "caf$(printf '\357\277\275')" ]
check "its RUN ran" [ -n "$("$S" run --rm latin1:1 cat /tmp/said)" ]

finish

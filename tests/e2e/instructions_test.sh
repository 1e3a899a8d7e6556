#!/usr/bin/env bash
# Every Dockerfile instruction built for real (runc + overlayfs), checked in
# the image config, in the image's files (save + umoci unpack), and by
# running the image: ENTRYPOINT/CMD exactly as Docker documents them.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if ! can_run_containers; then
  echo "SKIP: builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
  exit 77
fi
import_busybox_image busybox:latest

# build TAG DOCKERFILE-TEXT: builds in ctx/ (which holds the test files).
mkdir -p ctx/dir && echo one > ctx/one.txt && echo two > ctx/dir/two.txt
build() {
  printf '%s\n' "$2" > "ctx/$1.Dockerfile"
  "$S" build --progress=plain -t "$1" -f "ctx/$1.Dockerfile" ctx > "$1.log" 2>&1
}
# files TAG: unpacks the image's rootfs into TAG.rootfs/ with umoci.
files() {
  rm -rf "$1.oci" "$1.bundle" && mkdir "$1.oci"
  "$S" image save -o "$1.tar" "$1" && tar -C "$1.oci" -xf "$1.tar" &&
    umoci unpack --image "$1.oci:latest" "$1.bundle" >/dev/null 2>&1
}
cfg() { "$S" inspect -f "$2" "$1"; }

# --- ENTRYPOINT and CMD (docs: "Understand how CMD and ENTRYPOINT interact") ---
build ep-exec 'FROM busybox
ENTRYPOINT ["/bin/echo", "ep"]
CMD ["default"]'
check "exec ENTRYPOINT + CMD: CMD gives default arguments" [ "$("$S" run --rm ep-exec)" = "ep default" ]
check "run arguments replace CMD" [ "$("$S" run --rm ep-exec given)" = "ep given" ]
build ep-reset 'FROM busybox
ENTRYPOINT ["/bin/echo", "only"]'
check "ENTRYPOINT resets the CMD inherited from the base" [ "$(cfg ep-reset '{{json .Config.Cmd}}')" = "null" ]
check "so the container prints only the entrypoint" [ "$("$S" run --rm ep-reset)" = "only" ]
build ep-shell 'FROM busybox
ENTRYPOINT echo from-shell-form
CMD ["ignored"]'
check "shell-form ENTRYPOINT is /bin/sh -c" [ "$(cfg ep-shell '{{json .Config.Entrypoint}}')" = '["/bin/sh","-c","echo from-shell-form"]' ]
check "shell-form ENTRYPOINT ignores CMD and run arguments" [ "$("$S" run --rm ep-shell extra)" = "from-shell-form" ]
build cmd-shell 'FROM busybox
CMD echo cmd-shell-form'
check "shell-form CMD runs through /bin/sh -c" [ "$("$S" run --rm cmd-shell)" = "cmd-shell-form" ]
check "--entrypoint replaces ENTRYPOINT and drops CMD" [ "$("$S" run --rm --entrypoint /bin/echo ep-exec x)" = "x" ]

# --- metadata instructions ---
build meta 'FROM busybox
LABEL a=1 "b c"="d e"
MAINTAINER someone@example.com
EXPOSE 80 53/udp
ENV K1=v1 K2="v 2"
VOLUME ["/data"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD ["/bin/true"]
SHELL ["/bin/sh", "-ec"]
USER nobody:nogroup
WORKDIR rel
ONBUILD RUN echo child'
check "LABEL" [ "$(cfg meta '{{index .Config.Labels "a"}}|{{index .Config.Labels "b c"}}')" = "1|d e" ]
check "MAINTAINER sets Author" [ "$(cfg meta '{{.Author}}')" = "someone@example.com" ]
check "EXPOSE" [ "$(cfg meta '{{json .Config.ExposedPorts}}')" = '{"53/udp":{},"80/tcp":{}}' ]
check "ENV" [ "$(cfg meta '{{json .Config.Env}}')" = '["PATH=/bin","K1=v1","K2=v 2"]' ]
check "VOLUME" [ "$(cfg meta '{{json .Config.Volumes}}')" = '{"/data":{}}' ]
check "STOPSIGNAL" [ "$(cfg meta '{{.Config.StopSignal}}')" = "SIGINT" ]
check "HEALTHCHECK" [ "$(cfg meta '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}')" = '["CMD","/bin/true"] 2' ]
check "SHELL" [ "$(cfg meta '{{json .Config.Shell}}')" = '["/bin/sh","-ec"]' ]
check "USER" [ "$(cfg meta '{{.Config.User}}')" = "nobody:nogroup" ]
check "WORKDIR relative to /" [ "$(cfg meta '{{.Config.WorkingDir}}')" = "/rel" ]
check "ONBUILD recorded" [ "$(cfg meta '{{json .Config.OnBuild}}')" = '["RUN echo child"]' ]
check "metadata steps make no layer (only WORKDIR's mkdir does)" [ "$(cfg meta '{{len .RootFS.Layers}}')" = "$(( $(cfg busybox '{{len .RootFS.Layers}}') + 1 ))" ]
empties=$("$S" image save meta | tar -xO --wildcards 'blobs/sha256/*' 2>/dev/null | grep -ao '"empty_layer":true' | wc -l)
check "their history entries are empty_layer" [ "$empties" -ge 10 ]

# --- filesystem instructions ---
printf 'inside the tar\n' > tarred.txt && tar -cf ctx/archive.tar tarred.txt
gzip -c ctx/archive.tar > ctx/archive.tar.gz
build fs 'FROM busybox
WORKDIR /w
WORKDIR sub
RUN pwd > /pwd
COPY --chmod=0700 --chown=nobody:nogroup one.txt /owned/
COPY dir /copied-dir/
COPY *.txt /glob/
ADD archive.tar /untarred/
ADD archive.tar.gz /untarred-gz/
COPY archive.tar /kept.tar
RUN --network=none ls /sys/class/net > /nets
SHELL ["/bin/sh", "-ec"]
RUN <<EOF
echo heredoc-line-1 > /heredoc
echo heredoc-line-2 >> /heredoc
EOF
COPY <<EOF /inline.txt
inline file
EOF'
files fs
R=fs.bundle/rootfs
check "WORKDIR is created and relative WORKDIRs chain" [ "$(cat $R/pwd 2>/dev/null)" = "/w/sub" ]
check "COPY --chmod" [ "$(stat -c %a $R/owned/one.txt 2>/dev/null)" = "700" ]
check "COPY --chown resolves names in the image" [ "$(stat -c %u:%g $R/owned/one.txt 2>/dev/null)" = "65534:65534" ]
check "COPY of a directory copies its contents" [ "$(cat $R/copied-dir/two.txt 2>/dev/null)" = "two" ]
check "COPY with a wildcard" [ -f $R/glob/one.txt ]
check "ADD extracts a local tar" [ "$(cat $R/untarred/tarred.txt 2>/dev/null)" = "inside the tar" ]
check "ADD extracts a local tar.gz" [ "$(cat $R/untarred-gz/tarred.txt 2>/dev/null)" = "inside the tar" ]
check "COPY never extracts" [ -f $R/kept.tar ]
check "RUN --network=none sees only lo" [ "$(cat $R/nets 2>/dev/null)" = "lo" ]
check "RUN <<EOF runs the heredoc" [ "$(cat $R/heredoc 2>/dev/null | tr '\n' ' ')" = "heredoc-line-1 heredoc-line-2 " ]
check "COPY <<EOF writes the file" [ "$(cat $R/inline.txt 2>/dev/null)" = "inline file" ]

# --- what COPY/ADD put into the layer, as BuildKit does ---
# layer_entries TAG: "path|type|linkname|xattr names" for every entry of every
# layer of TAG (type: 0 file, 1 hard link, 2 symlink, 5 directory).
layer_entries() {
  "$S" image save -o "$1.layers.tar" "$1" && python3 - "$1.layers.tar" <<'PY'
import json, sys, tarfile
outer = tarfile.open(sys.argv[1])
def blob(d): return outer.extractfile("blobs/sha256/" + d.split(":")[1])
index = json.load(outer.extractfile("index.json"))
manifest = json.load(blob(index["manifests"][0]["digest"]))
for layer in manifest["layers"]:
    for m in tarfile.open(fileobj=blob(layer["digest"]), mode="r:*"):
        xattrs = sorted(k[len("SCHILY.xattr."):] for k in m.pax_headers if k.startswith("SCHILY.xattr."))
        print("%s|%s|%s|%s" % (m.name, m.type.decode(), m.linkname, ",".join(xattrs)))
PY
}
mkdir -p ctx/fid/real
echo target > ctx/fid/real/t.txt
ln -s real/t.txt ctx/fid/tlink
ln -s real ctx/fid/dlink
ln -s t.txt ctx/fid/real/inner
echo same > ctx/fid/h1 && ln ctx/fid/h1 ctx/fid/h2
echo caps > ctx/fid/xattr.bin
check "set-up: xattrs on a context file" python3 -c "
import os
os.setxattr('ctx/fid/xattr.bin', 'user.origin', b'context')
os.setxattr('ctx/fid/xattr.bin', 'security.capability', bytes([1,0,0,2, 0,4,0,0] + [0]*12))"
check "set-up: an archive whose link -> .. leads back to its top" python3 -c "
import io, tarfile
t = tarfile.open('ctx/fid/dotdot.tar', 'w')
link = tarfile.TarInfo('link'); link.type = tarfile.SYMTYPE; link.linkname = '..'
t.addfile(link)
f = tarfile.TarInfo('link/x'); f.size = 6
t.addfile(f, io.BytesIO(b'under\n'))
t.close()"
check "set-up: an archive climbing out of its destination" python3 -c "
import io, tarfile
t = tarfile.open('ctx/fid/escape.tar', 'w')
f = tarfile.TarInfo('../escaped'); f.size = 1
t.addfile(f, io.BytesIO(b'x'))
t.close()"
check "build: symlinks, owners, hard links, ADD of an archive" build fid 'FROM busybox
RUN echo "web:x:1200:50:web:/srv:/bin/sh" >> /etc/passwd && echo "staff:x:50:" >> /etc/group
COPY fid/tlink /named/
COPY fid/dlink /viadir/
COPY fid/dlink/t.txt /through/
COPY --chown=web fid/real/t.txt /chown-name/
COPY --chown=ghost fid/real/t.txt /chown-ghost/
COPY --chown=:staff fid/real/t.txt /chown-group/
COPY --chown=4242 fid/real/t.txt /chown-number/
COPY fid/h1 fid/h2 /hl/
ADD fid/dotdot.tar /unpacked/
ADD --chown=web fid/dotdot.tar /add-owned/
USER ghost
WORKDIR /ghost-home
USER root'
files fid
R=fid.bundle/rootfs
check "a COPY source that is a symlink gives a regular file" [ -f $R/named/tlink -a ! -L $R/named/tlink ]
check "with the target's content" [ "$(cat $R/named/tlink 2>/dev/null)" = "target" ]
check "a symlink to a directory copies the directory's contents" [ "$(cat $R/viadir/t.txt 2>/dev/null)" = "target" ]
check "symlinks inside a copied directory stay symlinks" [ "$(readlink $R/viadir/inner)" = "t.txt" ]
check "a symlink in the source's directories is followed" [ "$(cat $R/through/t.txt 2>/dev/null)" = "target" ]
check "--chown=NAME takes the user's primary group" [ "$(stat -c %u:%g $R/chown-name/t.txt 2>/dev/null)" = "1200:50" ]
check "--chown of a name missing from /etc/passwd is 0:0" [ "$(stat -c %u:%g $R/chown-ghost/t.txt 2>/dev/null)" = "0:0" ]
check "--chown=:GROUP" [ "$(stat -c %u:%g $R/chown-group/t.txt 2>/dev/null)" = "0:50" ]
check "--chown=UID is uid and gid" [ "$(stat -c %u:%g $R/chown-number/t.txt 2>/dev/null)" = "4242:4242" ]
check "WORKDIR under a USER missing from /etc/passwd is 0:0" [ "$(stat -c %u:%g $R/ghost-home 2>/dev/null)" = "0:0" ]
check "two hard-linked context files copied together are one file" [ "$(stat -c '%i %h' $R/hl/h1 2>/dev/null)" = "$(stat -c %i $R/hl/h2 2>/dev/null) 2" ]
check "ADD resolves link -> .. at the destination's top" [ "$(cat $R/unpacked/x 2>/dev/null)" = "under" ]
check "and writes nothing above it" [ ! -e $R/x ]
check "ADD --chown owns the extracted files" [ "$(stat -c %u:%g $R/add-owned/x 2>/dev/null)" = "1200:50" ]
layer_entries fid > fid.entries
check "the fid layers can be listed" [ -s fid.entries ]
check "the layer holds a tar hard link for the second name" grep -qx 'hl/h2|1|hl/h1|' fid.entries
fails "ADD of an archive entry climbing out of the destination fails" build escape 'FROM busybox
ADD fid/escape.tar /dst/'
check "the error names the entry" grep -q 'archive entry "../escaped" is outside the destination' escape.log

# xattrs, from the context and through COPY --from (checked in the layer tars).
check "build: xattrs from the context and from a stage" build fidx 'FROM busybox AS first
COPY fid/xattr.bin fid/h1 fid/h2 /x/
FROM busybox
COPY fid/xattr.bin /ctx/
COPY --from=first /x/ /from/'
layer_entries fidx > fidx.entries
check "the fidx layers can be listed" [ -s fidx.entries ]
check "COPY keeps user.* and security.capability from the context" grep -qx 'ctx/xattr.bin|0||security.capability,user.origin' fidx.entries
check "COPY --from keeps them too" grep -qx 'from/xattr.bin|0||security.capability,user.origin' fidx.entries
check "COPY --from keeps hard links within the copy" grep -qx 'from/h2|1|from/h1|' fidx.entries

# --- ADD of a URL with --checksum (a server on 127.0.0.1 only) ---
mkdir www && echo "remote content" > www/remote.txt
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
server=$!
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
sum=$(sha256sum www/remote.txt | cut -d' ' -f1)
build url "FROM busybox
ADD --checksum=sha256:$sum http://127.0.0.1:$port/remote.txt /remote.txt"
files url
check "ADD URL with a matching --checksum" [ "$(cat url.bundle/rootfs/remote.txt 2>/dev/null)" = "remote content" ]
check "ADD URL files are mode 600" [ "$(stat -c %a url.bundle/rootfs/remote.txt 2>/dev/null)" = "600" ]
fails "ADD URL with a wrong --checksum fails" build badsum "FROM busybox
ADD --checksum=sha256:$(printf '0%.0s' $(seq 64)) http://127.0.0.1:$port/remote.txt /remote.txt"
check "the checksum error says so" grep -q "checksum mismatch" badsum.log
fails "ADD of a missing URL fails" build notfound "FROM busybox
ADD http://127.0.0.1:$port/nothere.txt /x"
check "the 404 is reported" grep -q "404" notfound.log
kill $server

finish

#!/usr/bin/env bash
# strata on a real Debian base (debootstrap --variant=minbase bookworm, made
# once and cached under the build directory by scripts/debian_base.sh): the
# tutorial's nginx Dockerfile built, served on port 80 and rebuilt from the
# cache; apache2 built and served, then committed, exported and imported as
# the tutorial does; files with non-ASCII names through COPY, ADD, RUN,
# commit, export, import and save/load, byte for byte; `run -it` in a terminal
# (tmux); the non-ASCII build again through a TCP farm (coordinator and
# worker with roots of their own). Reaches Debian's archive (debootstrap, apt-get in RUN) and nothing
# else; exits 77 (ctest: Skipped) when the archive cannot be reached.
source "$(dirname "$0")/lib.sh"
SRC=$E2E_SRC
cd "$E2E_TMP"

if ! can_run_containers; then
  echo "SKIP: containers need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
  exit 77
fi
rc=0
why=$(bash "$SRC/scripts/debian_base.sh" --probe 2>&1) || rc=$?
if [ $rc -eq 77 ]; then echo "SKIP: $why"; exit 77; fi
check "Debian's archive probe" [ $rc -eq 0 ]
rc=0
import_debian_image debian:bookworm 2>import.err || rc=$?
if [ $rc -eq 77 ]; then echo "SKIP: $(tail -1 import.err)"; exit 77; fi
check "debian:bookworm from debootstrap imported" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { cat import.err; finish; exit 1; }

cleanup_containers() {
  "$S" ps -aq 2>/dev/null | while read -r c; do "$S" rm -f "$c" >/dev/null 2>&1; done
  tmux -L "strata-e2e-$$" kill-server 2>/dev/null
}
trap 'cleanup_containers; cleanup' EXIT

# build NAME DIR [ARGS...]: plain progress into NAME.log (its tail shown when
# the build fails), exit status kept.
build() {
  local name=$1 dir=$2; shift 2
  "$S" build --progress=plain "$@" "$dir" > "$name.log" 2>&1 || { tail -25 "$name.log"; return 1; }
}
cached_count() { grep -c ' CACHED$' "$1.log"; }
quiet() { "$@" >/dev/null; }
# Port 80 is the host's (strata runs containers on the host network).
port80_free() { ! (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; }
wait_port80_free() {
  local i
  for i in $(seq 1 60); do port80_free && return 0; sleep 0.5; done
  echo "port 80 is still in use after 30 s" >&2
  return 1
}
# serves TEXT: GET http://127.0.0.1:80/ answers with a page holding TEXT
# (bounded retries while the server starts).
serves() {
  local i page
  for i in $(seq 1 60); do
    page=$(curl -m 2 -s http://127.0.0.1:80/) && grep -qF "$1" <<<"$page" && return 0
    sleep 0.5
  done
  echo "GET / did not answer with \"$1\" (last answer: ${page:0:200})" >&2
  return 1
}
# A listing of the tree below . that differs when any name or content byte
# does: directories, then each regular file's sha256.
MANIFEST='find . -type d | LC_ALL=C sort; find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum'
manifest_of() { (cd "$1" && sh -c "$MANIFEST"); }
# same_trees A B DIR...: each DIR below A and B exists and holds the same
# names and bytes.
same_trees() {
  local a=$1 b=$2 d; shift 2
  for d in "$@"; do
    [ -d "$a/$d" ] && [ -d "$b/$d" ] || { echo "$d is missing in $a or $b" >&2; return 1; }
    diff <(manifest_of "$a/$d") <(manifest_of "$b/$d") >&2 || return 1
  done
}
# same TEXT WANT: TEXT is WANT and WANT is not empty.
same() { [ -n "$2" ] && [ "$1" = "$2" ]; }

# --- the tutorial's nginx Dockerfile, exactly as written, FROM debian ---
# examples/webserver-debian: the tutorial's Dockerfile with FROM debian:bookworm.
cp -r "$SRC/examples/webserver-debian" nginx
check "the example is the tutorial's Dockerfile" [ "$(grep -v '^#' nginx/Dockerfile)" = "$(printf '%s\n' 'FROM debian:bookworm' '' \
  'RUN apt-get -y update && apt-get -y upgrade' 'RUN apt-get -y install nginx' '' 'EXPOSE 80' '' 'CMD ["nginx", "-g", "daemon off;"]')" ]
check "the tutorial's nginx Dockerfile builds" build nginx1 nginx -t mynginx
check "nginx's config: CMD and EXPOSE" [ "$("$S" image inspect -f '{{json .Config.Cmd}} {{json .Config.ExposedPorts}}' mynginx)" = '["nginx","-g","daemon off;"] {"80/tcp":{}}' ]
id1=$("$S" image inspect -f '{{.Id}}' mynginx)
check "a rebuild builds" build nginx2 nginx -t mynginx
check "a rebuild: both RUN steps CACHED" [ "$(cached_count nginx2)" -eq 2 ]
check "a rebuild gives the same image" same "$("$S" image inspect -f '{{.Id}}' mynginx)" "$id1"

check "port 80 is free" wait_port80_free
check "run -d -p 80:80 mynginx" quiet "$S" run -d --name web -p 80:80 mynginx
check "nginx serves its welcome page on port 80" serves 'Welcome to nginx!'
check "stop web" quiet "$S" stop web
check "port 80 is free again after stop" wait_port80_free
check "rm web" quiet "$S" rm web

# --- apache2 (its own image), then the tutorial's commit/export/import ---
mkdir apache && cat > apache/Dockerfile <<'EOF'
FROM debian:bookworm
RUN apt-get -y update && apt-get -y upgrade
RUN apt-get install -y apache2
EXPOSE 80
CMD ["apachectl", "-D", "FOREGROUND"]
EOF
check "apt-get install -y apache2 builds" build apache1 apache -t httpd
check "apache2: the apt-get update step comes from the cache" [ "$(cached_count apache1)" -eq 1 ]
# ca-certificates comes with apache2 and installs a UTF-8 name.
check "ca-certificates' Főtanúsítvány.crt is in the image" \
  "$S" run --rm httpd test -s '/usr/share/ca-certificates/mozilla/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt'
check "run -d -p 80:80 --name apache httpd" quiet "$S" container run -d -p 80:80 --name apache httpd
check "apache serves its default page" serves 'It works!'
check "container commit -a ggingmin apache ggingmin/apacheweb:1.0" \
  quiet "$S" container commit -a "ggingmin" apache ggingmin/apacheweb:1.0
check "the commit's author" [ "$("$S" image inspect -f '{{.Author}}' ggingmin/apacheweb:1.0)" = ggingmin ]
check "the commit keeps CMD" [ "$("$S" image inspect -f '{{json .Config.Cmd}}' ggingmin/apacheweb:1.0)" = '["apachectl","-D","FOREGROUND"]' ]
check "container export apache > apache.tar" bash -c "'$S' container export apache > apache.tar"
mkdir apache-export
check "the export unpacks" env LC_ALL=C.UTF-8 tar -C apache-export -xf apache.tar
check "the export holds the container's change (apache's access log)" grep -q 'GET / HTTP' apache-export/var/log/apache2/access.log
check "the export holds apache2" test -x apache-export/usr/sbin/apache2
check "image import apache.tar kiseok/kiseok-apache2:1.0" quiet "$S" image import apache.tar kiseok/kiseok-apache2:1.0
check "stop apache" quiet "$S" stop apache
check "port 80 is free after apache" wait_port80_free

check "the committed image's access log has the request" \
  bash -c "'$S' run --rm ggingmin/apacheweb:1.0 cat /var/log/apache2/access.log | grep -q 'GET / HTTP'"
check "run the committed image" quiet "$S" run -d --name apache-commit -p 80:80 ggingmin/apacheweb:1.0
check "the committed image serves" serves 'It works!'
check "stop apache-commit" quiet "$S" stop apache-commit
check "port 80 is free after the committed image" wait_port80_free

check "run the imported image" quiet "$S" run -d --name apache-import -p 80:80 kiseok/kiseok-apache2:1.0 apachectl -D FOREGROUND
check "the imported image serves" serves 'It works!'
check "stop apache-import" quiet "$S" stop apache-import
check "port 80 is free after the imported image" wait_port80_free
# The imported image holds the exported files: export a container of it again.
check "a container of the imported image" quiet "$S" run --name imported-copy kiseok/kiseok-apache2:1.0 true
check "export it" bash -c "'$S' container export imported-copy > imported.tar"
mkdir imported-export
check "that export unpacks" env LC_ALL=C.UTF-8 tar -C imported-export -xf imported.tar
check "export -> import -> export keeps every file byte for byte" \
  same_trees apache-export imported-export usr etc var/www var/log/apache2

# --- non-ASCII names: COPY, ADD of a tar, RUN, deletion of a lower file ---
mkdir utf8 expected && cd utf8
printf 'root CA\n' > 'Főtanúsítvány.crt'
printf '日本語のテキスト\n' > '日本語.txt'
mkdir 'Ünïcödé dir' && printf 'eñe' > 'Ünïcödé dir/ñandú.txt'
mkdir tarsrc && printf 'عربي\n' > 'tarsrc/ملف.txt' && mkdir 'tarsrc/Ελληνικά' && printf 'ω\n' > 'tarsrc/Ελληνικά/αβγ.txt'
LC_ALL=C.UTF-8 tar --format=pax -C tarsrc -cf 'архив.tar' .
cat > Dockerfile <<'EOF'
FROM debian:bookworm
COPY Főtanúsítvány.crt 日本語.txt /data/copy/
COPY ["Ünïcödé dir", "/data/copy/Ünïcödé dir"]
ADD архив.tar /data/add/
RUN rm /etc/issue /etc/issue.net
RUN mkdir -p /data/run/Ελληνικά && cd /data/run && printf 'from RUN\n' > Főtanúsítvány.crt && touch 日本語.txt && printf 'ω\n' > Ελληνικά/αβγ.txt
RUN rm /data/copy/日本語.txt
EOF
cd ..
mkdir -p expected/copy expected/add expected/run/Ελληνικά
cp 'utf8/Főtanúsítvány.crt' expected/copy/ && cp -r 'utf8/Ünïcödé dir' expected/copy/
cp -r utf8/tarsrc/. expected/add/
printf 'from RUN\n' > 'expected/run/Főtanúsítvány.crt' && touch 'expected/run/日本語.txt' && printf 'ω\n' > 'expected/run/Ελληνικά/αβγ.txt'
want=$(manifest_of expected)
check "a build with non-ASCII names in COPY, ADD and RUN" build utf8 utf8 -t utf8img
check "COPY, ADD, RUN and rm keep the names byte for byte" \
  [ "$("$S" run --rm -w /data utf8img sh -c "$MANIFEST")" = "$want" ]

# --- the same build through a farm on TCP: a coordinator and a worker with
#     roots of their own, every layer over the connection (no --blob-dir) ---
BIN=$(dirname "$S")
"$BIN/strata-coordinator" --root "$E2E_TMP/farm" --listen tcp://127.0.0.1:0 \
  --workers tcp://127.0.0.1:0 --no-auth true > farm-coordinator.log 2>&1 &
FARM_COORDINATOR=$!
farm_line=""
for _ in $(seq 1 100); do
  farm_line=$(grep -o 'serving tcp://[0-9.:]*, workers on tcp://[0-9.:]*' farm-coordinator.log | tail -1)
  [ -n "$farm_line" ] && break
  sleep 0.1
done
FARM_EP=$(awk '{print $2}' <<<"$farm_line" | tr -d ,)
FARM_WORKERS=$(awk '{print $5}' <<<"$farm_line")
check "a farm coordinator serves on TCP" [ -n "$FARM_EP" ]
"$BIN/strata-worker" --coordinator "$FARM_WORKERS" --slots 2 --root "$E2E_TMP/farm-w1" --id fw1 \
  > farm-worker.log 2>&1 &
FARM_WORKER=$!
for _ in $(seq 1 100); do
  grep -q "worker fw1 registered" farm-coordinator.log && break
  sleep 0.1
done
check "its worker registered" grep -q "worker fw1 registered" farm-coordinator.log
farm() { STRATA_HOST=$FARM_EP STRATA_ROOT=$E2E_TMP/farm-client "$S" "$@"; }
check "save debian:bookworm from the embedded store" quiet "$S" image save -o debian.tar debian:bookworm
check "load it into the farm (streamed)" quiet farm image load -i debian.tar
farm_build() {
  local name=$1; shift
  farm build --progress=plain "$@" > "$name.log" 2>&1 || { tail -25 "$name.log"; return 1; }
}
check "the non-ASCII build on the farm" farm_build farm-utf8 -t utf8farm utf8
base_diff=$("$S" image inspect -f '{{index .RootFS.Layers 0}}' debian:bookworm)
check "the worker unpacked the Debian base it fetched in windows" \
  [ -d "$E2E_TMP/farm-w1/snap/snapshots/${base_diff#sha256:}/fs/usr/bin" ]
check "a rebuild on the farm" farm_build farm-utf8-again -t utf8farm utf8
check "the rebuild: all six steps CACHED" [ "$(cached_count farm-utf8-again)" -eq 6 ]
check "save the farm's image to the client" quiet farm image save -o utf8farm.tar utf8farm
check "load it into the embedded store" quiet "$S" image load -i utf8farm.tar
check "the farm's build keeps the names byte for byte" \
  [ "$("$S" run --rm -w /data utf8farm sh -c "$MANIFEST")" = "$want" ]
kill "$FARM_WORKER" "$FARM_COORDINATOR" 2>/dev/null
wait "$FARM_WORKER" "$FARM_COORDINATOR" 2>/dev/null

check "a RUN that deletes two lower files: later steps and run work" "$S" run --rm utf8img sh -c '! test -e /etc/issue && ! test -e /etc/issue.net && test -e /etc/debian_version'
check "a container that adds a non-ASCII name" quiet "$S" run --name u8 utf8img sh -c "printf 'at run time\n' > /data/run/Ñandú.txt && rm '/data/copy/Főtanúsítvány.crt'"
printf 'at run time\n' > 'expected/run/Ñandú.txt' && rm 'expected/copy/Főtanúsítvány.crt'
want2=$(manifest_of expected)
check "container commit of it" quiet "$S" container commit -a tester u8 utf8commit
check "commit keeps the names byte for byte" [ "$("$S" run --rm -w /data utf8commit sh -c "$MANIFEST")" = "$want2" ]
check "container export of it" bash -c "'$S' container export u8 > u8.tar"
mkdir u8-export
check "the export unpacks" env LC_ALL=C.UTF-8 tar -C u8-export -xf u8.tar
check "export keeps the names byte for byte" [ "$(manifest_of u8-export/data)" = "$want2" ]
check "image import of the export" quiet "$S" image import u8.tar utf8import
check "import keeps the names byte for byte" [ "$("$S" run --rm -w /data utf8import sh -c "$MANIFEST")" = "$want2" ]
check "image save" "$S" image save -o u8-saved.tar utf8commit
check "image load into an empty store" quiet env STRATA_ROOT="$E2E_TMP/other" "$S" image load -i u8-saved.tar
check "load gives the same image ID" same "$(STRATA_ROOT="$E2E_TMP/other" "$S" image inspect -f '{{.Id}}' utf8commit)" "$("$S" image inspect -f '{{.Id}}' utf8commit)"
check "save/load keeps the names byte for byte" [ "$(STRATA_ROOT="$E2E_TMP/other" "$S" run --rm -w /data utf8commit sh -c "$MANIFEST")" = "$want2" ]

# --- run -it in a terminal: bash's prompt, a command, exit 3 ---
T="tmux -L strata-e2e-$$"
# pane_has TEXT: the tmux pane shows TEXT within 30 s.
pane_has() {
  local i
  for i in $(seq 1 60); do
    $T capture-pane -p -t it 2>/dev/null | grep -qE "$1" && return 0
    sleep 0.5
  done
  echo "the terminal never showed /$1/; it shows:" >&2
  $T capture-pane -p -t it >&2 2>/dev/null
  return 1
}
check "tmux session with run -it" $T new-session -d -s it -x 120 -y 30 \
  "'$S' run -it --rm debian:bookworm; echo \$? > '$E2E_TMP/it.rc'; sleep 30"
check "run -it: bash shows its prompt" pane_has 'root@[0-9a-f]{12}:/#'
check "send a command" $T send-keys -t it 'echo "tty: $(tty) sum: $((6 * 7))"' Enter
check "run -it: the command ran in a terminal" pane_has '^tty: /dev/pts/[0-9]+ sum: 42'
check "send exit 3" $T send-keys -t it 'exit 3' Enter
got_rc() {
  local i
  for i in $(seq 1 60); do [ -s "$E2E_TMP/it.rc" ] && return 0; sleep 0.5; done
  return 1
}
check "run -it ended" got_rc
check "run -it: exit 3 gives exit code 3" [ "$(cat "$E2E_TMP/it.rc" 2>/dev/null)" = 3 ]

finish

#!/usr/bin/env bash
# strata container run/ls/logs/stop/start/rm/commit/export with the real
# binaries, runc and overlayfs: ENTRYPOINT/CMD as Docker, -e/-w/-u/--rm,
# detached containers, a busybox httpd on port 80, and the bad inputs.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if [ "$(id -u)" -ne 0 ] || ! command -v runc >/dev/null || ! grep -qw overlay /proc/filesystems; then
  echo "SKIP: containers need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo none))"
  exit 77
fi

cleanup_containers() {
  "$S" ps -aq 2>/dev/null | while read -r c; do "$S" rm -f "$c" >/dev/null 2>&1; done
}
trap 'cleanup_containers; cleanup' EXIT

make_busybox_rootfs rootfs
echo '<h1>hello from strata</h1>' > rootfs/var/www/index.html
tar -C rootfs -cf busybox.tar .
"$S" image import busybox.tar busybox:latest >/dev/null
"$S" image import --change 'ENTRYPOINT ["/bin/echo"]' --change 'CMD ["Hello, Docker!"]' \
  busybox.tar hellodocker >/dev/null

# --- ENTRYPOINT and CMD, exactly as Docker ---
check "ENTRYPOINT + CMD" [ "$("$S" container run --rm hellodocker)" = "Hello, Docker!" ]
check "an argument replaces CMD" [ "$("$S" container run --rm hellodocker 'Hi, Docker!')" = "Hi, Docker!" ]
check "short alias run" [ "$("$S" run --rm hellodocker a b)" = "a b" ]
check "--entrypoint replaces it and drops CMD" [ "$("$S" run --rm --entrypoint /bin/sh hellodocker -c 'echo via sh')" = "via sh" ]
check "-it with a terminal (script)" bash -c "script -qec \"'$S' run -it --rm hellodocker tty-ok\" /dev/null | tr -d '\r' | grep -q 'tty-ok$'"
"$S" image import --change 'ENTRYPOINT echo shell form' busybox.tar shellform >/dev/null
check "shell-form ENTRYPOINT ignores args" [ "$("$S" run --rm shellform extra args)" = "shell form" ]
check "CMD alone is replaced by args" [ "$("$S" run --rm busybox echo plain)" = "plain" ]

# --- environment, working dir, user, exit codes ---
printf '# comment\nFROM_FILE=yes\nBOTH=file\n' > env.list
out=$("$S" run --rm --env-file env.list -e BOTH=flag -e NEW=1 busybox sh -c 'echo $FROM_FILE $BOTH $NEW')
check "-e and --env-file" [ "$out" = "yes flag 1" ]
check "default PATH" bash -c "'$S' run --rm busybox sh -c 'echo \$PATH' | grep -q /usr/local/sbin"
check "-w creates and enters the directory" [ "$("$S" run --rm -w /work/dir busybox sh -c pwd)" = "/work/dir" ]
check "-u nobody" [ "$("$S" run --rm -u nobody busybox id -u)" = "65534" ]
check "-u 1234:5678" [ "$("$S" run --rm -u 1234:5678 busybox sh -c 'echo $(id -u):$(id -g)')" = "1234:5678" ]
check "hostname and HOSTNAME are the short id" bash -c "'$S' run --rm busybox sh -c 'busybox hostname; echo \$HOSTNAME' | uniq | tr '\n' ' ' | grep -Eqx '[0-9a-f]{12} '"
"$S" run --rm busybox sh -c 'exit 3'; rc=$?
check "the container's exit code is strata's" [ $rc -eq 3 ]
check "-i passes stdin" [ "$(echo piped | "$S" run --rm -i busybox cat)" = "piped" ]
check "without -i stdin is empty" [ "$(echo piped | "$S" run --rm busybox cat)" = "" ]
check "--rm leaves nothing" [ -z "$("$S" ps -aq)" ]

# --- named containers, ls, logs, start again ---
"$S" run --name greeter hellodocker >/dev/null
check "ps hides exited containers" [ -z "$("$S" ps -q)" ]
check "ps -a shows it" bash -c "'$S' ps -a | grep -q 'greeter'"
check "ls header" bash -c "'$S' container ls -a | head -1 | grep -q '^CONTAINER ID *IMAGE *COMMAND *CREATED *STATUS *PORTS *NAMES$'"
check "status Exited (0)" bash -c "'$S' container ls -a --format '{{.Status}}' | grep -q '^Exited (0) .* ago$'"
check "COMMAND column quoted and cut" [ "$("$S" ps -a --format '{{.Command}}')" = '"/bin/echo Hello, Do…"' ]
check "logs" [ "$("$S" logs greeter)" = "Hello, Docker!" ]
check "duplicate name refused" bash -c "'$S' run --name greeter hellodocker 2>&1 | grep -q 'Conflict. The container name \"/greeter\" is already in use'"
check "start runs it again" [ "$("$S" start greeter)" = "greeter" ]
sleep 1
check "logs -f waits for the end" [ "$("$S" logs -f greeter | wc -l)" -eq 2 ]
check "rm" [ "$("$S" rm greeter)" = "greeter" ]
check "rm again: No such container" bash -c "'$S' rm greeter 2>&1 | grep -q 'No such container: greeter'"

# --- detached httpd on port 80, stop, start ---
# http_get: the body of GET / from 127.0.0.1:80 through bash's /dev/tcp.
http_get() {
  (exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 &&
    timeout 2 cat <&3 | tr -d '\r' | sed '1,/^$/d') 2>/dev/null
}
if (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; then
  echo "SKIP httpd: port 80 is already in use on this machine"
else
  id=$("$S" run -d --name web -p 80:80 busybox httpd -f -p 80 -h /var/www)
  check "run -d prints the full id" bash -c "echo $id | grep -Eq '^[0-9a-f]{64}$'"
  got=""
  for i in $(seq 1 50); do
    got=$(http_get) && [ -n "$got" ] && break
    sleep 0.2
  done
  check "httpd answers on 127.0.0.1:80" [ "$got" = "<h1>hello from strata</h1>" ]
  check "ps shows it Up with its port" bash -c "'$S' ps --format '{{.Names}} {{.Status}} {{.Ports}}' | grep -q '^web Up .* 0.0.0.0:80->80/tcp$'"
  check "rm of a running container is refused" bash -c "'$S' rm web 2>&1 | grep -q 'container is running'"
  check "stop" [ "$("$S" stop -t 2 web)" = "web" ]
  check "stopped: port closed" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null"
  check "stopped: Exited" bash -c "'$S' ps -a --format '{{.Names}} {{.Status}}' | grep -q '^web Exited ('"
  check "stop of a stopped container is a no-op" [ "$("$S" stop web)" = "web" ]
  "$S" start web >/dev/null
  got=""
  for i in $(seq 1 50); do
    got=$(http_get) && [ -n "$got" ] && break
    sleep 0.2
  done
  check "start serves again" [ "$got" = "<h1>hello from strata</h1>" ]
  check "rm -f kills and removes" [ "$("$S" rm -f web)" = "web" ]
fi

# --- commit: the changes become a layer ---
"$S" run --name maker busybox sh -c 'echo made > /made.txt && rm /bin/grep' >/dev/null
cid=$("$S" container commit -a "tester" -m "add made.txt" -c 'CMD ["cat","/made.txt"]' maker made:1)
check "commit prints the image id" bash -c "echo $cid | grep -Eq '^sha256:[0-9a-f]{64}$'"
check "the committed image has the new file" [ "$("$S" run --rm made:1)" = "made" ]
check "a deleted file stays deleted" bash -c "! '$S' run --rm made:1 ls /bin/grep >/dev/null 2>&1"
check "commit adds one layer" [ "$("$S" inspect -f '{{len .RootFS.Layers}}' made:1)" = "2" ]
check "commit author and comment" [ "$("$S" inspect -f '{{.Author}}|{{.Comment}}' made:1)" = "tester|add made.txt" ]
"$S" run --name envc -e KEEP=1 -w /tmp busybox true
"$S" commit envc envc:1 >/dev/null
check "an unchanged container commits no layer" [ "$("$S" inspect -f '{{len .RootFS.Layers}}' envc:1)" = "1" ]
check "commit keeps the run's Env and WorkingDir" [ "$("$S" run --rm envc:1 sh -c 'echo $KEEP $(pwd)')" = "1 /tmp" ]

# --- export, then import gives the same files ---
"$S" container export maker > exported.tar
check "export -o" "$S" export -o exported2.tar maker
check "export to file and stdout agree" cmp exported.tar exported2.tar
check "the export holds the new file" bash -c "tar -xOf exported.tar made.txt | grep -qx made"
"$S" image import exported.tar roundtrip:1 >/dev/null
check "import of the export runs" [ "$("$S" run --rm roundtrip:1 cat /made.txt)" = "made" ]
mkdir a b
"$S" run --name flat1 roundtrip:1 true && "$S" export flat1 | tar -C a -xf -
tar -C b -xf exported.tar
check "export -> import -> export: same files" diff -r a b
check "export to a terminal is refused" bash -c "script -qec \"'$S' export maker\" /dev/null | grep -q 'cowardly refusing'"

# --- detached short runs: logs -f follows, --rm removes, export while running ---
"$S" run -d --name ticker busybox sh -c 'for i in 1 2 3; do echo tick $i; sleep 0.3; done' >/dev/null
check "logs -f follows a running container to its end" [ "$("$S" logs -f ticker | tr '\n' ' ')" = "tick 1 tick 2 tick 3 " ]
"$S" run -d --rm --name shortlived busybox true >/dev/null
for i in $(seq 1 50); do "$S" ps -a --format '{{.Names}}' | grep -qx shortlived || break; sleep 0.1; done
check "run -d --rm removes the container when it exits" bash -c "! '$S' ps -a --format '{{.Names}}' | grep -qx shortlived"
"$S" run -d --name busy busybox sh -c 'echo live > /live.txt; sleep 100' >/dev/null
sleep 0.5
check "export of a running container" bash -c "'$S' export busy | tar -xOf - live.txt | grep -qx live"
check "ps -q lists the running one" [ "$("$S" ps -q)" = "$("$S" ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk '$2=="busy"{print substr($1,1,12)}')" ]
"$S" commit busy busy:1 >/dev/null
"$S" image save -o busy.tar busy:1 && mkdir saved && tar -C saved -xf busy.tar
last=$(python3 -c 'import json; print(json.load(open("saved/manifest.json"))[0]["Layers"][-1])')
check "commit of a running container holds only its change (no mount stubs)" [ "$(tar -tf "saved/$last")" = "live.txt" ]
check "stop -t 0 kills at once" [ "$("$S" stop -t 0 busy)" = "busy" ]

# --- bad inputs ---
# fails_with NAME PATTERN COMMAND...: non-zero exit and PATTERN in stderr+stdout.
fails_with() {
  local name=$1 pattern=$2; shift 2
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ $rc -ne 0 ] && grep -qF -- "$pattern" <<<"$out"; then ok "$name"; else not_ok "$name (rc $rc: $out)"; fi
}
fails_with "-p 8080:80 explains the host network" \
  "host network, so a port cannot be remapped: use -p 80:80" "$S" run -p 8080:80 busybox true
fails_with "unknown image" "No such image" "$S" run nosuchimage
fails_with "unknown container" "No such container: nosuch" "$S" logs nosuch
fails_with "stop of an unknown container" "No such container: nosuch" "$S" stop nosuch
fails_with "-it without a terminal" "the input device is not a TTY" "$S" run -it busybox true
fails_with "a missing command exits with runc's reason" "/no/such/cmd" "$S" run --rm busybox /no/such/cmd
"$S" run --rm busybox /no/such/cmd >/dev/null 2>&1; rc=$?
check "a missing command exits 127" [ $rc -eq 127 ]
fails_with "--host: containers need the local coordinator" "local coordinator" \
  "$S" --host tcp://127.0.0.1:1 run busybox true
fails_with "--name with a slash" "Invalid container name" "$S" run --name a/b busybox true
fails_with "no command at all" "No command specified" "$S" run --entrypoint '' busybox

cleanup_containers
check "no overlay mounts left" bash -c "! grep -q '$E2E_TMP' /proc/self/mountinfo"
finish

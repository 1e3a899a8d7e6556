#!/usr/bin/env bash
# strata container run/ls/logs/stop/start/rm/commit/export with the real
# binaries, runc and overlayfs: ENTRYPOINT/CMD as Docker, -e/-w/-u/--rm,
# detached containers, a busybox httpd on port 80, and the bad inputs.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if [ "$(id -u)" -ne 0 ] || ! command -v runc >/dev/null || ! grep -qw overlay /proc/filesystems; then
  skip_suite "containers need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo none))"
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

# --- system df: the images, this machine's containers, the build cache ---
check "a stopped container that wrote 3000 bytes" \
  "$S" run --name df-stopped busybox sh -c 'head -c 3000 /dev/zero > /written'
df_row() { "$S" system df --format '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}' | grep "^$1|"; }
check "system df counts the stopped container and its bytes, all reclaimable" \
  [ "$(df_row Containers)" = "Containers|1|0|3kB|3kB (100%)" ]
IFS='|' read -r _ img_total img_active _ _ <<<"$(df_row Images)"
check "system df counts the images" [ "$img_total" = "$("$S" image ls -q --no-trunc | sort -u | wc -l)" ]
check "and busybox as in use by the container" [ "$img_active" = 1 ]
fails "system df -v is refused, not ignored" "$S" system df -v
check "remove it" "$S" rm df-stopped

# --- published ports: Docker's port allocator, PORTS of running containers only ---
# The "running" busy-port case is a container publishing the port; the host
# case a python listener (started here, stopped by its pid).
python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18080)); s.listen(1); time.sleep(120)' &
listener=$!
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; sleep 0.1; done
check "set-up: a process listens on 18080" bash -c "(exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null"
out=$("$S" run --name pb -p 18080:18080 busybox true 2>&1); rc=$?
check "busy host port: run exits 125" [ $rc -eq 125 ]
check "busy host port: Docker's wording" grep -Eq "^Error response from daemon: driver failed programming external connectivity on endpoint pb \([0-9a-f]{64}\): Bind for 0.0.0.0:18080 failed: port is already allocated\.$" <<<"$out"
check "busy host port: no container is left" [ -z "$("$S" ps -aq)" ]
kill "$listener"; wait "$listener" 2>/dev/null
check "set-up: run -d holder -p 18081:18081" "$S" run -d --name holder -p 18081:18081 busybox sleep 100
out=$("$S" run -d -p 18081:18081 busybox true 2>&1); rc=$?
check "port of a running container: exit 125" [ $rc -eq 125 ]
check "port of a running container: already allocated" grep -q "Bind for 0.0.0.0:18081 failed: port is already allocated" <<<"$out"
check "port of a running container: only the holder exists" [ "$("$S" ps -a --format '{{.Names}}')" = "holder" ]
check "rm -f holder" "$S" rm -f holder
"$S" run --name portsgone -p 18082:18082 busybox true; rc=$?
check "set-up: run -p 18082:18082 exits 0" [ $rc -eq 0 ]
check "ps -a: an exited container shows no PORTS" [ "$("$S" ps -a --format '{{.Names}}|{{.Ports}}')" = "portsgone|" ]
check "inspect: PortBindings kept, NetworkSettings.Ports empty when exited" \
  [ "$("$S" container inspect -f '{{json .HostConfig.PortBindings}} {{json .NetworkSettings.Ports}}' portsgone)" = '{"18082/tcp":[{"HostIp":"0.0.0.0","HostPort":"18082"}]} {}' ]
check "rm portsgone" "$S" rm portsgone

# --- -P publishes every EXPOSEd port at its own number ---
check "set-up: image with EXPOSE 18083" "$S" image import --change 'EXPOSE 18083' busybox.tar exposer
check "set-up: run -d -P" "$S" run -d --name pall -P exposer sleep 100
check "-P: ps shows the exposed port published" [ "$("$S" ps --format '{{.Names}} {{.Ports}}')" = "pall 0.0.0.0:18083->18083/tcp" ]
check "-P: inspect PublishAllPorts" [ "$("$S" inspect -f '{{.HostConfig.PublishAllPorts}}' pall)" = "true" ]
check "rm -f pall" "$S" rm -f pall
check "--expose + -P" [ "$("$S" run --rm --expose 18084/udp -P busybox true && echo ok)" = "ok" ]

# --- flags: unknown ones are refused, Docker's unsupported ones say so ---
fails_with_rc() {  # NAME RC PATTERN COMMAND...: exit status RC and PATTERN in the output
  local name=$1 want=$2 pattern=$3; shift 3
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ $rc -eq "$want" ] && grep -qF -- "$pattern" <<<"$out"; then ok "$name"; else not_ok "$name (rc $rc: $out)"; fi
}
fails_with_rc "an unknown long flag is not taken for the image" 125 "unknown flag: --frobnicate" "$S" run --frobnicate busybox true
fails_with_rc "an unknown short flag is not taken for the image" 125 "unknown shorthand flag: 'X' in -X" "$S" run -X busybox true
fails_with_rc "-v is not supported yet" 125 "--volume is not supported yet" "$S" run --rm -v /tmp:/tmp busybox true
fails_with_rc "--privileged is not supported yet" 125 "--privileged is not supported yet" "$S" run --rm --privileged busybox true
fails_with_rc "--network bridge is not supported yet" 125 "--network bridge is not supported yet" "$S" run --rm --network bridge busybox true
check "--network host works" [ "$("$S" run --rm --network host busybox echo net)" = "net" ]
check "-h sets the host name" [ "$("$S" run --rm -h box.local busybox sh -c 'busybox hostname; echo $HOSTNAME' | tr '\n' ' ')" = "box.local box.local " ]
check "-l sets a label" [ "$("$S" run --name labelled -l tier=web busybox true && "$S" inspect -f '{{index .Config.Labels "tier"}}' labelled)" = "web" ]
check "rm labelled" "$S" rm labelled
check "nothing left by the refused runs" [ -z "$("$S" ps -aq)" ]

# --- exit codes: 125 strata's error, 126 cannot invoke, 127 not found ---
# (a registry on a loopback port nothing listens on: the pull run tries fails)
fails_with_rc "missing image: Docker's first line, exit 125" 125 "Unable to find image '127.0.0.1:1/nosuchimage:latest' locally" "$S" run 127.0.0.1:1/nosuchimage
fails_with_rc "missing image: then the pull's error" 125 "127.0.0.1:1" "$S" run 127.0.0.1:1/nosuchimage
fails_with_rc "a file that is not executable exits 126" 126 "permission denied" "$S" run --rm busybox /etc/passwd
fails_with_rc "a missing command exits 127" 127 "/no/such/cmd" "$S" run --rm busybox /no/such/cmd
fails_with_rc "run -d of a missing command exits 127" 127 "no such file or directory" "$S" run -d --name dnf busybox /no/such/cmd
check "rm dnf" "$S" rm dnf

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

# --- exec and inspect of a running container ---
check "set-up: run -d box" "$S" run -d --name box -e FROM_RUN=1 -w /tmp busybox sleep 300
check "exec runs in the container" [ "$("$S" container exec box sh -c 'echo $FROM_RUN $(pwd) $(busybox hostname)')" = "1 /tmp $("$S" ps -q)" ]
"$S" exec box sh -c 'exit 7'; rc=$?
check "exec: the command's exit code" [ $rc -eq 7 ]
check "exec -e" [ "$("$S" exec -e FROM_RUN=2 -e NEW=x box sh -c 'echo $FROM_RUN$NEW')" = "2x" ]
printf 'FILE_VAR=f\n' > exec.env
check "exec --env-file" [ "$("$S" exec --env-file exec.env box sh -c 'echo $FILE_VAR')" = "f" ]
check "exec -u nobody" [ "$("$S" exec -u nobody box id -u)" = "65534" ]
check "exec -w" [ "$("$S" exec -w / box pwd)" = "/" ]
check "exec -i passes stdin" [ "$(echo piped | "$S" exec -i box cat)" = "piped" ]
check "exec without -i: stdin is empty" [ "$(echo piped | "$S" exec box cat)" = "" ]
check "exec -d" "$S" exec -d box sh -c 'echo detached > /tmp/d.txt'
got=""
for i in $(seq 1 50); do got=$("$S" exec box cat /tmp/d.txt 2>/dev/null) && [ -n "$got" ] && break; sleep 0.1; done
check "exec -d ran the command" [ "$got" = "detached" ]
out=$(script -qec "'$S' exec -t box busybox tty" /dev/null | tr -d '\r\0')
check "exec -t with a terminal (script): $out" grep -q '/dev/pts/[0-9]' <<<"$out"
fails_with_rc "exec of a missing command exits 127" 127 "nosuchcmd" "$S" exec box nosuchcmd
fails_with_rc "exec of a non-executable exits 126" 126 "permission denied" "$S" exec box /etc/passwd
fails_with_rc "exec: an unknown flag" 125 "unknown flag: --frobnicate" "$S" exec --frobnicate box true
fails_with_rc "exec of an unknown container" 1 "No such container: nosuch" "$S" exec nosuch true
fails_with_rc "exec without a command" 1 "requires at least 2 arguments" "$S" exec box
fails_with_rc "exec -d -t is not supported yet" 125 "exec -t with -d is not supported yet" "$S" exec -d -t box true
fails_with_rc "exec --privileged is not supported yet" 125 "exec --privileged is not supported yet" "$S" exec --privileged box true
fails_with_rc "exec -w must be absolute" 125 "it needs to be an absolute path" "$S" exec -w tmp box true

boxid=$("$S" ps -q --no-trunc)
check "inspect: Name, State, Config" [ "$("$S" container inspect -f '{{.Id}} {{.Name}} {{.State.Status}} {{.State.Running}} {{.Config.Image}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{.HostConfig.NetworkMode}} {{.RestartCount}}' box)" = "$boxid /box running true busybox [\"sleep\",\"300\"] /tmp host 0" ]
pid=$("$S" container inspect -f '{{.State.Pid}}' box)
check "inspect: State.Pid is the container's sleep" grep -q sleep "/proc/$pid/cmdline"
"$S" container inspect box > box.json
check "inspect: a JSON array with Docker's fields" python3 -c '
import json, sys
[c] = json.load(open("box.json"))
want = ["Id", "Created", "Path", "Args", "State", "Image", "Name", "RestartCount", "HostConfig", "Mounts", "Config", "NetworkSettings"]
missing = [k for k in want if k not in c]
assert not missing, missing
assert c["Path"] == "sleep" and c["Args"] == ["300"], (c["Path"], c["Args"])
assert c["Image"].startswith("sha256:") and c["Mounts"] == []
assert "FROM_RUN=1" in c["Config"]["Env"]
for k in ["Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt"]:
    assert k in c["State"], k
'
"$S" exec box sh -c 'head -c 100000 /dev/zero > /tmp/blob'
check "inspect -s: SizeRw counts the container's layer" python3 -c '
import json, subprocess, sys
[c] = json.loads(subprocess.check_output([sys.argv[1], "container", "inspect", "-s", "box"]))
assert c["SizeRw"] >= 100000 and c["SizeRootFs"] > c["SizeRw"], (c["SizeRw"], c["SizeRootFs"])
' "$S"
check "top-level inspect finds the container" [ "$("$S" inspect -f '{{.Name}}' box)" = "/box" ]
fails_with_rc "container inspect of an unknown container" 1 "No such container: nosuch" "$S" container inspect nosuch
check "stop -t 0 box" "$S" stop -t 0 box
check "inspect after stop: exited 137, no pid" [ "$("$S" container inspect -f '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}' box)" = "exited false 137 0" ]
fails_with_rc "exec in a stopped container" 1 "Error response from daemon: container $boxid is not running" "$S" exec box true
check "rm box" "$S" rm box

# --- detached with a terminal and with stdin kept open ---
check "set-up: run -dt" "$S" run -dt --name dt busybox sh -c 'tty; sleep 100'
got=""
for i in $(seq 1 50); do got=$("$S" logs dt | tr -d '\r') && [ -n "$got" ] && break; sleep 0.1; done
check "run -dt: the container has a terminal, its output is logged" grep -q '^/dev/pts/' <<<"$got"
check "set-up: run -dit sh" "$S" run -dit --name dit busybox sh
check "run -dit: sh waits on the open stdin" [ "$("$S" exec dit echo alive)" = "alive" ]
check "rm -f dt dit" "$S" rm -f dt dit

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

# --- run -it and exec -it through a real terminal (tmux) ---
# wait_pane PATTERN: waits (bounded) until the tmux pane shows PATTERN.
TMUX_SOCKET="strata-e2e-$$"
tm() { tmux -L "$TMUX_SOCKET" "$@"; }
wait_pane() {
  for i in $(seq 1 100); do
    tm capture-pane -p -t it 2>/dev/null | grep -q -- "$1" && return 0
    sleep 0.1
  done
  echo "pane was:"; tm capture-pane -p -t it 2>/dev/null
  return 1
}
wait_file() {
  for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
  return 1
}
if ! command -v tmux >/dev/null; then
  not_ok "tmux is missing (scripts/setup.sh installs it)"
else
  check "set-up: tmux session running strata run -it" tm new-session -d -s it -x 100 -y 20 \
    "env STRATA_ROOT='$STRATA_ROOT' '$S' run -it --name itc busybox sh; echo \"rc=\$?\" > '$E2E_TMP/it.rc'; sleep 60"
  check "run -it: the shell prompt appears" wait_pane '^/ #'
  tm send-keys -t it 'echo sum-$((40+2))' Enter
  check "run -it: a command runs and prints" wait_pane 'sum-42'
  check "run -it: the container sees a terminal" [ "$("$S" inspect -f '{{.Config.Tty}} {{.State.Running}}' itc)" = "true true" ]
  tm send-keys -t it 'exit 3' Enter
  check "run -it: the session ended" wait_file "$E2E_TMP/it.rc"
  check "run -it: exit 3 gives exit code 3" [ "$(cat "$E2E_TMP/it.rc" 2>/dev/null)" = "rc=3" ]
  tm kill-server 2>/dev/null

  check "set-up: run -d execbox" "$S" run -d --name execbox busybox sleep 300
  check "set-up: tmux session running strata exec -it" tm new-session -d -s it -x 100 -y 20 \
    "env STRATA_ROOT='$STRATA_ROOT' '$S' exec -it execbox sh; echo \"rc=\$?\" > '$E2E_TMP/exec.rc'; sleep 60"
  check "exec -it: the shell prompt appears" wait_pane '^/ #'
  tm send-keys -t it 'echo in-$(busybox hostname)' Enter
  check "exec -it: the command runs in the container" wait_pane "in-$("$S" ps -q)"
  tm send-keys -t it 'exit 4' Enter
  check "exec -it: the session ended" wait_file "$E2E_TMP/exec.rc"
  check "exec -it: exit 4 gives exit code 4" [ "$(cat "$E2E_TMP/exec.rc" 2>/dev/null)" = "rc=4" ]
  tm kill-server 2>/dev/null
  check "rm -f execbox" "$S" rm -f execbox
fi

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
fails_with "unknown container" "No such container: nosuch" "$S" logs nosuch
fails_with "stop of an unknown container" "No such container: nosuch" "$S" stop nosuch
fails_with "-it without a terminal" "the input device is not a TTY" "$S" run -it busybox true
fails_with "--host: containers need the local coordinator" "local coordinator" \
  "$S" --host tcp://127.0.0.1:1 run busybox true
fails_with "--name with a slash" "Invalid container name" "$S" run --name a/b busybox true
fails_with "no command at all" "No command specified" "$S" run --entrypoint '' busybox

cleanup_containers
check "no overlay mounts left" bash -c "! grep -q '$E2E_TMP' /proc/self/mountinfo"
finish

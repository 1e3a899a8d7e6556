#!/usr/bin/env bash
# strata build end to end: the local coordinator, its local worker, real runc
# and overlayfs, the layer cache, progress output, archives, bad inputs.
source "$(dirname "$0")/lib.sh"
cd "$E2E_TMP"

if ! can_run_containers; then
  echo "SKIP: builds need root, runc and overlayfs (uid $(id -u), runc: $(command -v runc || echo missing))"
  exit 77
fi

import_busybox_image busybox:latest

# build NAME DIR [ARGS...]: plain progress into NAME.log, exit status kept.
build() {
  local name=$1 dir=$2; shift 2
  "$S" build --progress=plain "$@" "$dir" > "$name.log" 2>&1
}
cached_count() { grep -c ' CACHED$' "$1.log"; }
ran_count() { grep -cE '^#[0-9]+ DONE' "$1.log"; }

# --- the tutorial: ENTRYPOINT + CMD ---
mkdir hello && cat > hello/Dockerfile <<'EOF'
FROM busybox
ENTRYPOINT ["/bin/echo"]
CMD ["Hello, Docker!"]
EOF
check "tutorial hello builds" build hello hello -t hellodocker
check "the image is tagged" "$S" inspect -f '{{.Id}}' hellodocker:latest
check "Entrypoint and Cmd in the config" [ "$("$S" inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' hellodocker)" = '["/bin/echo"] ["Hello, Docker!"]' ]

# --- RUN, WORKDIR, ENV, USER, deletion, COPY ---
mkdir app && cd app
echo "first" > data.txt
echo "keep me" > other.txt
mkdir sub && echo nested > sub/n.txt
cat > Dockerfile <<'EOF'
FROM busybox
ARG FLAVOR=plain
ENV GREETING=hello
WORKDIR /app
COPY data.txt sub ./
RUN echo "$GREETING from $(pwd)" > greeting && cat data.txt > copied
RUN cat /app/greeting | tee /app/seen-by-later-step
RUN touch /gone && echo kept > /keep
RUN rm /gone
COPY other.txt /other.txt
RUN echo "flavor=$FLAVOR" > /flavor
USER nobody
RUN id -u > /tmp/uid
EOF
cd ..
check "first build" build b1 app -t app:1 --iidfile iid1
check "the first build ran its steps" [ "$(ran_count b1)" -ge 8 ]
check "plain progress titles a step [i/n]" grep -q '^#[0-9]* \[5/12\] RUN echo "\$GREETING' b1.log
check "RUN output streams into the progress" grep -q '^#[0-9]* [0-9.]* hello from /app$' b1.log
id1=$(cat iid1)
check "iidfile holds an image id" bash -c "echo '$id1' | grep -Eq '^sha256:[0-9a-f]{64}$'"

# The image's files, read back through save + umoci (no container needed).
"$S" image save -o app1.tar app:1 && mkdir app1 && tar -C app1 -xf app1.tar
umoci unpack --image app1:1 app1-bundle >/dev/null 2>&1
R=app1-bundle/rootfs
check "RUN saw ENV and WORKDIR" [ "$(cat $R/app/greeting 2>/dev/null)" = "hello from /app" ]
check "a later RUN saw the earlier RUN's file" [ "$(cat $R/app/seen-by-later-step 2>/dev/null)" = "hello from /app" ]
check "COPY of a directory copies its contents" [ "$(cat $R/app/n.txt 2>/dev/null)" = "nested" ]
check "a file deleted in a later step is absent" [ ! -e $R/gone ]
check "a file kept is present" [ "$(cat $R/keep 2>/dev/null)" = "kept" ]
check "USER applies to RUN" [ "$(cat $R/tmp/uid 2>/dev/null)" = "65534" ]
check "ARG default seen by RUN" [ "$(cat $R/flavor 2>/dev/null)" = "flavor=plain" ]
check "User, WorkingDir and Env in the config" [ "$("$S" inspect -f '{{.Config.User}} {{.Config.WorkingDir}} {{index .Config.Env 1}}' app:1)" = "nobody /app GREETING=hello" ]

# --- the cache ---
check "second build" build b2 app -t app:2 --iidfile iid2
check "second build: every layer step CACHED" [ "$(cached_count b2)" -eq 9 ]
check "second build: no RUN ran" bash -c "! grep -qE '^#[0-9]+ [0-9.]+ ' b2.log"
check "same inputs, same image ID" [ "$(cat iid2)" = "$id1" ]

touch app/data.txt app/other.txt
check "build after touch" build b3 app --iidfile iid3
check "touch (mtime only) still hits" [ "$(cached_count b3)" -eq 9 ]

cp -r app "$E2E_TMP/app-copy"
check "build of a fresh copy elsewhere" build b4 "$E2E_TMP/app-copy" --iidfile iid4
check "a fresh copy of the context hits" [ "$(cached_count b4)" -eq 9 ] && [ "$(cat iid4)" = "$id1" ]

echo "changed" > app/other.txt
check "build after changing other.txt" build b5 app
check "steps before the changed COPY hit" [ "$(cached_count b5)" -eq 6 ]
check "the COPY of the changed file ran" grep -A1 'COPY other.txt /other.txt' b5.log | grep -qv CACHED

check "build with another --build-arg" build b6 app --build-arg FLAVOR=spicy
check "a changed build arg misses from the first RUN that sees it" [ "$(cached_count b6)" -eq 2 ]

check "--no-cache runs everything" build b7 app --no-cache
check "--no-cache: nothing CACHED" [ "$(cached_count b7)" -eq 0 ]

check "--cache-debug prints preimages" build b8 app --cache-debug
check "--cache-debug output names the key" grep -q '#cache-debug key sha256:' b8.log

# --- .dockerignore: excluded files are neither sent nor keyed ---
mkdir ign && printf 'secret.txt\n*.log\n!keep.log\n' > ign/.dockerignore
echo s > ign/secret.txt && echo l > ign/drop.log && echo k > ign/keep.log && echo a > ign/a.txt
printf 'FROM busybox\nCOPY . /ctx/\nRUN ls /ctx | tr "\\n" " " > /listing\n' > ign/Dockerfile
check "build with a .dockerignore" build i1 ign -t ign
"$S" image save -o ign.tar ign && mkdir ign.oci && tar -C ign.oci -xf ign.tar && umoci unpack --image ign.oci:latest ign.bundle >/dev/null 2>&1
check ".dockerignore'd files are not in the image" [ "$(cat ign.bundle/rootfs/listing 2>/dev/null)" = "Dockerfile a.txt keep.log " ]
echo changed > ign/secret.txt
check "rebuild after changing an ignored file" build i2 ign
check "changing an ignored file still hits" [ "$(cached_count i2)" -eq 2 ]

# --- reproducible: with SOURCE_DATE_EPOCH a --no-cache rebuild gives the same image ID ---
mkdir -p base-env && printf 'FROM busybox\nENV TOOLS=/opt/tools\n' > base-env/Dockerfile
"$S" build -q -t with-env base-env >/dev/null
printf 'FROM with-env\nWORKDIR $TOOLS/bin\n' > base-env/Dockerfile.child
check "the base image's ENV is seen when WORKDIR is expanded" bash -c "'$S' build -q -f base-env/Dockerfile.child -t child-env base-env >/dev/null && [ \"\$('$S' inspect -f '{{.Config.WorkingDir}}' child-env)\" = /opt/tools/bin ]"
check "SOURCE_DATE_EPOCH build" env SOURCE_DATE_EPOCH=1700000000 "$S" build -q --iidfile sde1 app
check "SOURCE_DATE_EPOCH --no-cache rebuild" env SOURCE_DATE_EPOCH=1700000000 "$S" build -q --no-cache --iidfile sde2 app
check "both give the same image ID" [ "$(cat sde1)" = "$(cat sde2)" ]

# --- labels, -f outside the context, -f -, context from stdin, archives ---
mkdir elsewhere && printf 'FROM busybox\nRUN echo outside > /where\n' > elsewhere/Custom.Dockerfile
check "-f names a Dockerfile outside the context" build b9 app -f elsewhere/Custom.Dockerfile -t outside --label team=ci
check "--label reaches the config" [ "$("$S" inspect -f '{{index .Config.Labels "team"}}' outside)" = "ci" ]
check "-f - reads the Dockerfile from stdin" bash -c "printf 'FROM busybox\nCMD [\"x\"]\n' | '$S' build --progress=plain -f - -t fromstdin app >/dev/null 2>&1"
check "context - reads a tar from stdin" bash -c "tar -C app -cf - . | '$S' build --progress=plain -t fromtar - >/dev/null 2>&1"
check "--output type=oci" build b10 app -q --output type=oci,dest=out-oci.tar
check "skopeo reads the oci output" skopeo inspect oci-archive:out-oci.tar
check "--output type=docker" build b11 app -t app:docker --output type=docker,dest=out-docker.tar
check "skopeo reads the docker output" skopeo inspect docker-archive:out-docker.tar

# --- multi-stage, --target, COPY --from ---
mkdir multi && cat > multi/Dockerfile <<'EOF'
FROM busybox AS build
RUN echo compiled > /artifact
FROM busybox AS other
RUN echo other > /other
FROM busybox
COPY --from=build /artifact /artifact
EOF
check "multi-stage build" build m1 multi -t multi
check "--target builds only what it needs" build m2 multi --target build -t multi:build
check "--target skips the later stages" bash -c "! grep -q 'echo other' m2.log"
check "--no-cache-filter build" build m3 multi --no-cache-filter build
check "--no-cache-filter reruns only that stage" [ "$(cached_count m3)" -eq 1 -a "$(grep -A1 'RUN echo compiled' m3.log | grep -c CACHED)" -eq 0 ]

# --- ONBUILD ---
printf 'FROM busybox\nONBUILD RUN echo triggered > /onbuild\n' > Dockerfile.base
check "base image with ONBUILD" build ob1 app -f Dockerfile.base -t onbase
printf 'FROM onbase\nRUN cat /onbuild\n' > Dockerfile.child
check "the base's ONBUILD trigger runs" build ob2 app -f Dockerfile.child -t onchild
check "the trigger's output is in the child" grep -q triggered ob2.log

# --- bad input: clear error with the Dockerfile line, non-zero exit, no tag ---
"$S" build --progress=plain -t failing:1 app >/dev/null 2>&1  # warm cache: nothing new below
before=$(store_state)
mkdir bad
bad_build() {  # NAME DOCKERFILE-TEXT EXPECTED-TEXT [ARGS]
  local name=$1 text=$2 want=$3; shift 3
  printf "%b" "$text" > "bad/$name.Dockerfile"
  local out; out=$("$S" build --progress=plain -t bad:$name -f "bad/$name.Dockerfile" "$@" app 2>&1); local rc=$?
  if [ $rc -ne 0 ] && echo "$out" | grep -q -- "$want"; then ok "bad input $name: exit $rc, says '$want'"; else not_ok "bad input $name (exit $rc): $(echo "$out" | tail -3)"; fi
}
bad_build failing-run 'FROM busybox\nRUN exit 3\n' 'RUN exit 3.*exit code: 3'
bad_build failing-run-line 'FROM busybox\nRUN exit 3\n' '>>> RUN exit 3'
bad_build outside 'FROM busybox\nCOPY ../x /x\n' 'outside the build context'
bad_build missing 'FROM busybox\nCOPY nothere.txt /x\n' 'nothere.txt'
bad_build unknown-base 'FROM nosuchimage:1\nRUN true\n' 'nosuchimage'
bad_build unknown-target 'FROM busybox AS a\nRUN true\n' 'target stage "zzz" could not be found' --target zzz
bad_build syntax 'FROM busybox\nFROBNICATE x\n' 'failing-run-line.Dockerfile\|syntax.Dockerfile:2'
check "a failed build leaves no tag" bash -c "! '$S' inspect bad:failing-run >/dev/null 2>&1"
check "bad inputs leave the store as it was" [ "$(store_state)" = "$before" ]

finish

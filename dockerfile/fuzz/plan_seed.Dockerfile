# syntax=docker/dockerfile:1
ARG BASE=alpine:3.19
ARG VERSION=1.0
FROM ${BASE} AS base
ARG VERSION
ENV APP=/app PATH=/app/bin:$PATH
WORKDIR $APP
ONBUILD COPY . /src
ONBUILD RUN make
ONBUILD ARG MODE=release
RUN --mount=type=cache,target=/root/.cache,id=c1,sharing=locked --mount=type=tmpfs,target=/t,size=64m echo $VERSION
RUN --mount=type=secret,id=tok,required=true --mount=type=ssh --network=none --security=insecure true
FROM base AS build
COPY --from=0 --chown=1000:1000 --chmod=0755 /etc/passwd /out/
COPY --from=base --link --parents a/b ./
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.tar.gz /x/
RUN --mount=type=bind,from=base,source=/app,target=/mnt,rw make -C /mnt
COPY <<EOT /hello
${APP:-none} ${VERSION:+set} ${APP#/}
EOT
FROM scratch
COPY --from=build /out /
EXPOSE 80/tcp 8000-8002/udp
LABEL a="b c" d=e
USER 1000:1000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["true"]
SHELL ["/bin/bash", "-c"]
CMD ["run"]
ENTRYPOINT ["/app"]

# syntax=docker/dockerfile:1
# escape=\
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM ${BASE} AS build
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache <<EOF2 bash
set -e
echo $TARGETARCH
EOF2
COPY --link --chmod=755 --from=build ["/a", "/b"]
RUN python3 <<'PY'
print("hi")
PY
ENV A=1 B="two words" \
    # a comment inside
    C=3
LABEL org.opencontainers.image.source="x" y=z
HEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1
ONBUILD RUN echo hi
FROM scratch
COPY --from=build /b /b
ENTRYPOINT ["/b"]

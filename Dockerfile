# syntax=docker/dockerfile:1
# edgelint as a container image: a static (musl) binary on an empty base, for linux/amd64,
# linux/arm64 and linux/arm/v7. The binary is cross-compiled on the build machine's own
# platform (no emulation), then copied into a `scratch` image per target platform.
#
# Build (BuildKit):  docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t edgelint .
# Run:               docker run --rm -v "$PWD:/src" edgelint /src
#
# edgelint lints this file clean (tests/self_lint.rs).

FROM --platform=$BUILDPLATFORM rust:1.98-slim-bookworm AS build
ARG BUILDPLATFORM
ARG TARGETPLATFORM
# The Rust target and, when it is not the build machine's own platform, the cross linker.
RUN set -eu; \
    case "$TARGETPLATFORM" in \
      linux/amd64)  target=x86_64-unknown-linux-musl;      gnu=x86_64-linux-gnu ;; \
      linux/arm64)  target=aarch64-unknown-linux-musl;     gnu=aarch64-linux-gnu ;; \
      linux/arm/v7) target=armv7-unknown-linux-musleabihf; gnu=arm-linux-gnueabihf ;; \
      *) echo "edgelint: no build for $TARGETPLATFORM" >&2; exit 1 ;; \
    esac; \
    linker=cc; \
    if [ "$TARGETPLATFORM" != "$BUILDPLATFORM" ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends "gcc-$(echo "$gnu" | tr _ -)" libc6-dev; \
      rm -rf /var/lib/apt/lists/*; \
      linker="$gnu-gcc"; \
    fi; \
    rustup target add "$target"; \
    printf '%s\n%s\n' "$target" "$linker" > /tmp/target

WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    set -eu; \
    target="$(sed -n 1p /tmp/target)"; \
    linker="$(sed -n 2p /tmp/target)"; \
    export "CARGO_TARGET_$(echo "$target" | tr a-z- A-Z_)_LINKER=$linker"; \
    cargo build --release --locked --target "$target"; \
    mkdir -p /out; \
    cp "target/$target/release/edgelint" LICENSE-MIT LICENSE-APACHE /out/

FROM scratch
COPY --from=build /out/ /
# Any unprivileged user can run it; 65532 is distroless' `nonroot`.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/edgelint"]
CMD ["."]

# syntax=docker/dockerfile:1
# rolesmith in a container: a static musl binary on distroless `static` (CA certificates, no
# shell, no package manager), run as its non-root user.
#
#   docker build -t rolesmith .
#   docker run --rm -v "$PWD:/work" -w /work rolesmith plan manifests/
#
# The build stage is Alpine, whose Rust toolchain targets musl natively, so the binary is
# statically linked without cross-compiling (aws-lc-sys, the C crypto under the AWS SDK,
# builds with Alpine's gcc and musl-dev). Multi-arch: `docker buildx build --platform
# linux/amd64,linux/arm64 .` builds each architecture natively or under emulation.

FROM rust:1.95-alpine3.22 AS build
# The base image's tag fixes the Alpine release, and with it these packages' versions.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
# The context is only what the build reads: .dockerignore lets in the manifest, lock file,
# build script, sources, compiled-in data and the benches (Cargo.toml declares them, so cargo
# wants their files even when not building them).
COPY . .
ENV RUSTFLAGS="-C target-feature=+crt-static"
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin rolesmith \
    && cp target/release/rolesmith /usr/local/bin/rolesmith

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.source="https://github.com/rolesmith/rolesmith" \
      org.opencontainers.image.description="Manage AWS IAM roles the GitOps way" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /usr/local/bin/rolesmith /usr/local/bin/rolesmith
# distroless's `nonroot` user, by number so `runAsNonRoot` policies can check it.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["rolesmith"]

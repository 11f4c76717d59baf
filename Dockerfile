# ecs-deployment: the worker (scripts/ecs-deployment) and its four tools.
#
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" -t ecs-deployment .
#   docker run --init -v ~/.aws:/root/.aws:ro -e SQS_URL -e ECS_CLUSTER -e ECS_TIMEOUT ecs-deployment
#   docker run --init ... ecs-deployment --watch
#
# The build steps live in scripts/build-release, so they can be run and
# checked without a Docker engine (tests/packaging/test-release.sh).

FROM swift:6.3.1-bookworm AS build
# Packages are not pinned: the image tags fix the Debian release, and its
# security updates should come in with each build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev \
        libjansson-dev \
        libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies resolve in their own layer, so editing a source file does not
# fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
# .git is not sent to the build (.dockerignore): the commit comes in as an
# argument and is compiled into --version.
ARG REVISION=unknown
RUN ECS_DEPLOYMENT_COMMIT="$REVISION" scripts/build-release /opt/ecs-deployment

FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
# The repository URL, e.g. --build-arg SOURCE="$(git remote get-url origin)".
ARG SOURCE=
LABEL org.opencontainers.image.title="ecs-deployment" \
      org.opencontainers.image.description="Deploy ECS task definitions requested by SQS messages" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION"
# Exactly the packages of the shared libraries the binaries load (the Swift
# runtime is linked in), plus the CA certificates libcurl verifies AWS with;
# libc6 and libgcc-s1 come with the base image. The sh the worker runs in is
# the base image's dash. tests/packaging/test-release.sh checks this list
# against ldd, so keep one package per line.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        libcurl4 \
        libjansson4 \
        libssl3 \
        libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/ecs-deployment/bin/ /usr/local/bin/
COPY --from=build /opt/ecs-deployment/share/man/man1/ /usr/local/share/man/man1/
# Seed-compatible settings: SQS_URL (required), ECS_CLUSTER (default
# "default"), ECS_TIMEOUT (default 300), read from the environment by the
# worker. It runs as root so that a host's ~/.aws mounted read-only at
# /root/.aws, whatever its owner and mode, stays readable; in ECS, use a task
# role instead (aws-task-definition.json).
WORKDIR /root
# No HEALTHCHECK: the default mode handles one message and exits, and in
# --watch mode the worker sits in a long poll or a deployment wait for minutes
# at a time with nothing a probe could ask; a stuck or crashed worker shows as
# an exited container, which the orchestrator restarts.
ENTRYPOINT ["/usr/local/bin/ecs-deployment"]

# syntax=docker/dockerfile:1
# The mesh's image: one image runs both `meshctl proxy` (the sidecar) and `meshctl control <component>`
# (the control plane); the manifests choose with the container's `args`. The `proxy-init` target adds
# iptables for the init container that redirects a pod's traffic: the distroless runtime has neither
# iptables nor a shell, and should not get them.
#
#   docker build -t ghcr.io/meshctl/meshctl:0.1.0 .
#   docker build --target proxy-init -t ghcr.io/meshctl/meshctl-proxy-init:0.1.0 .
#
# Base images are pinned by digest because tags move; refresh a digest with
# `docker buildx imagetools inspect <image:tag>` and change the tag and digest together.
ARG BUILD_IMAGE=node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot@sha256:13593b7570658e8477de39e2f4a1dd25db2f836d68a0ba771251572d23bb4f8e

# Build on Debian (glibc), the same C library as the distroless runtime, so any native module matches.
FROM ${BUILD_IMAGE} AS build
# node-gyp (it ships with npm) builds the proxy's SO_ORIGINAL_DST addon in native/ against this image's
# own Node headers; it needs python3, make and a C/C++ toolchain, which stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
COPY manifests ./manifests
COPY native ./native
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BUILD_IMAGE} AS proxy-init
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/bin ./bin
# Root, because rewriting the pod's NAT table needs it; the manifests grant only NET_ADMIN and NET_RAW.
USER 0:0
ENTRYPOINT ["node", "/app/bin/meshctl.js"]
CMD ["proxy-init", "--help"]

# The default target, last so that a plain `docker build` makes it.
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/bin ./bin
COPY --from=build /src/manifests ./manifests
# The addon transparent mode needs (the proxy says so at startup if it is missing).
COPY --from=build /src/native/build/Release/original_dst.node ./native/build/Release/original_dst.node
# distroless's nonroot user; Kubernetes runs the proxy as 2102 and the control plane as 2103 anyway.
USER 65532:65532
# proxy: inbound, outbound, admin, tap. control: destination, identity, tap, metrics, injector, admin.
EXPOSE 4143 4140 4191 4190 8086 8080 8088 8085 8443 9990
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/meshctl.js"]
CMD ["version"]

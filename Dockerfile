# The Sluice gateway image: `sluice serve --kubernetes` (see `sluice install knative`).
# Compiled JavaScript (dist/) and production dependencies only, on the current Node LTS (major pinned;
# the tag's minor and patch follow Node's security releases). Runs as a numeric non-root user and
# writes nothing outside /tmp, so it runs with a read-only root filesystem.

# 1. Compile: every dependency (TypeScript is a dev dependency), then `npm run build`.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

# 2. Production dependencies only (no tsx, no TypeScript), without their type declarations and
# source maps, which nothing reads at run time (about 50 of 120 MB, most of it @kubernetes/client-node).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete

# 3. The image: node_modules, package.json (read for the version), bin/ and dist/; no sources.
FROM node:24-slim
ENV NODE_ENV=production
# Two malloc arenas instead of glibc's eight per core: the memory freed after a large configuration
# load (file reads, parse buffers on the libuv pool's threads) is reused instead of staying resident
# in per-thread arenas (bench/README.md, "Heap by owner").
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
# Envoy's ext_authz protos, loaded at run time (src/policies/ext-authz-grpc.ts)
COPY proto ./proto
COPY --from=build /app/dist ./dist
# Numeric user, so `runAsNonRoot` can be verified by the kubelet (uid 1000 is `node` in this image).
USER 1000:1000
# data plane (external HTTP, external TLS, cluster-local) and the kubelet's health port (admin stays on loopback)
EXPOSE 8080 8443 8081 9903
ENTRYPOINT ["node", "bin/sluice.js", "serve", "--kubernetes"]

# The Sluice gateway image: `sluice serve --kubernetes` (see `sluice install knative`).
# Sluice runs its TypeScript sources through tsx, a runtime dependency, so there is no build step.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# Numeric user, so `runAsNonRoot` can be verified by the kubelet (uid 1000 is `node` in this image).
USER 1000:1000
# data plane (external HTTP, external TLS, cluster-local) and the kubelet's health port (admin stays on loopback)
EXPOSE 8080 8443 8081 9903
ENTRYPOINT ["node", "bin/sluice.js", "serve", "--kubernetes"]

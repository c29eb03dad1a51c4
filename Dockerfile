# syntax=docker/dockerfile:1
# Cowabunga Maintainer: one image for every process of a cluster (`serve`, `worker`, `migrate`) and for
# the operator's commands (`scan github:OWNER/REPO`, `report`).
#
#   docker build -t ghcr.io/cowabunga-ai/cowabunga-maintainer:0.1.0 .
#   docker run --rm ghcr.io/cowabunga-ai/cowabunga-maintainer:0.1.0 --version
#
# Both stages use the same base image, pinned to an exact Node.js release (engines: >=20.18). To pin its
# digest too: --build-arg NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:<digest>. The version below is
# checked against package.json, the Helm chart, zarf.yaml and docker-compose.yml by test/deploy.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
# Production dependencies only. tsx is one of them: the app runs its TypeScript sources through tsx
# (as `npm start` does). --ignore-scripts: `prepare` (the CLI bundle) needs src/, which is not here yet,
# and no dependency needs an install script (esbuild's binary comes in its platform package).
RUN npm ci --omit=dev --ignore-scripts
COPY tsconfig.json app.yml ./
COPY bin ./bin
COPY scripts/bundle-cli.mjs ./scripts/bundle-cli.mjs
COPY src ./src
# Fail the build, not the first deployment, when the sources do not load with production dependencies.
RUN COWABUNGA_CLI_TSX=1 node bin/cowabunga.js --version

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Cowabunga Maintainer" \
      org.opencontainers.image.description="GitHub App and CLI that keeps multi-component repositories healthy" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# COWABUNGA_CLI_TSX=1: long-running processes run the sources through tsx, exactly as `npm start` does;
# tsx caches its transforms under /tmp (an emptyDir or tmpfs when the root filesystem is read-only).
ENV NODE_ENV=production \
    PORT=3000 \
    COWABUNGA_DATA_DIR=/data \
    COWABUNGA_CLI_TSX=1 \
    HOME=/tmp \
    npm_config_update_notifier=false
WORKDIR /app
# The code stays owned by root: the app's user (node, uid 1000) can read it but never change it.
COPY --from=build /app /app
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/cowabunga.js"]
CMD ["serve"]

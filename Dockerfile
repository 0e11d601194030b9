# syntax=docker/dockerfile:1
#
# One image for every part of Muskel: MUSKEL_ROLE=api | worker | all picks what `node dist/apps/api/main.js` runs;
# the operator CLI (`node dist/apps/cli/apps/cli/src/main.js`) and the audit-log witness
# (`node dist/apps/witness/apps/witness/src/main.js`) are in the same image.
#   docker build -t muskel .
#   docker compose up -d            (docker-compose.yml: the whole production stack)
#
# The build runs what CI runs (.ci/run, package.json), with the same Node.js major and npm: `npm install`, then the
# package.json build scripts. test/deploy/dockerfile.unit.spec.ts keeps this file and CI in step.

ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=11.19.1

# ---------------------------------------------------------------------------------------------- build
FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG NPM_VERSION
WORKDIR /src
RUN npm install --global npm@${NPM_VERSION}
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# package.json's build script builds the API; the operator CLI and the witness have no script of their own and are
# built by the same `nest build`, for their projects in nest-cli.json.
RUN npm run build && npx nest build cli && npx nest build witness

# ---------------------------------------------------------------------------------------------- runtime
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG NPM_VERSION
ENV NODE_ENV=production \
    PORT=3000 \
    MUSKEL_DATA_DIR=/var/lib/muskel
WORKDIR /app
RUN npm install --global npm@${NPM_VERSION} && \
    mkdir -p /var/lib/muskel && chown node:node /var/lib/muskel
# Production dependencies only, from the lock file, with CI's install command plus --omit=dev. Not `npm ci`: the lock
# file is written without registry addresses, npm 11 then leaves other platforms' optional packages out of it, and
# `npm ci` refuses it as out of sync (the same reason .ci/run gives; `npm ci --dry-run` shows the refusal).
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# The unprivileged user of the Node.js images (uid 1000): the service needs no root, not even for its port.
USER node
EXPOSE 3000
# /health answers 200 once the event store answers (roles api, worker and all alike).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM stops taking requests, closes the store and exits 0 (main.ts): node runs as PID 1 with its own handlers.
CMD ["node", "dist/apps/api/main.js"]

# syntax=docker/dockerfile:1
#
# Kampung KB platform: ONE image for all four services (registry, survey,
# classification, notifications) and the front door with the built console
# (`node dist/apps/front-door/src/main.js`, port 3000; see docker-compose.yml).
# The SERVICE variable picks which service runs:
#
#   docker build -t kampung-kb:dev .
#   docker run -e SERVICE=survey -e PORT=3002 ... kampung-kb:dev
#   docker run -e SERVICE=survey ... kampung-kb:dev \
#     sh -c 'exec node dist/services/$SERVICE/src/main.js migrate'     # migrations, then exit
#   docker run -e SERVICE=survey -e DATABASE_URL=<admin url> ... kampung-kb:dev \
#     sh -c 'exec node dist/services/$SERVICE/src/main.js provision'   # schema + role, then exit
#
# See deploy/README.md for compose and Kubernetes.

# The Node.js line of the image: 24 (LTS, supported until April 2028). Node 20 left
# support in April 2026; the code still runs on it (the development machines have
# 20.20), and .ci/run runs the start smoke test and the province story on the
# same 24.x as here. Raise both together.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---------------------------------------------------------------- build stage
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NX_DAEMON=false \
    NX_NO_CLOUD=true \
    SCARF_ANALYTICS=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# Dependencies first, so the layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Produces dist/services/<name>/src/main.js for every service, the front door and
# the console's static files (Vite) in dist/apps/console.
RUN npm run build \
 && for s in services/registry services/survey services/classification services/notifications apps/front-door; do \
      test -f "dist/$s/src/main.js" || { echo "missing dist/$s/src/main.js" >&2; exit 1; }; \
    done \
 && test -f dist/apps/console/index.html

# -------------------------------------------------------------- runtime stage
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    SCARF_ANALYTICS=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
# Production dependencies only. --omit=optional drops the embedded-postgres
# binaries (about 60 MB; only the laptop start command uses them) and
# pg-cloudflare; --ignore-scripts because no runtime dependency needs an install
# script (the only one left would be a telemetry ping).
RUN npm ci --omit=dev --omit=optional --ignore-scripts \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY --from=build /app/dist ./dist

# The node image's unprivileged user (uid 1000). Files stay root-owned and
# read-only for it; the services write nothing to disk.
USER node

# PORT is deliberately not set: each service defaults to its own port
# (registry 3001, survey 3002, classification 3003, notifications 3004).
ENV SERVICE=registry
EXPOSE 3000 3001 3002 3003 3004

# No HEALTHCHECK here: compose and Kubernetes probe /health/ready and
# /health/live themselves (the port differs per service).
CMD ["sh","-c","exec node dist/services/$SERVICE/src/main.js"]

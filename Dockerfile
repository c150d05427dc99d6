# Image used by helm/nemo-console: the web console and every worker role.
# .dockerignore keeps secrets (.nemo/, .env*) and local builds out of the context.

# Build stage: dev dependencies too (prisma generate, next build need them).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx prisma generate \
  && NODE_ENV=production npx next build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .next/cache

# Run stage: the application belongs to root and is read-only for the
# process, which runs as the image's unprivileged `node` user (uid 1000,
# numeric so Kubernetes' runAsNonRoot can check it). Only Next's cache is
# writable; tsx compiles workers into the system temp dir.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build --chown=0:0 /app /app
RUN mkdir -p /app/.next/cache && chown 1000:1000 /app/.next/cache
USER 1000:1000
EXPOSE 3000
# The web process: `next start` with the hot REST reads answered first (workers/web.ts).
CMD ["node", "--import", "tsx", "workers/web.ts", "-p", "3000"]

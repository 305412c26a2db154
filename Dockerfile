# Multi-stage image for the API and the worker (the same image; compose picks the command).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@12.21.0
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/package.json
COPY apps/worker/package.json apps/worker/package.json
COPY packages/tlog/package.json packages/tlog/package.json
COPY packages/rules/package.json packages/rules/package.json
COPY packages/queue/package.json packages/queue/package.json
COPY packages/db/package.json packages/db/package.json
COPY packages/config/package.json packages/config/package.json
COPY test/package.json test/package.json
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY . .
RUN pnpm exec prisma generate && pnpm run typecheck

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
RUN npm install -g pnpm@12.21.0 && groupadd -r sigwatch && useradd -r -g sigwatch -d /app sigwatch \
  && mkdir -p /var/cache/sigwatch/tuf && chown -R sigwatch:sigwatch /var/cache/sigwatch
# /var/cache/sigwatch/tuf: the worker's verified TUF metadata (SIGWATCH_TUF_CACHE in docker-compose.yml); made
# here so that a fresh named volume mounted on it belongs to the sigwatch user.
COPY --from=build --chown=sigwatch:sigwatch /app /app
USER sigwatch
ENV NODE_ENV=production
EXPOSE 8080 9464
CMD ["pnpm", "exec", "tsx", "apps/api/src/server.ts"]

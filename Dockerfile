# syntax=docker/dockerfile:1.7
# Relevo connector: one container per WhatsApp number (see connector/README.md).
#
#   docker build -t relevo-connector .
#   docker run -d --name relevo-wa-main --init --restart unless-stopped --stop-timeout 30 \
#     -e SUPABASE_URL=https://<project>.supabase.co -e SUPABASE_ANON_KEY=<anon key> -e CONNECTOR_KEY=<channel key> \
#     -e CHANNEL_ID=<channel uuid> -v relevo-wa-main:/data -p 127.0.0.1:3100:3100 relevo-connector
#
# There is no Docker engine in CI: connector/scripts/image-smoke.sh runs the same context, the
# same pnpm install/deploy/strip steps and the same start command, then checks /health and SIGTERM.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: install the connector's workspace slice and deploy it with production deps only
FROM ${NODE_IMAGE} AS build
# Never download puppeteer's Chrome for Testing: the runtime uses Debian Chromium.
ENV PUPPETEER_SKIP_DOWNLOAD=1 \
    CI=1
RUN npm install --global pnpm@12.4.2
WORKDIR /repo
# Manifests first so the dependency layer is cached across source changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY connector/package.json connector/
COPY supabase/package.json supabase/
COPY contracts/package.json contracts/
RUN pnpm install --frozen-lockfile --filter @relevo/connector...
COPY tsconfig.base.json ./
COPY connector/ connector/
# The one workspace package the connector runs with (no dependencies of its own).
COPY contracts/ contracts/
# A self-contained folder: connector sources + node_modules with production deps only.
RUN pnpm --filter @relevo/connector deploy --prod /out \
 && rm -rf /out/bench /out/src/testing /out/vitest.config.ts \
 && find /out/src -name '*.test.ts' -delete

# ---- runtime: Node 24 + Debian Chromium, non-root, session and buffer on a volume
FROM ${NODE_IMAGE} AS runtime
# chromium: the browser whatsapp-web.js drives; fonts: emoji and CJK glyphs in rendered pages;
# tini: PID 1 that reaps Chromium's exited children (or run with `docker run --init`);
# ffmpeg (with libopus): agents' voice notes recorded as WebM or MP4 become OGG/Opus, the only
# format WhatsApp plays as a voice note (src/media/voice-note.ts), and whatsapp-web.js's sticker
# conversion finds it on the PATH.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends \
      chromium fonts-noto-color-emoji fonts-noto-cjk fonts-liberation ca-certificates tini ffmpeg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=1 \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    WHATSAPP_TRANSPORT=whatsapp-web \
    HOST=0.0.0.0 \
    PORT=3100 \
    DATA_DIR=/data \
    WHATSAPP_WEB_SESSION_PATH=/data/session \
    BUFFER_PATH=/data/buffer.jsonl
RUN groupadd --gid 10001 relevo \
 && useradd --uid 10001 --gid relevo --create-home --shell /usr/sbin/nologin relevo \
 && mkdir -p /data \
 && chown relevo:relevo /data
WORKDIR /app
COPY --from=build --chown=root:root /out /app
USER relevo
# The linked WhatsApp session (Chromium profile), the durable buffer and the catch-up checkpoint.
# Losing it means a new QR scan and losing buffered messages: always mount a named volume.
VOLUME ["/data"]
EXPOSE 3100
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3100)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# main.ts handles SIGTERM: finishes the send in flight, releases claimed messages, closes Chromium
# (so its profile is flushed). Give it time: docker run --stop-timeout 30 / compose stop_grace_period: 30s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/main.ts"]

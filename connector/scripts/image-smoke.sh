#!/usr/bin/env bash
# Runs the Dockerfile's steps without Docker (CI has no Docker engine): deploy the connector
# with production dependencies only into a temp folder, strip it like the image does, start it
# as the image would (simulator transport, unreachable Supabase), check /health and that
# SIGTERM ends it with exit code 0. Usage: connector/scripts/image-smoke.sh (from anywhere).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d)"
data="$(mktemp -d)"
port="${SMOKE_PORT:-39117}"
trap 'rm -rf "$out" "$data"' EXIT

cd "$root"
PUPPETEER_SKIP_DOWNLOAD=1 pnpm --filter @relevo/connector deploy --prod "$out/app" >/dev/null
rm -rf "$out/app/bench" "$out/app/src/testing" "$out/app/vitest.config.ts"
find "$out/app/src" -name '*.test.ts' -delete
if [ -d "$out/app/node_modules/@relevo" ] || [ -d "$out/app/node_modules/vitest" ]; then
  echo "image-smoke: dev dependencies leaked into the deploy" >&2
  exit 1
fi

cd "$out/app"
SUPABASE_URL=http://127.0.0.1:9 SUPABASE_SERVICE_ROLE_KEY=smoke-test-key-not-a-secret-000 \
  WHATSAPP_TRANSPORT=simulator HOST=127.0.0.1 PORT="$port" DATA_DIR="$data" LOG_LEVEL=warn \
  node --import tsx src/main.ts >"$out/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if health="$(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null)"; then break; fi
  sleep 0.2
done
echo "image-smoke: /health -> ${health:-none}"
[[ "${health:-}" == *'"status":"ready"'* ]] || { cat "$out/log" >&2; kill "$pid"; exit 1; }
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
echo "image-smoke: exit code after SIGTERM: $code"
[ "$code" -eq 0 ]

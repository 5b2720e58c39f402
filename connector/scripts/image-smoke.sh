#!/usr/bin/env bash
# Runs the Dockerfile's build and start steps without Docker (CI has no Docker engine):
# 1. a build context with only what the Dockerfile COPYs (package manifests first),
# 2. the same `pnpm install --frozen-lockfile --filter @relevo/connector...` and `pnpm deploy --prod`,
# 3. the same stripping, then a start as the image would (simulator transport, unreachable
#    Supabase), a check of /health, and SIGTERM → exit code 0.
# Usage: connector/scripts/image-smoke.sh   (add --offline to use only the local pnpm store)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
port="${SMOKE_PORT:-39117}"
trap 'rm -rf "$work"' EXIT
export CI=1 PUPPETEER_SKIP_DOWNLOAD=1

ctx="$work/repo"
mkdir -p "$ctx/connector" "$ctx/supabase" "$ctx/contracts"
cp "$root"/{package.json,pnpm-lock.yaml,pnpm-workspace.yaml,.npmrc} "$ctx/"
cp "$root/connector/package.json" "$ctx/connector/"
cp "$root/supabase/package.json" "$ctx/supabase/"
cp "$root/contracts/package.json" "$ctx/contracts/"
cd "$ctx"
pnpm install --frozen-lockfile "$@" --filter @relevo/connector... >"$work/install.log"
cp "$root/tsconfig.base.json" "$ctx/"
(cd "$root/connector" && tar --exclude=node_modules --exclude=.connector-data --exclude=bench/results -cf - .) |
  tar -xf - -C "$ctx/connector"
(cd "$root/contracts" && tar --exclude=node_modules -cf - .) | tar -xf - -C "$ctx/contracts"
pnpm --filter @relevo/connector deploy --prod "$@" "$work/out" >"$work/deploy.log"
rm -rf "$work/out/bench" "$work/out/src/testing" "$work/out/vitest.config.ts"
find "$work/out/src" -name '*.test.ts' -delete
for dev in @relevo/supabase @relevo/testing vitest typescript; do
  if [ -e "$work/out/node_modules/$dev" ]; then echo "image-smoke: dev dependency $dev leaked into the deploy" >&2; exit 1; fi
done
echo "image-smoke: deploy $(du -sh "$work/out" | cut -f1)"

mkdir -p "$work/data"
cd "$work/out"
SUPABASE_URL=http://127.0.0.1:9 SUPABASE_SERVICE_ROLE_KEY=smoke-test-key-not-a-secret-000 \
  WHATSAPP_TRANSPORT=simulator HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/data" LOG_LEVEL=warn \
  node --import tsx src/main.ts >"$work/log" 2>&1 &
pid=$!
health=''
for _ in $(seq 1 100); do
  if health="$(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null)"; then break; fi
  sleep 0.2
done
echo "image-smoke: /health -> ${health:-none}"
[[ "$health" == *'"status":"ready"'* ]] || { cat "$work/log" >&2; kill "$pid"; exit 1; }
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
echo "image-smoke: exit code after SIGTERM: $code"
[ "$code" -eq 0 ]

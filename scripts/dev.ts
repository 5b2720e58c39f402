// `./relevo dev`: the whole system on this machine, one console, Ctrl-C stops it all.
// Embedded default: the Supabase stand-in over PGlite, wrangler dev, vite, and the
// connector with the WhatsApp simulator. SUPABASE_URL + keys point it at a real project.
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createApiKeys } from '../supabase/local/keys.ts'
import { DEMO_CONNECTOR_KEY } from '../testing/src/demo-seed.ts'
import { devConnectorKey } from './dev/connector-key.ts'
import { prefix, type RunningPart, startPart, stopPart, waitUntilReady } from './dev/part.ts'
import { appParts, type DevConfig, functionsEnv, ports, standInPart } from './dev/parts.ts'
import { assertPortFree } from './dev/ports.ts'
import { devVapidKeys } from './dev/vapid-keys.ts'

const SEED_CHANNEL_ID = '00000000-0000-4000-8000-000000000101'
const say = (line: string) => process.stdout.write(`${prefix('relevo', 1)}${line}\n`)

async function configFromEnv(): Promise<DevConfig> {
  const keys = await createApiKeys()
  const external = process.env.SUPABASE_URL
  if (external && !(process.env.SUPABASE_ANON_KEY && process.env.SUPABASE_SERVICE_ROLE_KEY)) {
    throw new Error(
      'SUPABASE_URL is set: also set SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY (project settings → API)',
    )
  }
  const root = fileURLToPath(new URL('..', import.meta.url))
  const stateDir = process.env.RELEVO_STATE_DIR ?? `${root}.relevo`
  return {
    root,
    stateDir,
    functionsEnvFile: `${stateDir}/functions.env`,
    supabaseUrl: external ?? 'http://127.0.0.1:54321',
    anonKey: process.env.SUPABASE_ANON_KEY ?? keys.anonKey,
    serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY ?? keys.serviceRoleKey,
    standIn: !external,
    webhookSecret: process.env.WEBHOOK_SECRET ?? 'local-webhook-secret',
    opsToken: process.env.OPS_TOKEN ?? 'local-ops-token',
    channelId: process.env.CHANNEL_ID ?? SEED_CHANNEL_ID,
    graphApiUrl: process.env.GRAPH_API_URL ?? 'http://127.0.0.1:3200',
    graphApiDouble: !process.env.GRAPH_API_URL,
    connectorKey: process.env.CONNECTOR_KEY ?? null,
  }
}

function printWelcome(config: DevConfig): void {
  const ai =
    process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL
      ? `AI: OpenAI-compatible (${process.env.OPENAI_BASE_URL ?? 'api.openai.com'})`
      : 'AI: not configured (set OPENAI_API_KEY) — every chat goes to a person with the fallback text'
  say('')
  say('Relevo is running.')
  say(
    '  Dashboard   http://127.0.0.1:5173   (admin@demo.relevo.test / relevo-demo, agent ana@demo.relevo.test)',
  )
  say(
    `  Supabase    ${config.supabaseUrl}${config.standIn ? `   (local stand-in, data in ${config.stateDir}/db)` : ''}`,
  )
  say('  Functions   http://127.0.0.1:8787   Connector http://127.0.0.1:3100 (QR at /qr)')
  say(`  ${ai}`)
  say('  Play the customer:')
  say(`    curl -s localhost:3100/simulator/messages -H 'content-type: application/json' \\`)
  say(`      -d '{"from":"5215512345678","name":"Juan","body":"Hola, ¿tienen envíos?"}'`)
  say("    curl -s localhost:3100/simulator/outbox        # what the customer's phone received")
  if (config.graphApiDouble) {
    say('  Or a customer of the demo Cloud API number (Graph API double on http://127.0.0.1:3200):')
    say(`    curl -s localhost:3200/simulator/messages -H 'content-type: application/json' \\`)
    say(`      -d '{"from":"5215512345678","name":"Juan","body":"Hola"}'`)
    say('    curl -s localhost:3200/simulator/sent          # what the business sent')
  }
  say('  Ctrl-C stops everything.')
}

const running: RunningPart[] = []
let stopping = false

async function stopAll(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  say('stopping…')
  await Promise.all(running.map(stopPart))
  process.exit(code)
}

// `wrangler dev` never fires cron triggers by itself; production's "* * * * *" sweeper
// (dropped webhooks, auto-return, stale heartbeats) is run through its local endpoint.
function runCronEveryMinute(): void {
  setInterval(() => {
    fetch('http://127.0.0.1:8787/cdn-cgi/local/scheduled?cron=*+*+*+*+*').catch((error: unknown) =>
      say(`cron tick failed: ${error instanceof Error ? error.message : String(error)}`),
    )
  }, 60_000).unref()
}

async function main(): Promise<void> {
  const config = await configFromEnv()
  for (const [name, port] of ports) {
    if (name === 'supabase stand-in' && !config.standIn) continue
    if (name === 'graph api double' && !config.graphApiDouble) continue
    await assertPortFree(name, '127.0.0.1', port)
  }
  process.on('SIGINT', () => void stopAll(0))
  process.on('SIGTERM', () => void stopAll(0))
  const start = (part: RunningPart) => {
    running.push(part)
    void part.exited.then((code) => {
      if (!stopping) {
        say(`${part.spec.name} stopped (exit ${code}); stopping the rest`)
        void stopAll(1)
      }
    })
    return part
  }

  await mkdir(config.stateDir, { recursive: true })
  config.vapidKeys = await devVapidKeys(`${config.stateDir}/vapid.json`)
  await writeFile(config.functionsEnvFile, functionsEnv(config), { mode: 0o600 })
  if (config.standIn) await waitUntilReady(start(startPart(standInPart(config))), 120_000)
  config.connectorKey = await devConnectorKey(config, DEMO_CONNECTOR_KEY, say)
  const apps = appParts(config).map((spec) => start(startPart(spec)))
  await Promise.all(apps.map((part) => waitUntilReady(part, 120_000)))
  runCronEveryMinute()
  printWelcome(config)
}

main().catch((error: unknown) => {
  say(`\x1b[31m${error instanceof Error ? error.message : String(error)}\x1b[0m`)
  void stopAll(1)
})

import { deliveryLog } from './delivery-log.ts'
import type { PartSpec } from './part.ts'

/** Where the local system lives; every value can be overridden by the environment. */
export interface DevConfig {
  root: string
  /** Local state: the stand-in's database, the connector's buffer and session, the functions' env file. */
  stateDir: string
  supabaseUrl: string
  anonKey: string
  serviceRoleKey: string
  /** False when SUPABASE_URL points at a real project: then no stand-in is started. */
  standIn: boolean
  webhookSecret: string
  /** For /metrics and the monitoring API without a user JWT. */
  opsToken: string
  /** The functions' secrets, in a file so they never show in a command line or a log. */
  functionsEnvFile: string
  /** The deployment's VAPID pair for Web Push, made once and kept in the state folder. */
  vapidKeys?: { publicKey: string; privateKey: string }
  channelId: string
  /** Meta's Graph API for Cloud API channels: the local double unless GRAPH_API_URL is set. */
  graphApiUrl: string
  graphApiDouble: boolean
  /** The channel credential the connector signs in with (ADR 074); null = the service role. */
  connectorKey: string | null
}

const pnpm = process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm'

function packagePart(
  config: DevConfig,
  name: string,
  color: number,
  dir: string,
  readyUrl: string,
  env: NodeJS.ProcessEnv,
): PartSpec {
  return {
    name,
    color,
    command: pnpm,
    args: ['run', 'dev'],
    cwd: `${config.root}/${dir}`,
    env: { ...process.env, FORCE_COLOR: '1', ...env },
    readyUrl,
  }
}

export function standInPart(config: DevConfig): PartSpec {
  return packagePart(config, 'supabase', 36, 'supabase', `${config.supabaseUrl}/rest/v1/`, {})
}

export function appParts(config: DevConfig): PartSpec[] {
  const functions = packagePart(config, 'functions', 35, 'functions', 'http://127.0.0.1:8787/health', {})
  functions.args.push('--env-file', config.functionsEnvFile)
  functions.format = deliveryLog
  return [
    functions,
    packagePart(config, 'connector', 33, 'connector', 'http://127.0.0.1:3100/health', {
      SUPABASE_URL: config.supabaseUrl,
      ...(config.connectorKey
        ? { CONNECTOR_KEY: config.connectorKey, SUPABASE_ANON_KEY: config.anonKey }
        : { SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey }),
      CHANNEL_ID: config.channelId,
      DATA_DIR: `${config.stateDir}/connector`,
      WHATSAPP_TRANSPORT: process.env.WHATSAPP_TRANSPORT ?? 'simulator',
    }),
    packagePart(config, 'dashboard', 32, 'dashboard', 'http://127.0.0.1:5173/', {
      PUBLIC_SUPABASE_URL: config.supabaseUrl,
      PUBLIC_SUPABASE_ANON_KEY: config.anonKey,
    }),
    ...(config.graphApiDouble
      ? [
          // The demo Cloud API number: Meta's side, signing its webhooks with the demo app secret.
          packagePart(config, 'graph-api', 34, 'testing', 'http://127.0.0.1:3200/simulator/sent', {
            GRAPH_API_PORT: '3200',
            GRAPH_API_WEBHOOK_URL: 'http://127.0.0.1:8787/webhooks/whatsapp',
          }),
        ]
      : []),
  ]
}

export const ports: Array<[name: string, port: number]> = [
  ['supabase stand-in', 54321],
  ['functions', 8787],
  ['dashboard', 5173],
  ['connector', 3100],
  ['graph api double', 3200],
]

/** The functions' variables and secrets for `wrangler dev --env-file`. */
export function functionsEnv(config: DevConfig): string {
  const vars: Record<string, string | undefined> = {
    SUPABASE_URL: config.supabaseUrl,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
    WEBHOOK_SECRET: config.webhookSecret,
    OPS_TOKEN: config.opsToken,
    OPENAI_API_KEY: process.env.OPENAI_API_KEY,
    OPENAI_BASE_URL: process.env.OPENAI_BASE_URL,
    OPENAI_MODEL: process.env.OPENAI_MODEL,
    // A private deployment's tenant URLs (AI coordinator, webhook endpoints) may be local (ADR 073).
    RELEVO_ALLOW_PRIVATE_URLS: process.env.RELEVO_ALLOW_PRIVATE_URLS,
    GRAPH_API_URL: config.graphApiUrl,
    VAPID_PUBLIC_KEY: config.vapidKeys?.publicKey,
    VAPID_PRIVATE_KEY: config.vapidKeys?.privateKey,
    VAPID_SUBJECT: process.env.VAPID_SUBJECT,
  }
  return Object.entries(vars)
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join('\n')
}

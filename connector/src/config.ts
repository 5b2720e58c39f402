/**
 * @module
 * Connector configuration from the environment, validated once at start. An invalid
 * variable stops the process with a message naming it (see README "Environment").
 */
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import type { StoreCredentials } from './store/supabase-session.ts'

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1')

const CONNECTOR_KEY_FORMAT =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([0-9a-f]{48})$/

const env = z
  .object({
    SUPABASE_URL: z.url().default('http://127.0.0.1:54321'),
    // The channel's own credential (ADR 074), issued by an admin; with the project's anon key.
    CONNECTOR_KEY: z
      .string()
      .regex(
        CONNECTOR_KEY_FORMAT,
        'like <credential id>.<48 hex characters>, from issue_connector_credential',
      )
      .optional(),
    SUPABASE_ANON_KEY: z.string().min(20).optional(),
    // Development only: the service role acts for every channel of every tenant.
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
    CHANNEL_ID: z.uuid().default('00000000-0000-4000-8000-000000000101'),
    WHATSAPP_TRANSPORT: z.enum(['simulator', 'whatsapp-web']).default('simulator'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3100),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./.connector-data'),
    WHATSAPP_WEB_SESSION_PATH: z.string().optional(),
    BUFFER_PATH: z.string().optional(),
    PUPPETEER_EXECUTABLE_PATH: z.string().default('/usr/bin/chromium'),
    WHATSAPP_WEB_VERSION: z
      .string()
      .regex(/^2\.\d+\.\d+$/, 'like 2.3000.1017054665')
      .optional(),
    WHATSAPP_WEB_VERSION_URL: z.url().optional(),
    WHATSAPP_GROUPS_ENABLED: bool,
    SIMULATOR_LINKED: z
      .enum(['true', 'false', '1', '0', ''])
      .default('true')
      .transform((v) => v !== 'false' && v !== '0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
    OUTBOX_POLL_MS: z.coerce.number().int().min(100).default(3000),
    OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    HEARTBEAT_MS: z.coerce.number().int().min(500).default(5000),
    // WhatsApp's own limits: 16 MB for images, audio, video and stickers, 100 MB for documents.
    MEDIA_MAX_MB: z.coerce.number().positive().max(2048).default(16),
    MEDIA_DOCUMENT_MAX_MB: z.coerce.number().positive().max(2048).default(100),
    // Guards /qr and the detailed /health with the whatsapp-web transport; long enough not to guess.
    CONNECTOR_TOKEN: z.string().min(24, 'use at least 24 characters (openssl rand -hex 24)').optional(),
  })
  .refine((e) => (e.CONNECTOR_KEY ? e.SUPABASE_ANON_KEY : e.SUPABASE_SERVICE_ROLE_KEY), {
    path: ['CONNECTOR_KEY'],
    message:
      'set CONNECTOR_KEY and SUPABASE_ANON_KEY (the channel credential), or SUPABASE_SERVICE_ROLE_KEY for development',
  })

export type ConnectorConfig = ReturnType<typeof parseConfig>

export class ConfigError extends Error {
  readonly code = 'invalid_config'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConfigError'
  }
}

/** The channel credential when one is set (it wins over a service role key), else the service role. */
function storeCredentials(e: z.infer<typeof env>): StoreCredentials {
  const match = e.CONNECTOR_KEY?.match(CONNECTOR_KEY_FORMAT)
  if (match?.[1] && match[2] && e.SUPABASE_ANON_KEY) {
    return { kind: 'connector', anonKey: e.SUPABASE_ANON_KEY, credentialId: match[1], secret: match[2] }
  }
  return { kind: 'service_role', serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY ?? '' }
}

/** Parses `process.env` (or any record); throws ConfigError listing every bad variable. */
export function parseConfig(source: Record<string, string | undefined>) {
  const parsed = env.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid connector environment:\n${lines.join('\n')}\nSee connector/.env.example`, {
      cause: parsed.error,
    })
  }
  const e = parsed.data
  const dataDir = resolve(e.DATA_DIR)
  const bufferPath = resolve(e.BUFFER_PATH ?? join(dataDir, 'buffer.jsonl'))
  return {
    supabaseUrl: e.SUPABASE_URL,
    credentials: storeCredentials(e),
    channelId: e.CHANNEL_ID,
    transport: e.WHATSAPP_TRANSPORT,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    sessionPath: resolve(e.WHATSAPP_WEB_SESSION_PATH ?? join(dataDir, 'session')),
    bufferPath,
    mediaSpoolPath: join(dirname(bufferPath), 'media-spool'),
    mediaLimits: {
      maxBytes: Math.round(e.MEDIA_MAX_MB * 1_048_576),
      documentMaxBytes: Math.round(e.MEDIA_DOCUMENT_MAX_MB * 1_048_576),
    },
    checkpointPath: join(dataDir, 'checkpoint.json'),
    chromiumPath: e.PUPPETEER_EXECUTABLE_PATH,
    webVersion: e.WHATSAPP_WEB_VERSION ?? null,
    webVersionUrl: e.WHATSAPP_WEB_VERSION_URL ?? null,
    groupsEnabled: e.WHATSAPP_GROUPS_ENABLED,
    simulatorLinked: e.SIMULATOR_LINKED,
    logLevel: e.LOG_LEVEL,
    workerId: e.WORKER_ID,
    outboxPollMs: e.OUTBOX_POLL_MS,
    outboxLeaseSeconds: e.OUTBOX_LEASE_SECONDS,
    outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    heartbeatMs: e.HEARTBEAT_MS,
    token: e.CONNECTOR_TOKEN,
  }
}

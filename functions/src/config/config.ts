/**
 * @module
 * The Worker's bindings (wrangler.toml `[vars]` plus `wrangler secret put` / `.dev.vars`), parsed
 * once per request into a typed config. See functions/README.md for what each one does.
 */
import { z } from 'zod'
import { MODEL_BUDGET_MS, worstHttpMs, worstModelMs } from '../pipeline/run-budget.ts'
import { ConfigError } from '../shared/errors.ts'

/**
 * What the Worker needs of the `DurableObjectNamespace<ConversationAgent>` binding, structurally,
 * so that Node code (integration tests, benchmark) type-checks without the Workers types.
 */
export interface AgentNamespace {
  idFromName(name: string): unknown
  get(id: unknown): { notify(conversationId: string, messageId: string): Promise<unknown> }
}

/** The `DurableObjectNamespace<EndpointDeliverer>` binding, structurally (as AgentNamespace). */
export interface DelivererNamespace {
  idFromName(name: string): unknown
  get(id: unknown): { notify(endpointId: string): Promise<unknown> }
}

/** What the Worker needs of the `DurableObjectNamespace<ChannelSender>` binding (one sender per Cloud API channel). */
export interface SenderBinding {
  idFromName(name: string): unknown
  get(id: unknown): { notify(channelId: string): Promise<unknown> }
}

/** The rate-limiting binding's surface (Workers' `RateLimit`), declared here so Node-side code type-checks too. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

/** What Cloudflare hands the Worker as `env`. Secrets are optional here and checked where used. */
export interface Bindings {
  /** Cloudflare's rate-limiting binding (wrangler.toml [[ratelimits]]). */
  RATE_LIMITER?: RateLimitBinding
  SUPABASE_URL?: string
  SUPABASE_ANON_KEY?: string
  SUPABASE_SERVICE_ROLE_KEY?: string
  WEBHOOK_SECRET?: string
  OPS_TOKEN?: string
  OPENAI_API_KEY?: string
  OPENAI_BASE_URL?: string
  OPENAI_MODEL?: string
  OPENAI_TRANSCRIPTION_MODEL?: string
  OPENAI_ALLOWED_MODELS?: string
  OPENAI_TIMEOUT_MS?: string
  OPENAI_MAX_RETRIES?: string
  RELEVO_ALLOW_PRIVATE_URLS?: string
  AI_HTTP_TIMEOUT_MS?: string
  SHOPIFY_ADMIN_TOKEN?: string
  SHOPIFY_CLIENT_ID?: string
  SHOPIFY_CLIENT_SECRET?: string
  SHOPIFY_SHARED_SHOPS?: string
  SHOPIFY_API_VERSION?: string
  /** A Shopify Admin API double's base URL (tests, local demo); unset in production. */
  SHOPIFY_ADMIN_URL?: string
  SHOPIFY_CHECKOUT?: string
  SWEEP_MIN_AGE_SECONDS?: string
  LOG_LEVEL?: string
  /** Meta's Graph API (or the local double); the version is pinned. */
  GRAPH_API_URL?: string
  GRAPH_API_VERSION?: string
  /** Durable Object namespace: one ConversationAgent per conversation (decision 023). */
  CONVERSATION_AGENT?: AgentNamespace
  /** Durable Object namespace: one EndpointDeliverer per webhook endpoint (decision 090). */
  ENDPOINT_DELIVERER?: DelivererNamespace
  /** Durable Object namespace: one ChannelSender per Cloud API channel (ADR 120). */
  CHANNEL_SENDER?: SenderBinding
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined))
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback)

const configSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: optionalText,
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  WEBHOOK_SECRET: optionalText,
  OPS_TOKEN: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
  OPENAI_MODEL: optionalText,
  OPENAI_TRANSCRIPTION_MODEL: optionalText,
  // The models a tenant may pick while it uses the deployment's key (the operator pays for them).
  OPENAI_ALLOWED_MODELS: z
    .string()
    .optional()
    .default('gpt-4o-mini')
    .transform((v) =>
      v
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1)),
  OPENAI_TIMEOUT_MS: int(20_000, 50, 120_000),
  OPENAI_MAX_RETRIES: int(1, 0, 5),
  // Private deployments only: tenant URLs (ai_http_url) may then be loopback or private addresses.
  RELEVO_ALLOW_PRIVATE_URLS: z
    .enum(['', '0', '1'])
    .optional()
    .transform((v) => v === '1'),
  AI_HTTP_TIMEOUT_MS: int(15_000, 50, 120_000),
  SHOPIFY_ADMIN_TOKEN: optionalText,
  SHOPIFY_CLIENT_ID: optionalText,
  SHOPIFY_CLIENT_SECRET: optionalText,
  // Which tenant may use the deployment's Shopify credentials for which shop: tenant_id:shop,...
  SHOPIFY_SHARED_SHOPS: z
    .string()
    .optional()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[0-9a-f-]{36}:[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/))),
  // Pinned on purpose: shopify-api 15 has no LATEST_API_VERSION; bump each quarter.
  SHOPIFY_API_VERSION: z.string().optional().default('2026-10'),
  // The library forces https://<shop>.myshopify.com; a double on loopback is reached through this.
  SHOPIFY_ADMIN_URL: z
    .url()
    .optional()
    .transform((v) => v?.replace(/\/+$/, '')),
  SHOPIFY_CHECKOUT: z.enum(['cart', 'draft_order']).optional().default('cart'),
  SWEEP_MIN_AGE_SECONDS: int(60, 5, 3600),
  GRAPH_API_URL: z
    .url()
    .optional()
    .default('https://graph.facebook.com')
    .transform((v) => v.replace(/\/+$/, '')),
  // Pinned like the Shopify version: Meta keeps each Graph API version working for at least two years.
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .optional()
    .default('v26.0'),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .optional()
    .default('info'),
})

export type Config = z.output<typeof configSchema>

export function readConfig(env: Bindings): Config {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ')
    throw new ConfigError(`Invalid Worker configuration: ${fields}`, 'Fix wrangler.toml [vars] or .dev.vars')
  }
  checkRunBudget(parsed.data)
  return parsed.data
}

/** A run must end well inside its live claim and the alarm's wall-time limit (decision 023). */
function checkRunBudget(config: Config): void {
  const worst = [
    [
      'OPENAI_TIMEOUT_MS × (OPENAI_MAX_RETRIES + 1) × 5 rounds',
      worstModelMs(config.OPENAI_TIMEOUT_MS, config.OPENAI_MAX_RETRIES),
    ],
    ['AI_HTTP_TIMEOUT_MS × 3 attempts', worstHttpMs(config.AI_HTTP_TIMEOUT_MS)],
  ] as const
  for (const [what, ms] of worst) {
    if (ms > MODEL_BUDGET_MS) {
      throw new ConfigError(
        `${what} is ${ms / 1000} s, over the ${MODEL_BUDGET_MS / 1000} s an AI run may spend on its model`,
        'Lower the timeout or the retries (defaults: OPENAI_TIMEOUT_MS 20000 with 1 retry, AI_HTTP_TIMEOUT_MS 15000)',
      )
    }
  }
}

/** The service role key, required by every route that touches the database. */
export function requireServiceKey(config: Config): string {
  if (!config.SUPABASE_SERVICE_ROLE_KEY) {
    throw new ConfigError(
      'SUPABASE_SERVICE_ROLE_KEY is not set',
      'Run `wrangler secret put SUPABASE_SERVICE_ROLE_KEY`',
    )
  }
  return config.SUPABASE_SERVICE_ROLE_KEY
}

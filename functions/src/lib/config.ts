/**
 * @module
 * The Worker's bindings (wrangler.toml `[vars]` plus `wrangler secret put` / `.dev.vars`), parsed
 * once per request into a typed config. See functions/README.md for what each one does.
 */
import { z } from 'zod'
import { ConfigError } from './errors.ts'
import type { RateLimitBinding } from './rate-limit.ts'

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
  SHOPIFY_CHECKOUT?: string
  SWEEP_MIN_AGE_SECONDS?: string
  HEARTBEAT_STALE_SECONDS?: string
  LOG_LEVEL?: string
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
  SHOPIFY_CHECKOUT: z.enum(['cart', 'draft_order']).optional().default('cart'),
  SWEEP_MIN_AGE_SECONDS: int(60, 5, 3600),
  HEARTBEAT_STALE_SECONDS: int(120, 30, 86_400),
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
  return parsed.data
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

/**
 * @module
 * The RPCs that return `jsonb` are typed `Json` by the generated schema types, so their shape is
 * checked here when the answer arrives instead of being assumed (zod/mini keeps the bundle small).
 */
import { Constants } from '@relevo/supabase/types'
import { z } from 'zod/mini'
import { DeskError } from '../desk-error.ts'

/** tenant_secrets_status(): which secrets are set, never their values. */
export const secretsStatus = z.object({
  openai_api_key: z.boolean(),
  shopify_access_token: z.boolean(),
  ai_http_secret: z.boolean(),
  ai_http_header_secret: z.boolean(),
})
export type SecretsStatus = z.infer<typeof secretsStatus>
export type SecretsInput = { [K in keyof SecretsStatus]?: string }

/** create_invitation(): the one-time code is only ever in this answer. */
export const createdInvitation = z.object({ id: z.string(), code: z.string(), expires_at: z.string() })

const counts = z.record(z.string(), z.number())

/** dashboard_metrics(p_from, p_to). */
export const metrics = z.object({
  open_conversations: z.number(),
  needs_attention: z.number(),
  replies_by_author: counts,
  handoffs_by_reason: counts,
  takeovers: z.number(),
  median_first_response_seconds: counts,
  messages_per_hour: z.array(
    z.object({ hour: z.string(), author: z.enum(Constants.public.Enums.message_author), count: z.number() }),
  ),
  failed_deliveries: z.number(),
  ai_tokens_per_day: z.array(
    z.object({ day: z.string(), prompt: z.nullable(z.number()), completion: z.nullable(z.number()) }),
  ),
})
export type Metrics = z.infer<typeof metrics>

/** An answer of another shape means the dashboard and the database are out of step: say so. */
export function parseJson<T>(what: string, shape: z.ZodMiniType<T>, value: unknown): T {
  const result = shape.safeParse(value)
  if (result.success) return result.data
  throw new DeskError('unexpected_answer', `${what} answered in an unexpected shape`, { cause: result.error })
}

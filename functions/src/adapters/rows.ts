/**
 * @module
 * zod shapes of the rows and RPC answers the pipeline reads: the one edge between SQL's
 * snake_case and the pipeline's camelCase types.
 */
import { coordinatorMapping } from '@relevo/supabase/coordinator-mapping'
import { CheckEnums } from '@relevo/supabase/enums'
import { Constants } from '@relevo/supabase/types'
import { z } from 'zod'
import type { ChatMessage, MessageMedia } from '../pipeline/types.ts'

export const messageRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  tenant_id: z.string(),
  direction: z.enum(Constants.public.Enums.message_direction),
  author: z.enum(Constants.public.Enums.message_author),
  body: z.string(),
  type: z.string(),
  created_at: z.string(),
  deleted_at: z.string().nullable(),
  // Each field tolerates what older rows hold (metadata only, ADR 085): a bad field is dropped, not fatal.
  media: z
    .looseObject({
      path: z.string().optional().catch(undefined),
      mimetype: z.string().optional().catch(undefined),
      size: z.number().optional().catch(undefined),
      filename: z.string().optional().catch(undefined),
      sha256: z.string().optional().catch(undefined),
    })
    .nullable(),
  media_status: z.enum(['pending', 'stored', 'failed', 'expired']).nullable(),
  transcript: z.string().nullable(),
})
export const messageColumns =
  'id,conversation_id,tenant_id,direction,author,body,type,created_at,deleted_at,media,media_status,transcript'

export const conversationRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  channel_id: z.string(),
  mode: z.enum(Constants.public.Enums.conversation_mode),
  status: z.enum(Constants.public.Enums.conversation_status),
  customer_name: z.string().nullable(),
  customer_phone: z.string().nullable(),
})

export const tenantRow = z.object({
  id: z.string(),
  name: z.string(),
  ai_provider: z.enum(Constants.public.Enums.ai_provider),
  ai_model: z.string(),
  ai_http_url: z.string().nullable(),
  ai_http_mapping: coordinatorMapping.nullable(),
  system_prompt: z.string(),
  language: z.enum(CheckEnums['tenants.language']),
  debounce_seconds: z.number(),
  context_messages: z.number(),
  handoff_keywords: z.array(z.string()),
  fallback_text: z.string(),
  shopify_shop_domain: z.string().nullable(),
  ai_may_label: z.boolean(),
  ai_accepts_images: z.boolean(),
  transcription_model: z.string(),
})

export const labelResult = z.union([
  z.object({ applied: z.literal(true) }),
  z.object({ applied: z.literal(false), reason: z.enum(['labels_disabled', 'label_not_found']) }),
])

export const secretsRow = z.object({
  openai_api_key: z.string().nullish(),
  shopify_access_token: z.string().nullish(),
  ai_http_secret: z.string().nullish(),
  ai_http_header_secret: z.string().nullish(),
})

export const claimResult = z.object({ run_id: z.string(), won: z.boolean() })

export const enqueueRow = z.object({
  enqueued: z.boolean(),
  media_dropped: z.boolean().optional(),
  template: z.string().optional(),
  reason: z.string().optional(),
  message_id: z.string().optional(),
})

export function toMessage(row: z.output<typeof messageRow>): ChatMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    direction: row.direction,
    author: row.author,
    body: row.body,
    type: row.type,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    media: row.media ? pickMedia(row.media) : null,
    mediaStatus: row.media_status,
    transcript: row.transcript,
  }
}

/** Only the file's own fields (media also holds WhatsApp's metadata, e.g. dimensions). */
function pickMedia(media: NonNullable<z.output<typeof messageRow>['media']>): MessageMedia {
  const { path, mimetype, size, filename, sha256 } = media
  return Object.fromEntries(
    Object.entries({ path, mimetype, size, filename, sha256 }).filter(([, v]) => v !== undefined),
  )
}

/**
 * @module
 * The Cloud API flows' store port over Supabase (service role): the SQL functions of the
 * cloud_api migrations and the delivery and media rules the connector also calls (ingest_messages,
 * claim_outbox through claim_cloud_outbox, mark_sent, mark_failed, record_ack, media_to_fetch,
 * mark_media_stored, mark_media_failed).
 */
import type { Json } from '@relevo/supabase/types'
import { z } from 'zod'
import type { CloudChannel, CloudStore, OutgoingFile } from '../cloud-api/ports.ts'
import { StoreError } from '../shared/errors.ts'
import { withRetry } from '../shared/retry.ts'
import { check } from './postgrest.ts'
import type { Db } from './supabase.ts'

const channelRow = z.object({
  channel_id: z.string(),
  tenant_id: z.string(),
  status: z.string(),
  phone_number_id: z.string(),
  waba_id: z.string(),
  messages_per_second: z.number(),
  access_token: z.string(),
  app_secret: z.string(),
})
const mediaRow = z.object({
  message_id: z.string(),
  tenant_id: z.string(),
  conversation_id: z.string(),
  type: z.string(),
  media: z.object({ mediaId: z.string().nullish(), filename: z.string().nullish() }).loose().nullable(),
})
const outgoingMedia = z.object({
  path: z.string().min(1),
  mimetype: z.string().min(1),
  filename: z.string().nullish(),
  voice: z.boolean().nullish(),
})
const mediaFailure = z.object({ retry_at: z.string().nullable() })
const ingestResults = z.array(z.object({ duplicate: z.boolean() }).or(z.object({ error: z.unknown() })))
const outboxRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  recipient: z.string(),
  body: z.string(),
  template: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()) }).nullable(),
  attempts: z.number(),
})

function toChannel(data: unknown): CloudChannel | null {
  if (data === null) return null
  const r = channelRow.parse(data)
  return {
    channelId: r.channel_id,
    tenantId: r.tenant_id,
    status: r.status,
    phoneNumberId: r.phone_number_id,
    wabaId: r.waba_id,
    messagesPerSecond: r.messages_per_second,
    accessToken: r.access_token,
    appSecret: r.app_secret,
  }
}

/** `client` is called on first use: routes that never touch a Cloud API channel need no service key. */
export function createSupabaseCloudStore(client: () => Db): CloudStore {
  /** The stored files of claimed rows (claim_cloud_outbox returns the text only). */
  async function filesOf(ids: string[]): Promise<Map<string, OutgoingFile>> {
    if (ids.length === 0) return new Map()
    const rows = check(
      'load outgoing files',
      await client().from('messages').select('id, media').in('id', ids).not('media', 'is', null),
    )
    const files = new Map<string, OutgoingFile>()
    for (const row of rows ?? []) {
      const media = outgoingMedia.safeParse(row.media)
      if (!media.success) continue
      const { path, mimetype, filename, voice } = media.data
      files.set(row.id, { path, mimetype, filename: filename ?? null, voice: voice === true })
    }
    return files
  }

  const store: CloudStore = {
    async channelForNumber(phoneNumberId) {
      return toChannel(
        check(
          'route webhook',
          await client().rpc('cloud_api_channel_for_number', { p_phone_number_id: phoneNumberId }),
        ),
      )
    },
    async channel(channelId) {
      return toChannel(
        check('load Cloud API channel', await client().rpc('cloud_api_channel', { p_channel_id: channelId })),
      )
    },
    async verifyTokenKnown(token) {
      return (
        check(
          'check verify token',
          await client().rpc('cloud_api_verify_token_known', { p_verify_token: token }),
        ) === true
      )
    },
    async ingest(messages) {
      const data = check(
        'ingest Cloud API messages',
        await client().rpc('ingest_messages', {
          p_messages: messages.map((m) => ({
            channel_id: m.channelId,
            wa_message_id: m.waMessageId,
            wa_chat_id: m.chatId,
            from_me: false,
            body: m.body,
            customer_name: m.customerName,
            customer_phone: m.customerPhone,
            type: m.type,
            media: m.media as Json,
            sent_at: m.sentAt,
          })),
        }),
      )
      return ingestResults.parse(data).filter((r) => 'duplicate' in r && !r.duplicate).length
    },
    async recordStatus(status) {
      const params = { p_channel_id: status.channelId, p_wa_message_id: status.waMessageId }
      if (status.status === 'failed') {
        check(
          'record delivery failure',
          await client().rpc('record_delivery_failure', { ...params, p_error: status.error }),
        )
      } else {
        check('record ack', await client().rpc('record_ack', { ...params, p_status: status.status }))
      }
    },
    async claim(channelId, worker, limit, leaseSeconds) {
      const data = check(
        'claim Cloud API outbox',
        await client().rpc('claim_cloud_outbox', {
          p_channel_id: channelId,
          p_worker: worker,
          p_limit: limit,
          p_lease_seconds: leaseSeconds,
        }),
      )
      const rows = z.array(outboxRow).parse(data ?? [])
      const files = await filesOf(rows.map((r) => r.id))
      return rows.map((r) => ({
        id: r.id,
        conversationId: r.conversation_id,
        recipient: r.recipient,
        body: r.body,
        template: r.template,
        file: files.get(r.id) ?? null,
        attempts: r.attempts,
      }))
    },
    async markSent(messageId, wamid) {
      // Meta already accepted the message: if the wamid is not recorded, the lease expires and the
      // message is sent again. mark_sent is idempotent, so a database hiccup is worth a few retries.
      await withRetry(
        async () =>
          check(
            'mark sent',
            await client().rpc('mark_sent', { p_message_id: messageId, p_wa_message_id: wamid }),
          ),
        {
          retries: 4,
          baseDelayMs: 500,
          maxDelayMs: 8_000,
          isRetryable: (error) => error instanceof StoreError && error.code === 'db_error',
        },
      )
    },
    async markFailed(messageId, error, retryable) {
      check(
        'mark failed',
        await client().rpc('mark_failed', {
          p_message_id: messageId,
          p_error: error,
          p_retryable: retryable,
        }),
      )
    },
    async nextDue(channelId) {
      const data = check(
        'next outbox time',
        await client().rpc('next_outbox_due', { p_channel_id: channelId }),
      )
      return data ? Date.parse(data) : null
    },
    async setChannelError(channelId, error) {
      check(
        'set channel error',
        await client().rpc('set_cloud_api_error', { p_channel_id: channelId, p_error: error }),
      )
    },
    async recordCheck(channelId, info) {
      check(
        'record number check',
        await client().rpc('record_cloud_api_check', {
          p_channel_id: channelId,
          p_display_phone_number: info.displayPhoneNumber,
          p_verified_name: info.verifiedName,
          p_quality_rating: info.qualityRating,
        }),
      )
    },
    async mediaToFetch(channelId, limit) {
      const data = check(
        'list Cloud API media to fetch',
        await client().rpc('media_to_fetch', {
          p_channel_id: channelId,
          p_limit: limit,
          p_pending_age_seconds: 0,
        }),
      )
      return z
        .array(mediaRow)
        .parse(data ?? [])
        .map((r) => ({
          messageId: r.message_id,
          tenantId: r.tenant_id,
          conversationId: r.conversation_id,
          type: r.type,
          mediaId: r.media?.mediaId ?? null,
          filename: r.media?.filename ?? null,
        }))
    },
    async markMediaStored(messageId, media) {
      check(
        'mark media stored',
        await client().rpc('mark_media_stored', { p_message_id: messageId, p_media: { ...media } }),
      )
    },
    async markMediaFailed(messageId, error, retryable) {
      const data = check(
        'mark media failed',
        await client().rpc('mark_media_failed', {
          p_message_id: messageId,
          p_error: error,
          p_retryable: retryable,
        }),
      )
      const retryAt = mediaFailure.parse(data).retry_at
      return retryAt ? Date.parse(retryAt) : null
    },
    async latestInbound(conversationId) {
      const latest = check(
        'load latest customer message',
        await client()
          .from('messages')
          .select('channel_id, wa_message_id')
          .eq('conversation_id', conversationId)
          .eq('direction', 'in')
          .not('wa_message_id', 'is', null)
          .order('created_at', { ascending: false })
          .limit(1)
          .maybeSingle(),
      )
      if (!latest?.wa_message_id) return null
      // cloud_api_channel is null for a WhatsApp Web number: its connector sends its own receipts.
      const channel = await store.channel(latest.channel_id)
      return channel ? { channel, waMessageId: latest.wa_message_id } : null
    },
  }
  return store
}

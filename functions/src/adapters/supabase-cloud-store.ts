/**
 * @module
 * The Cloud API flows' store port over Supabase (service role): the SQL functions of the
 * cloud_api migrations and the delivery rules the connector also calls (ingest_messages,
 * claim_outbox through claim_cloud_outbox, mark_sent, mark_failed, record_ack).
 */
import type { Json } from '@relevo/supabase/types'
import { z } from 'zod'
import type { CloudChannel, CloudStore } from '../cloud-api/ports.ts'
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
  return {
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
      return z
        .array(outboxRow)
        .parse(data ?? [])
        .map((r) => ({
          id: r.id,
          conversationId: r.conversation_id,
          recipient: r.recipient,
          body: r.body,
          template: r.template,
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
  }
}

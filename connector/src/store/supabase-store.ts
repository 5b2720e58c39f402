/**
 * @module
 * The Supabase adapter of `MessageStore`: the only file that talks to Supabase. It calls
 * the SQL functions of supabase/migrations (never re-implementing their rules) as the channel's
 * connector credential (ADR 074: an Auth user that may act only for its channel) or, in
 * development, the service role; maps snake_case rows to camelCase, and turns supabase-js
 * results into `StoreUnavailableError` (buffer or retry later) or `StoreRejectedError` (do not retry).
 */
import type { MediaStatus } from '@relevo/supabase/enums'
import type { Database } from '@relevo/supabase/types'
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { AckStatus, MessageType } from '../whatsapp/transport.ts'
import { Batcher } from './batcher.ts'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import { mediaFromJson, mediaToJson, outboxMediaFromJson, storedMediaToJson } from './media-json.ts'
import type {
  ChangeInput,
  ChangeResult,
  ChannelStatusInput,
  IngestInput,
  IngestResult,
  MediaFailure,
  MediaToFetch,
  MessageStore,
  OutboxMessage,
  SendFailure,
  StoredMedia,
} from './message-store.ts'
import { type StoreCredentials, SupabaseSession } from './supabase-session.ts'

export interface SupabaseStoreOptions {
  url: string
  credentials: StoreCredentials
  channelId: string
  workerId: string
  logger: Logger
  /** Per-request timeout: an unreachable database must fail fast so messages get buffered. */
  requestTimeoutMs?: number
}

// The values of CheckEnums['messages.media_status']; a type import only (the image ships no @relevo/supabase).
const mediaStatus = z.enum([
  'pending',
  'stored',
  'failed',
  'expired',
] as const satisfies readonly MediaStatus[])
const ingestResult = z.object({
  message_id: z.string(),
  conversation_id: z.string(),
  tenant_id: z.string(),
  duplicate: z.boolean(),
  author: z.string(),
  media_status: mediaStatus.nullable(),
})
const rejectedElement = z.object({
  error: z.object({ status: z.number(), code: z.string(), message: z.string(), hint: z.string().nullable() }),
})
const batchResult = z.array(z.union([ingestResult, rejectedElement]))
const heartbeatResult = z.object({ relink_requested: z.boolean() })
const changeResult = z.object({ found: z.boolean(), duplicate: z.boolean().optional() })
const storedResult = z.object({ stored: z.boolean() })

interface RpcOutcome<T> {
  data: T | null
  error: PostgrestError | null
  status: number
}

/**
 * PostgREST answers 4xx for Relevo's PT4xx errors; status 0 (fetch failed) and 5xx mean unreachable.
 * 401/403 say the credential is wrong, expired or revoked, not the message: buffer and retry, so
 * nothing is lost while an admin issues a new CONNECTOR_KEY.
 */
function unwrap<T>(what: string, outcome: RpcOutcome<T>): T {
  const { error, status } = outcome
  if (!error) return outcome.data as T
  if (status === 0 || status >= 500 || status === 408 || status === 429) {
    throw new StoreUnavailableError(`${what}: ${error.message}`, { cause: error })
  }
  if (status === 401 || status === 403) {
    throw new StoreUnavailableError(`${what}: ${error.message} (${error.details || error.code})`, {
      cause: error,
    })
  }
  throw new StoreRejectedError(
    status,
    error.details || error.code || 'rejected',
    `${what}: ${error.message}`,
    error.hint || '',
    {
      cause: error,
    },
  )
}

export class SupabaseStore implements MessageStore {
  private readonly client: SupabaseClient<Database>
  private readonly channelId: string
  private readonly workerId: string
  private readonly logger: Logger
  private readonly chatIds = new Map<string, string>()
  private readonly session: SupabaseSession
  // Measured (bench/run.ts): two requests of up to 25 keep both of Postgres's cores busy;
  // fewer, larger batches serialize on one backend, more, smaller ones pay per-request costs.
  private readonly ingests = new Batcher<IngestInput, IngestResult>((inputs) => this.ingestBatch(inputs), {
    maxBatch: 25,
    maxInFlight: 2,
  })

  constructor(options: SupabaseStoreOptions) {
    this.channelId = options.channelId
    this.workerId = options.workerId
    this.logger = options.logger
    this.session = new SupabaseSession({
      url: options.url,
      credentials: options.credentials,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    })
    this.client = this.session.client
  }

  /** One SQL function call as this connector; a refused credential signs in again next time. */
  private async call<T>(what: string, run: () => PromiseLike<RpcOutcome<T>>): Promise<T> {
    await this.session.ready()
    const outcome = await run()
    this.session.answered(outcome.status)
    return unwrap(what, outcome)
  }

  /** Batched: messages that arrive while earlier ingests are in flight share one request. */
  ingestMessage(input: IngestInput): Promise<IngestResult> {
    return this.ingests.add(input)
  }

  private async ingestBatch(inputs: IngestInput[]): Promise<Array<IngestResult | StoreRejectedError>> {
    const data = await this.call('ingest_messages', () =>
      this.client.rpc('ingest_messages', {
        p_messages: inputs.map((input) => ({
          channel_id: input.channelId,
          wa_message_id: input.waMessageId,
          wa_chat_id: input.chatId,
          from_me: input.fromMe,
          body: input.body,
          customer_name: input.customerName,
          customer_phone: input.customerPhone,
          type: input.type,
          media: mediaToJson(input.media),
          sent_at: input.sentAt ?? null,
        })),
      }),
    )
    return batchResult.parse(data).map((row) =>
      'error' in row
        ? new StoreRejectedError(
            row.error.status,
            row.error.code,
            `ingest_message: ${row.error.message}`,
            row.error.hint ?? '',
          )
        : {
            messageId: row.message_id,
            conversationId: row.conversation_id,
            tenantId: row.tenant_id,
            duplicate: row.duplicate,
            author: row.author,
            mediaStatus: row.media_status,
          },
    )
  }

  async claimOutbox(limit: number, leaseSeconds: number): Promise<Array<OutboxMessage & { chatId: string }>> {
    const claimed = await this.call('claim_outbox', () =>
      this.client.rpc('claim_outbox', {
        p_channel_id: this.channelId,
        p_worker: this.workerId,
        p_limit: limit,
        p_lease_seconds: leaseSeconds,
      }),
    )
    const rows = claimed ?? []
    if (rows.length === 0) return []
    await this.loadChatIds(rows.map((r) => r.conversation_id))
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      body: r.body,
      type: r.type,
      media: outboxMediaFromJson(r.media),
      attempts: r.attempts,
      createdAt: r.created_at,
      chatId: this.chatIds.get(r.conversation_id) ?? '',
    }))
  }

  async markSent(messageId: string, waMessageId: string): Promise<void> {
    await this.call('mark_sent', () =>
      this.client.rpc('mark_sent', { p_message_id: messageId, p_wa_message_id: waMessageId }),
    )
  }

  async markFailed(messageId: string, { error, retryable, maxAttempts }: SendFailure): Promise<string> {
    const row = await this.call('mark_failed', () =>
      this.client.rpc('mark_failed', {
        p_message_id: messageId,
        p_error: error,
        p_retryable: retryable,
        p_max_attempts: maxAttempts,
      }),
    )
    return (row as { status?: string } | null)?.status ?? 'unknown'
  }

  async recordAck(waMessageId: string, status: AckStatus): Promise<boolean> {
    const changed = await this.call('record_ack', () =>
      this.client.rpc('record_ack', {
        p_channel_id: this.channelId,
        p_wa_message_id: waMessageId,
        p_status: status,
      }),
    )
    return changed === true
  }

  async recordChange(change: ChangeInput): Promise<ChangeResult> {
    const data =
      change.kind === 'revoked'
        ? await this.call('record_revoke', () =>
            this.client.rpc('record_revoke', {
              p_channel_id: this.channelId,
              p_wa_message_id: change.waMessageId,
              p_revoked_at: change.at,
            }),
          )
        : await this.call('record_edit', () =>
            this.client.rpc('record_edit', {
              p_channel_id: this.channelId,
              p_wa_message_id: change.waMessageId,
              p_body: change.body,
              p_edited_at: change.at,
            }),
          )
    const row = changeResult.parse(data)
    return { found: row.found, duplicate: row.duplicate ?? false }
  }

  async markMediaStored(messageId: string, media: StoredMedia): Promise<{ stored: boolean }> {
    const outcome = await this.call('mark_media_stored', () =>
      this.client.rpc('mark_media_stored', { p_message_id: messageId, p_media: storedMediaToJson(media) }),
    )
    return storedResult.parse(outcome)
  }

  async markMediaFailed(messageId: string, { error, retryable, maxAttempts }: MediaFailure): Promise<void> {
    await this.call('mark_media_failed', () =>
      this.client.rpc('mark_media_failed', {
        p_message_id: messageId,
        p_error: error,
        p_retryable: retryable,
        p_max_attempts: maxAttempts,
      }),
    )
  }

  async mediaToFetch(limit: number, pendingAgeSeconds: number): Promise<MediaToFetch[]> {
    const due = await this.call('media_to_fetch', () =>
      this.client.rpc('media_to_fetch', {
        p_channel_id: this.channelId,
        p_limit: limit,
        p_pending_age_seconds: pendingAgeSeconds,
      }),
    )
    return (due ?? []).map((r) => ({
      messageId: r.message_id,
      tenantId: r.tenant_id,
      conversationId: r.conversation_id,
      waMessageId: r.wa_message_id,
      type: r.type as MessageType,
      media: mediaFromJson(r.media, r.type),
      attempts: r.media_attempts,
    }))
  }

  async setChannelStatus(input: ChannelStatusInput): Promise<void> {
    await this.call('set_channel_status', () =>
      this.client.rpc('set_channel_status', {
        p_channel_id: this.channelId,
        p_status: input.status,
        p_qr: input.qr ?? undefined,
        p_qr_expires_at: input.qrExpiresAt?.toISOString(),
        p_phone: input.phone ?? undefined,
      }),
    )
  }

  async heartbeat(): Promise<{ relinkRequested: boolean }> {
    const row = heartbeatResult.parse(
      await this.call('channel_heartbeat', () =>
        this.client.rpc('channel_heartbeat', { p_channel_id: this.channelId }),
      ),
    )
    return { relinkRequested: row.relink_requested }
  }

  async onOutboxQueued(
    wake: () => void,
    aiComposing?: (chatId: string) => void,
  ): Promise<() => Promise<void>> {
    // Private topic channel:<id>: announce_outbox() sends event 'outbox' there, and
    // announce_ai_composing() 'ai_composing'; the channel's connector (and the service role) may
    // join it. A missed event only delays a send (the outbox also polls) or skips a "typing…".
    // Joined after sign-in so the join carries the connector's token; supabase-js passes refreshed
    // tokens on to Realtime itself.
    await this.session
      .ready()
      .catch((error: unknown) =>
        this.logger.warn(
          { err: (error as Error).message },
          'outbox realtime joins before sign-in; polling covers it',
        ),
      )
    const channel = this.client
      .channel(`channel:${this.channelId}`, { config: { private: true } })
      .on('broadcast', { event: 'outbox' }, () => wake())
      .on('broadcast', { event: 'ai_composing' }, ({ payload }) => {
        const chatId = (payload as { wa_chat_id?: unknown } | undefined)?.wa_chat_id
        if (aiComposing && typeof chatId === 'string') aiComposing(chatId)
      })
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') wake()
      else this.logger.warn({ status, err: err?.message }, 'outbox realtime subscription changed')
    })
    return async () => {
      await this.client.removeChannel(channel)
    }
  }

  private async loadChatIds(conversationIds: string[]): Promise<void> {
    const missing = [...new Set(conversationIds)].filter((id) => !this.chatIds.has(id))
    if (missing.length === 0) return
    const chats = await this.call('outbox_chats', () =>
      this.client.rpc('outbox_chats', { p_channel_id: this.channelId, p_conversation_ids: missing }),
    )
    for (const row of chats ?? []) this.chatIds.set(row.conversation_id, row.wa_chat_id)
  }
}

/**
 * @module
 * The port the pipeline needs from the database. The real adapter (adapters/supabase-store.ts) calls
 * the SQL functions that own the handoff and delivery rules; tests also use a memory fake.
 */
import type { ReplyMedia } from './media.ts'
import type { ChatMessage, Conversation, RunRecord, TenantSecrets, TenantSettings } from './types.ts'

export interface EnqueueResult {
  enqueued: boolean
  /**
   * Why it was refused: not_ai_mode | newer_message | already_answered | trigger_deleted |
   * outside_service_window (Cloud API: the pipeline hands off instead). A plain
   * string on purpose: the pipeline records every refusal alike, so a reason SQL adds later is
   * recorded too instead of failing the parse.
   */
  reason: string | null
  messageId: string | null
  /** The image was left out: the channel (Cloud API) sends no files yet, the text went alone. */
  mediaDropped?: boolean
  /**
   * The Cloud API window had closed: the number's chosen template (this name) was queued instead
   * of the text (ADR 122).
   */
  template?: string
}

export interface UnansweredMessage {
  messageId: string
  conversationId: string
  tenantId: string
}

export interface RunClaim {
  runId: string
  /** false when another live run for the same trigger got there first. */
  won: boolean
}

export interface PipelineStore {
  getMessage(messageId: string): Promise<ChatMessage | null>
  getConversation(conversationId: string): Promise<Conversation | null>
  getTenant(tenantId: string): Promise<TenantSettings | null>
  getTenantSecrets(tenantId: string): Promise<TenantSecrets>
  /** The id of the newest incoming message of the conversation that the customer has not deleted (ratings left out). */
  latestIncomingId(conversationId: string): Promise<string | null>
  /**
   * The last `limit` non-private messages, oldest first, deleted ones included (with `deletedAt`);
   * never a CSAT question or answer (ADR 096).
   */
  recentMessages(conversationId: string, limit: number): Promise<ChatMessage[]>
  /** Inserts an ai_runs row as a claim; `won` says whether this run may call the model. */
  claimRun(trigger: ChatMessage, provider: string): Promise<RunClaim>
  /** Removes a claim that lost (nothing was decided, so nothing to record). */
  releaseRun(runId: string): Promise<void>
  finishRun(runId: string, record: RunRecord): Promise<void>
  /**
   * rpc enqueue_ai_reply: refused when the trigger was deleted, the chat left ai mode, a newer
   * message came, or it was answered. `media`: one stored image the reply carries (its caption is `body`).
   */
  enqueueReply(triggerMessageId: string, body: string, media?: ReplyMedia): Promise<EnqueueResult>
  /** rpc set_message_transcript: what a voice note says, on the message (desk, search, later runs). */
  saveTranscript(messageId: string, transcript: string): Promise<void>
  /** rpc ai_handoff: mode human, needs-attention with the reason, the tenant's fallback text queued. */
  handoff(conversationId: string, reason: string): Promise<void>
  /** rpc ai_set_label: one of the tenant's labels on the chat, by name, if the tenant allows it. */
  setLabel(conversationId: string, labelName: string): Promise<LabelResult>
}

export type LabelResult =
  | { applied: true }
  | { applied: false; reason: 'labels_disabled' | 'label_not_found' }

/** What the scheduled sweeper needs besides the pipeline. */
export interface MaintenanceStore {
  /** rpc unanswered_ai_messages: the sweeper's work list. */
  unansweredMessages(minAgeSeconds: number, limit: number): Promise<UnansweredMessage[]>
  /** rpc abandoned_ai_runs: claims past the live window that never finished (the Worker was evicted mid-run). */
  abandonedRuns(): Promise<{ runId: string; conversationId: string; provider: string }[]>
  /** rpc auto_return_idle: human chats idle past the tenant's minutes go back to the AI. */
  autoReturnIdle(): Promise<number>
  /** rpc assign_waiting_chats: offline agents' chats back to the queue, then the queue assigned (ADR 095). */
  assignWaitingChats(): Promise<{ requeued: number; assigned: number }>
  /** Marks channels whose connector stopped sending heartbeats as disconnected; returns how many. */
  flagStaleChannels(olderThanSeconds: number): Promise<number>
  /** rpc expire_media: stored files past their tenant's retention become `expired`, their paths queued. */
  expireMedia(limit: number): Promise<number>
  /** rpc media_deletions_due: leases queued paths of the `media` bucket (deleted messages, retention). */
  mediaDeletionsDue(limit: number): Promise<string[]>
  /** Removes files from the `media` bucket through Storage; a file already gone counts as removed. */
  removeMediaFiles(paths: string[]): Promise<void>
  /** rpc media_deletions_done: these paths are gone from Storage. */
  mediaDeletionsDone(paths: string[]): Promise<void>
  /** rpc due_webhook_endpoints: active endpoints with a delivery due now (a lost wake-up, ADR 090). */
  dueWebhookEndpoints(limit: number): Promise<string[]>
  /** rpc prune_webhook_history: events older than 30 days go, with their deliveries (ADR 091). */
  pruneWebhookHistory(limit: number): Promise<number>
  /** rpc cloud_channels_with_due_outbox: Cloud API channels whose sender must be woken (a dropped webhook). */
  cloudChannelsWithDueOutbox(): Promise<string[]>
}

/** Tells a webhook endpoint's deliverer to look for due deliveries (events out, ADR 090). */
export type WakeEndpoint = (endpointId: string) => Promise<void>

/** Tells the conversation's agent about an incoming message; resolves once that is stored durably. */
export type WakeAgent = (conversationId: string, messageId: string) => Promise<void>

/**
 * @module
 * What the AI pipeline reasons about, in camelCase (the store adapter maps from SQL's snake_case).
 */

import type { CoordinatorMapping } from '@relevo/supabase/coordinator-mapping'
import type { MessageAuthor } from '@relevo/supabase/enums'

export type { MessageAuthor }
export type RunOutcome = 'replied' | 'handoff' | 'dropped' | 'failed' | 'skipped'

export interface ChatMessage {
  id: string
  conversationId: string
  tenantId: string
  direction: 'in' | 'out'
  author: MessageAuthor
  body: string
  type: string
  createdAt: string
  /** The sender deleted it for everyone on WhatsApp (its body is then ''): the AI never sees it. */
  deletedAt: string | null
  /** The file of a media message, as the connector stored it (null for text). */
  media: MessageMedia | null
  /** Where the file is: pending until the connector stored it (ADR 085); null for text. */
  mediaStatus: 'pending' | 'stored' | 'failed' | 'expired' | null
  /** What a voice note or audio says, once transcribed (ADR 081). */
  transcript: string | null
}

/** `messages.media` of a file message: the parts the AI reads (location and contacts have none of them). */
export interface MessageMedia {
  path?: string
  mimetype?: string
  size?: number
  filename?: string
  sha256?: string
}

export interface Conversation {
  id: string
  tenantId: string
  channelId: string
  mode: 'ai' | 'human'
  status: 'open' | 'closed'
  customerName: string | null
  customerPhone: string | null
}

export interface TenantSettings {
  id: string
  name: string
  aiProvider: 'openai' | 'http'
  aiModel: string
  aiHttpUrl: string | null
  /** How the http provider speaks to the coordinator; null: Relevo's v1 contract (ADR 115). */
  aiHttpMapping: CoordinatorMapping | null
  systemPrompt: string
  language: 'es' | 'en'
  debounceSeconds: number
  contextMessages: number
  handoffKeywords: string[]
  fallbackText: string
  shopifyShopDomain: string | null
  /** Whether the model takes image input: customers' photos are shown to it, else only named (ADR 082). */
  aiAcceptsImages: boolean
  /** The model of the audio/transcriptions endpoint for voice notes (e.g. gpt-4o-mini-transcribe). */
  transcriptionModel: string
  /** The labels the AI may put on a chat (set_label tool); absent when the tenant has not allowed it. */
  aiLabels?: string[]
}

/** Per-tenant secrets from `get_tenant_secrets` (service role only). */
export interface TenantSecrets {
  openaiApiKey: string | null
  shopifyAccessToken: string | null
  aiHttpSecret: string | null
  /** Sent where a mapping's header says `{{secret}}` (ADR 115). */
  aiHttpHeaderSecret: string | null
}

/** One tool call the model made, as stored in `ai_runs.tools` (arguments, never results: they may hold PII). */
export interface ToolCallRecord {
  name: string
  ok: boolean
  ms: number
  /** How many items the tool found (e.g. products), so agents see what the AI had to work with. */
  count?: number
}

export interface RunRecord {
  provider: string
  model: string | null
  promptTokens: number
  completionTokens: number
  latencyMs: number
  tools: ToolCallRecord[]
  outcome: RunOutcome
  reason: string | null
  replyMessageId: string | null
}

/** The record of a run that decided nothing (crashed, abandoned, cut off): a person gets the chat. */
export function failedRun(provider: string, reason: string, latencyMs = 0): RunRecord {
  return {
    provider,
    model: null,
    promptTokens: 0,
    completionTokens: 0,
    latencyMs,
    tools: [],
    outcome: 'failed',
    reason,
    replyMessageId: null,
  }
}

/** What one pipeline run decided, for the webhook logs, the sweeper and the tests. */
export interface RunResult {
  triggerMessageId: string
  outcome: RunOutcome
  reason: string | null
  /** Whether an ai_runs row was written (pre-claim skips write none, see run-pipeline.ts). */
  recorded: boolean
}

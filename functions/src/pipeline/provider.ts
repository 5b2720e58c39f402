/**
 * @module
 * The provider port: given the context of a chat, decide a reply or a handoff. Each adapter owns
 * its timeouts and retries and throws `ProviderError` once they are exhausted.
 */
import { RelevoError, type RelevoErrorOptions } from '../shared/errors.ts'
import type { MessageAuthor, ToolCallRecord } from './types.ts'

export interface ContextMessage {
  id: string
  author: MessageAuthor
  body: string
  createdAt: string
  /** A photo the model sees (a `data:` URL, ADR 082); only for a model that takes images. */
  imageUrl?: string
}

export interface AiContext {
  tenant: { id: string; name: string; language: 'es' | 'en'; systemPrompt: string }
  conversation: { id: string; channelId: string }
  customer: { name: string | null; phone: string | null }
  /** Oldest first; the last customer messages are the ones to answer. */
  messages: ContextMessage[]
  triggerMessageId: string
  /** Short facts about the store for the prompt (name, shop domain, date). */
  storeFacts: string[]
}

export interface ProviderUsage {
  promptTokens: number
  completionTokens: number
}

export type ProviderDecision =
  /** `imageUrl`: one product image the reply carries (a URL a product tool returned this run). */
  { kind: 'reply'; text: string; imageUrl?: string } | { kind: 'handoff'; reason: string }

export interface ProviderResult {
  decision: ProviderDecision
  model: string | null
  usage: ProviderUsage
  tools: ToolCallRecord[]
}

export interface AiProvider {
  readonly name: 'openai' | 'http'
  readonly model: string | null
  generate(context: AiContext): Promise<ProviderResult>
}

/** The provider failed after its retries (timeout, 5xx, bad answer): rule 5 hands the chat off. */
export class ProviderError extends RelevoError {
  constructor(code: string, message: string, options: RelevoErrorOptions = {}) {
    super(code, message, {
      status: 502,
      hint: 'The chat was handed to a person; check the provider',
      ...options,
    })
  }
}

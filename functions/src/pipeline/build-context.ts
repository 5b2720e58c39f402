/**
 * @module
 * The provider-neutral context of one decision: who the tenant is, who the customer is, what was
 * said (with authors; never what a sender deleted for everyone) and a few store facts.
 */
import type { MediaProblem, Perception } from './media.ts'
import type { AiContext, ContextMessage } from './provider.ts'
import type { ChatMessage, Conversation, TenantSettings } from './types.ts'

export interface ContextInput {
  tenant: TenantSettings
  conversation: Conversation
  messages: ChatMessage[]
  trigger: ChatMessage
  now: Date
  /** What the AI heard and saw of the files (perceive.ts); without it files are only named. */
  perception?: Pick<Perception<ChatMessage>, 'images' | 'problems'>
}

export function buildContext({
  tenant,
  conversation,
  messages,
  trigger,
  now,
  perception,
}: ContextInput): AiContext {
  const facts = [`Store: ${tenant.name}`, `Today: ${now.toISOString().slice(0, 10)}`]
  if (tenant.shopifyShopDomain) facts.push(`Online store: https://${tenant.shopifyShopDomain}`)
  // The trigger is always in the context even when the window of N messages would cut it. The
  // rows just loaded win over the trigger read before the debounce: if the customer deleted it
  // since, it stays out with the rest of what they retracted.
  const withTrigger = messages.some((m) => m.id === trigger.id) ? messages : [...messages, trigger]
  const visible = withTrigger.filter((m) => !m.deletedAt)
  return {
    tenant: {
      id: tenant.id,
      name: tenant.name,
      language: tenant.language,
      systemPrompt: tenant.systemPrompt,
    },
    conversation: { id: conversation.id, channelId: conversation.channelId },
    customer: { name: conversation.customerName, phone: conversation.customerPhone },
    messages: visible.map((m) => contextMessage(m, perception)),
    triggerMessageId: trigger.id,
    storeFacts: facts,
  }
}

const PROBLEM_NOTE: Record<MediaProblem, string> = {
  media_not_stored: 'the file has not arrived',
  media_unavailable: 'the file could not be opened',
  transcription_failed: 'it could not be transcribed',
}

/**
 * One message as the AI reads it: a voice note is its transcript (the customer's words), a photo
 * comes with its image when the model sees it, every other file is named (type, name, size).
 */
export function contextMessage(m: ChatMessage, perception?: ContextInput['perception']): ContextMessage {
  const base = { id: m.id, author: m.author, createdAt: m.createdAt }
  const image = perception?.images.get(m.id)
  const problem = perception?.problems.get(m.id)
  const note = problem ? `: ${PROBLEM_NOTE[problem]}` : ''
  const caption = m.body ? ` ${m.body}` : ''
  switch (m.type) {
    case 'audio':
      if (m.transcript !== null) return { ...base, body: [m.transcript, m.body].filter(Boolean).join('\n') }
      return { ...base, body: `[voice note${note}]${caption}` }
    case 'image':
      if (image) return { ...base, body: m.body, imageUrl: image }
      return { ...base, body: `[photo${note}]${caption}` }
    case 'document':
      return { ...base, body: `[document: ${describeFile(m)}${note}]${caption}` }
    case 'video':
    case 'sticker':
      return { ...base, body: `[${m.type}]${caption}` }
    default:
      return { ...base, body: m.body }
  }
}

function describeFile(m: ChatMessage): string {
  const parts = [m.media?.filename ?? 'unnamed', m.media?.mimetype ?? 'unknown type']
  if (m.media?.size !== undefined) parts.push(formatSize(m.media.size))
  return parts.join(', ')
}

const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`

/**
 * The customer's messages since the business last spoke: the burst this run answers. A deleted one
 * is left out but does not end the burst (the business still has not spoken).
 */
export function pendingCustomerMessages(messages: ChatMessage[]): ChatMessage[] {
  const burst: ChatMessage[] = []
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.direction !== 'in') break
    if (!m.deletedAt) burst.unshift(m)
  }
  return burst
}

/** What the burst says, voice notes by their transcripts (the handoff keywords look here). */
export function pendingCustomerTexts(messages: ChatMessage[]): string[] {
  return pendingCustomerMessages(messages).map((m) => [m.body, m.transcript].filter(Boolean).join(' '))
}

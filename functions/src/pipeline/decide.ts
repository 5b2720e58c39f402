/**
 * @module
 * One claimed AI decision: handoff keywords → provider (or "not configured") → enqueue through the
 * race-safe SQL function. Returns what to record in ai_runs.
 */
import type { Logger } from '../shared/logger.ts'
import { buildContext, pendingCustomerMessages, pendingCustomerTexts } from './build-context.ts'
import { findHandoffKeyword } from './handoff-keywords.ts'
import type { MediaFiles, MediaProblem, Transcriber } from './media.ts'
import { perceive } from './perceive.ts'
import { type AiProvider, ProviderError } from './provider.ts'
import { storeReplyImage } from './reply-image.ts'
import type { LabelResult, PipelineStore } from './store.ts'
import type { ChatMessage, Conversation, RunRecord, TenantSecrets, TenantSettings } from './types.ts'

export interface ProviderRequest {
  tenant: TenantSettings
  secrets: TenantSecrets
  conversation: Conversation
  /** What the set_label tool calls (the tool exists only when the tenant allows labels). */
  setLabel?: (name: string) => Promise<LabelResult>
}

/** Builds the tenant's provider, or null when the AI is not configured (no key, no URL). */
export type ProviderFor = (request: ProviderRequest) => AiProvider | null
/** The tenant's speech-to-text, or null when none is configured (voice notes are then only named). */
export type TranscriberFor = (request: Pick<ProviderRequest, 'tenant' | 'secrets'>) => Transcriber | null

/** What the AI needs to hear and see files and to send a product image (ADR 081, 082). */
export interface MediaDeps {
  media: MediaFiles
  transcriberFor: TranscriberFor
  /** Fetches the product image a reply carries (Shopify's CDN). */
  fetchImage: typeof fetch
  sleep: (ms: number) => Promise<void>
}

export interface DecideInput extends MediaDeps {
  store: PipelineStore
  providerFor: ProviderFor
  logger: Logger
  now: () => number
  tenant: TenantSettings
  conversation: Conversation
  trigger: ChatMessage
}

type Decision = Omit<RunRecord, 'latencyMs'>

export async function decide(input: DecideInput): Promise<Decision> {
  const { store, tenant, conversation, trigger } = input
  const base: Decision = {
    provider: tenant.aiProvider,
    model: null,
    promptTokens: 0,
    completionTokens: 0,
    tools: [],
    outcome: 'handoff',
    reason: null,
    replyMessageId: null,
  }
  const handoff = async (
    reason: string,
    outcome: Decision['outcome'] = 'handoff',
    extra: Partial<Decision> = {},
  ) => {
    await store.handoff(conversation.id, reason)
    return { ...base, ...extra, outcome, reason }
  }

  const [secrets, recent] = await Promise.all([
    store.getTenantSecrets(tenant.id),
    store.recentMessages(conversation.id, tenant.contextMessages),
  ])
  const provider = input.providerFor({
    tenant,
    secrets,
    conversation,
    setLabel: (name) => store.setLabel(conversation.id, name),
  })
  // Heard before the keywords: "quiero hablar con una persona" may be a voice note.
  const perception = await perceive({
    ...input,
    messages: recent,
    transcriber: input.transcriberFor({ tenant, secrets }),
    seesImages: tenant.aiAcceptsImages && provider?.name === 'openai',
  })
  const { messages } = perception
  const pending = pendingCustomerTexts(messages)
  const keyword = findHandoffKeyword(pending.length ? pending : [trigger.body], tenant.handoffKeywords)
  if (keyword) return handoff('customer_asked_for_human')

  if (!provider) return handoff('ai_not_configured')
  base.provider = provider.name
  base.model = provider.model
  // Only files the AI could neither hear nor see, and nothing else said: a person listens (ADR 081).
  const unheard = unperceivedBurst(messages, perception.problems)
  if (unheard) return handoff(unheard)

  const context = buildContext({
    tenant,
    conversation,
    messages,
    trigger,
    now: new Date(input.now()),
    perception,
  })
  let result: Awaited<ReturnType<AiProvider['generate']>>
  try {
    result = await provider.generate(context)
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error
    input.logger.warn(
      { code: error.code, conversationId: conversation.id },
      'AI provider failed; handing off',
    )
    return handoff(`provider_failed: ${error.code}`, 'failed')
  }
  const used: Partial<Decision> = {
    model: result.model ?? provider.model,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    tools: result.tools,
  }
  if (result.decision.kind === 'handoff') return handoff(result.decision.reason, 'handoff', used)

  const image = result.decision.imageUrl
    ? await storeReplyImage(result.decision.imageUrl, tenant.id, input).catch((error: unknown) => {
        // The text is the answer; the picture is a nicety that must not cost it.
        input.logger.warn({ err: error, conversationId: conversation.id }, 'product image not sent')
        return undefined
      })
    : undefined
  const enqueued = await store.enqueueReply(trigger.id, result.decision.text, image)
  if (!enqueued.enqueued) {
    // A Cloud API chat whose 24-hour window closed while the model was thinking (or a retry that
    // came late) on a number without a window template: the AI never sends outside it, a person
    // decides (ADR 121).
    if (enqueued.reason === 'outside_service_window')
      return handoff('outside_service_window', 'handoff', used)
    // Takeover, a newer message, another run or the customer deleting the message won while the
    // model was thinking (rule 2).
    return { ...base, ...used, outcome: 'dropped', reason: enqueued.reason }
  }
  // The window closed while the model was thinking and the number has a template for that: the
  // template went instead of the text (ADR 122); the run says so.
  const reason = enqueued.template ? `outside_service_window: template ${enqueued.template}` : null
  return { ...base, ...used, outcome: 'replied', reason, replyMessageId: enqueued.messageId }
}

/**
 * The handoff reason when every message of the burst is a file the AI could not perceive and the
 * customer wrote nothing else (a voice note the server could not transcribe): answering would be
 * guessing. Null when there is anything to answer.
 */
function unperceivedBurst(messages: ChatMessage[], problems: Map<string, MediaProblem>): string | null {
  const burst = pendingCustomerMessages(messages)
  const said = burst.some((m) => m.body.trim() || m.transcript || !problems.has(m.id))
  const problem = burst.map((m) => problems.get(m.id)).find(Boolean)
  return !said && problem ? `media_not_understood: ${problem}` : null
}

/**
 * @module
 * The AI pipeline for one incoming message (from the webhook or the sweeper): skip unless the chat
 * is in `ai` mode and the message is not deleted, wait out the debounce window, answer only the
 * latest message of a burst, claim the run so that duplicates do not call the model twice, decide,
 * and record an ai_runs row.
 */
import type { Logger } from '../shared/logger.ts'
import { decide, type MediaDeps, type ProviderFor } from './decide.ts'
import type { PipelineStore } from './store.ts'
import { transcribeForPeople } from './transcribe-for-people.ts'
import { type ChatMessage, failedRun, type RunResult } from './types.ts'

export interface PipelineDeps extends MediaDeps {
  store: PipelineStore
  providerFor: ProviderFor
  logger: Logger
  sleep: (ms: number) => Promise<void>
  now: () => number
}

/** How long to wait before answering: the rest of the debounce window counted from the message's arrival. */
export function debounceWaitMs(createdAt: string, debounceSeconds: number, now: number): number {
  const window = debounceSeconds * 1000
  const due = Date.parse(createdAt) + window
  // Clamp: a skewed database clock must neither skip nor stretch the window.
  return Math.max(0, Math.min(window, due - now))
}

/**
 * Waits out the debounce window, then reads again: a customer may delete the trigger within it (a
 * wrong chat, a typo), and a newer message or a takeover may have come.
 */
async function afterDebounce(trigger: ChatMessage, wait: number, deps: PipelineDeps) {
  await deps.sleep(wait)
  const [latest, conversation, current] = await Promise.all([
    deps.store.latestIncomingId(trigger.conversationId),
    deps.store.getConversation(trigger.conversationId),
    deps.store.getMessage(trigger.id),
  ])
  return current?.deletedAt ? ('trigger_deleted' as const) : { latest, conversation }
}

export interface RunHooks {
  /** Called once the run holds its claim (the conversation object remembers it across a crash). */
  onClaim?: (runId: string, provider: string) => Promise<void>
}

export async function runPipeline(
  triggerMessageId: string,
  deps: PipelineDeps,
  hooks: RunHooks = {},
): Promise<RunResult> {
  const { store, logger } = deps
  const log = logger.child({ triggerMessageId })
  const skip = (reason: string): RunResult => {
    log.debug({ reason }, 'AI run skipped')
    return { triggerMessageId, outcome: 'skipped', reason, recorded: false }
  }

  const trigger = await store.getMessage(triggerMessageId)
  if (trigger?.direction !== 'in') return skip('not_an_incoming_message')
  // The customer took it back (the webhook fires on insert, whatever happened since): nothing to answer.
  if (trigger.deletedAt) return skip('trigger_deleted')
  // Independent reads in parallel: each is a round trip to PostgREST.
  const [first, tenant, firstLatest] = await Promise.all([
    store.getConversation(trigger.conversationId),
    store.getTenant(trigger.tenantId),
    store.latestIncomingId(trigger.conversationId),
  ])
  if (!tenant) return skip('tenant_not_found')
  if (first?.mode !== 'ai' || first.status !== 'open') {
    // A person holds the chat: the AI stays out, but a voice note is still heard for the agent.
    if (first?.mode === 'human') await transcribeForPeople(trigger, tenant, deps)
    return skip('not_ai_mode')
  }

  const wait = debounceWaitMs(trigger.createdAt, tenant.debounceSeconds, deps.now())
  // Without a wait the reads above are as fresh as any; the claim and enqueue_ai_reply re-check in SQL.
  const after =
    wait > 0 ? await afterDebounce(trigger, wait, deps) : { latest: firstLatest, conversation: first }
  if (after === 'trigger_deleted') return skip('trigger_deleted')
  const { latest, conversation } = after
  // A burst gets one answer: only the run of its latest message goes on. Deleted messages never
  // supersede: if the burst's last one was taken back, the one before answers.
  if (latest !== trigger.id) return skip('superseded')
  if (conversation?.mode !== 'ai') return skip('not_ai_mode')

  const claim = await store.claimRun(trigger, tenant.aiProvider)
  if (!claim.won) {
    await store.releaseRun(claim.runId)
    return skip('duplicate')
  }
  await hooks.onClaim?.(claim.runId, tenant.aiProvider)

  const started = deps.now()
  try {
    const decision = await decide({ ...deps, tenant, conversation, trigger })
    await store.finishRun(claim.runId, { ...decision, latencyMs: deps.now() - started })
    log.info(
      {
        conversationId: conversation.id,
        outcome: decision.outcome,
        reason: decision.reason,
        ms: deps.now() - started,
      },
      'AI run finished',
    )
    return { triggerMessageId, outcome: decision.outcome, reason: decision.reason, recorded: true }
  } catch (error) {
    // Not a provider failure (those are handled in decide): the store or a bug. Never a silent
    // drop: a person gets the chat, and the run says why.
    const code = (error as { code?: string }).code ?? 'internal_error'
    log.error({ err: error, conversationId: conversation.id }, 'AI run crashed; handing off')
    const reason = `pipeline_error: ${code}`
    await store
      .handoff(conversation.id, reason)
      .catch((e: unknown) => log.error({ err: e }, 'handoff failed too'))
    await store
      .finishRun(claim.runId, failedRun(tenant.aiProvider, reason, deps.now() - started))
      .catch((e: unknown) => log.error({ err: e }, 'recording the failed run failed too'))
    return { triggerMessageId, outcome: 'failed', reason, recorded: true }
  }
}

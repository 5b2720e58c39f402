/**
 * @module
 * Voice notes in a chat a person holds are transcribed as well (issue 15): the agent reads what the
 * customer said under the player, and search finds it, without waiting for the AI to run on the
 * chat again. The same perceive() as the AI's runs (the file awaited, the transcript stored on the
 * message); nothing is decided or queued. Best effort: a failure is logged and the voice note
 * stays playable.
 */
import type { TranscriberFor } from './decide.ts'
import { type PerceiveInput, perceive } from './perceive.ts'
import type { PipelineStore } from './store.ts'
import type { ChatMessage, TenantSettings } from './types.ts'

/** What hearing needs of the pipeline's ports: perceive()'s, the secrets and the recent messages. */
export type HearDeps = Omit<PerceiveInput, 'messages' | 'transcriber' | 'seesImages' | 'store'> & {
  store: Pick<PipelineStore, 'getTenantSecrets' | 'recentMessages' | 'getMessage' | 'saveTranscript'>
  transcriberFor: TranscriberFor
}

/** Transcribes the untranscribed voice notes among the chat's latest messages; returns how many. */
export async function transcribeForPeople(
  trigger: ChatMessage,
  tenant: TenantSettings,
  deps: HearDeps,
): Promise<number> {
  if (trigger.type !== 'audio' || trigger.transcript !== null) return 0
  try {
    const secrets = await deps.store.getTenantSecrets(tenant.id)
    const transcriber = deps.transcriberFor({ tenant, secrets })
    if (!transcriber) return 0
    const messages = await deps.store.recentMessages(trigger.conversationId, tenant.contextMessages)
    const perception = await perceive({ ...deps, messages, transcriber, seesImages: false })
    return perception.messages.filter((m, i) => m.transcript !== messages[i]?.transcript).length
  } catch (error) {
    deps.logger.warn({ err: error, messageId: trigger.id }, 'voice note not transcribed for the agent')
    return 0
  }
}

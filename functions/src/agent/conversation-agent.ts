/**
 * @module
 * The AI work of one conversation, as a Durable Object's logic (decision 023): the webhook and the
 * sweeper only `notify` it of a message; its alarm waits out the debounce window, runs one AI run
 * at a time, retries a run that threw with backoff and hands the chat to a person after
 * MAX_ATTEMPTS. Everything it must remember lives in its storage (pending trigger, the run in
 * flight with its claim, attempts), so an eviction between two events loses nothing.
 *
 * The storage port is the subset of `DurableObjectStorage` used here, so the same logic runs in
 * Node over an in-memory storage (integration tests, benchmark).
 */

import { WATCHDOG_MS } from '../pipeline/run-budget.ts'
import { debounceWaitMs, type PipelineDeps, runPipeline } from '../pipeline/run-pipeline.ts'
import { failedRun } from '../pipeline/types.ts'

export interface AgentStorage {
  get<T>(key: string): Promise<T | undefined>
  put<T>(key: string, value: T): Promise<void>
  delete(key: string): Promise<boolean>
  setAlarm(scheduledTime: number): Promise<void>
  deleteAlarm(): Promise<void>
}

/** The next message to answer. `dueAt` (the services' clock) is unknown until the alarm read the message. */
export interface Pending {
  conversationId: string
  messageId: string
  dueAt: number | null
  attempts: number
}

/** A run that started; found at the start of an alarm it means that run was cut off. */
export interface InFlight {
  conversationId: string
  messageId: string
  attempts: number
  claim: { runId: string; provider: string } | null
}

/** Runs that threw (database unreachable, a bug) are tried this many times, then a person gets the chat. */
export const MAX_ATTEMPTS = 4
/** Backoff after the n-th failed attempt: 10 s, 30 s, 90 s. */
export const retryDelayMs = (attempts: number) => 10_000 * 3 ** (attempts - 1)
export type NotifyResult = 'scheduled' | 'duplicate'

/** The pipeline's ports, plus what the customer sees while the AI composes (Cloud API numbers). */
export type AgentDeps = PipelineDeps & {
  /** "typing…" and a read receipt on the customer's phone; best effort, never throws. */
  showComposing?: (conversationId: string) => Promise<void>
}

export class AgentCore {
  private current: Promise<void> | null = null

  constructor(
    private readonly storage: AgentStorage,
    private readonly services: () => AgentDeps,
    /** The platform's clock for alarms (real time), separate from the services' clock tests control. */
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** A new incoming message (webhook or sweeper). Idempotent per message id. */
  async notify(conversationId: string, messageId: string): Promise<NotifyResult> {
    const [pending, inflight, done] = await Promise.all([
      this.storage.get<Pending>('pending'),
      this.storage.get<InFlight>('inflight'),
      this.storage.get<string>('done'),
    ])
    if ([pending?.messageId, inflight?.messageId, done].includes(messageId)) return 'duplicate'
    // The newest message replaces the pending one: a burst gets one run, for its last message.
    await this.storage.put<Pending>('pending', { conversationId, messageId, dueAt: null, attempts: 0 })
    await this.storage.setAlarm(this.wallNow())
    return 'scheduled'
  }

  async alarm(): Promise<void> {
    this.current = this.drive().finally(() => {
      this.current = null
    })
    await this.current
  }

  /** Resolves when no alarm handler is running (tests wait on it). */
  async idle(): Promise<void> {
    await this.current?.catch(() => {})
  }

  private async drive(): Promise<void> {
    await this.recoverInterrupted()
    const pending = await this.storage.get<Pending>('pending')
    if (!pending) return
    const svc = this.services()
    if (pending.dueAt === null) {
      const dueAt = await this.dueAt(svc, pending.messageId)
      const current = await this.storage.get<Pending>('pending')
      if (current?.messageId !== pending.messageId) return // replaced meanwhile; its own alarm is set
      if (dueAt === null) {
        // Deleted before the object saw it, or not a customer message: nothing to answer.
        await this.storage.delete('pending')
        return
      }
      pending.dueAt = dueAt
      await this.storage.put('pending', pending)
    }
    const wait = pending.dueAt - svc.now()
    if (wait > 0) {
      await this.storage.setAlarm(this.wallNow() + wait)
      return
    }
    await this.run(svc, pending)
  }

  /** When the debounce window of the message ends, or null when there is nothing to answer. */
  private async dueAt(svc: PipelineDeps, messageId: string): Promise<number | null> {
    const message = await svc.store.getMessage(messageId)
    if (message?.direction !== 'in' || message.deletedAt) return null
    const tenant = await svc.store.getTenant(message.tenantId)
    const now = svc.now()
    return now + debounceWaitMs(message.createdAt, tenant?.debounceSeconds ?? 0, now)
  }

  private async run(svc: AgentDeps, pending: Pending): Promise<void> {
    const { conversationId, messageId, attempts } = pending
    const inflight: InFlight = { conversationId, messageId, attempts, claim: null }
    await this.storage.put('inflight', inflight)
    if ((await this.storage.get<Pending>('pending'))?.messageId === messageId)
      await this.storage.delete('pending')
    await this.storage.setAlarm(this.wallNow() + WATCHDOG_MS)
    const log = svc.logger.child({ conversationId, triggerMessageId: messageId })
    try {
      // The run re-checks everything (mode, deleted, superseded) and claims in SQL: the claim
      // still guards against a second object instance or a webhook-era run after a deploy.
      // "typing…" goes out beside the run, not before it: its two round trips (the latest wamid,
      // then Meta) would otherwise delay every reply. Awaited before the run ends (never throws).
      let composing: Promise<void> | undefined
      const result = await runPipeline(messageId, svc, {
        onClaim: async (runId, provider) => {
          await this.storage.put('inflight', { ...inflight, claim: { runId, provider } })
          composing = svc.showComposing?.(conversationId)
        },
      })
      await composing
      await this.storage.delete('inflight')
      // Only a decision is final: a skipped or dropped message may be answered after a handback.
      if (result.outcome === 'replied' || result.outcome === 'handoff')
        await this.storage.put('done', messageId)
      if (result.reason === 'superseded') await this.retarget(svc, conversationId, messageId)
    } catch (error) {
      await this.storage.delete('inflight')
      log.warn({ err: error, attempts: attempts + 1 }, 'AI run failed; the conversation object retries')
      await this.failed(svc, { conversationId, messageId, attempts: attempts + 1 })
    }
    if (!(await this.storage.get<Pending>('pending'))) await this.storage.deleteAlarm()
  }

  /**
   * A webhook that arrived late for an older message replaced the newer pending one: answer the
   * conversation's latest message instead of waiting for the sweeper.
   */
  private async retarget(svc: PipelineDeps, conversationId: string, messageId: string): Promise<void> {
    const latest = await svc.store.latestIncomingId(conversationId)
    if (latest && latest !== messageId && !(await this.storage.get<Pending>('pending'))) {
      await this.notify(conversationId, latest)
    }
  }

  /** Schedules the retry with backoff, or hands off after MAX_ATTEMPTS (a newer message wins over a retry). */
  private async failed(svc: PipelineDeps, failure: Omit<Pending, 'dueAt'>): Promise<void> {
    const retry = { ...failure, dueAt: svc.now() + retryDelayMs(failure.attempts) }
    if (retry.attempts >= MAX_ATTEMPTS) {
      svc.logger.error(
        { conversationId: retry.conversationId, triggerMessageId: retry.messageId },
        'AI run failed repeatedly; handing the chat to a person',
      )
      await svc.store
        .handoff(retry.conversationId, 'ai_run_failed')
        .catch((e: unknown) =>
          svc.logger.error({ err: e }, 'handoff failed too; the sweeper wakes this agent again'),
        )
      return
    }
    if (await this.storage.get<Pending>('pending')) return
    await this.storage.put('pending', retry)
    await this.storage.setAlarm(this.wallNow() + retryDelayMs(retry.attempts))
  }

  /**
   * A run in flight at the start of an alarm was cut off with its instance. Its claim is finished
   * as failed (failed runs do not block a new one) and the message is tried again.
   */
  private async recoverInterrupted(): Promise<void> {
    const inflight = await this.storage.get<InFlight>('inflight')
    if (!inflight) return
    const svc = this.services()
    svc.logger.warn(
      { conversationId: inflight.conversationId, triggerMessageId: inflight.messageId },
      'AI run was cut off; re-driving it',
    )
    if (inflight.claim) {
      await svc.store.finishRun(
        inflight.claim.runId,
        failedRun(inflight.claim.provider, 'ai_run_interrupted'),
      )
    }
    await this.storage.delete('inflight')
    const { conversationId, messageId } = inflight
    await this.failed(svc, { conversationId, messageId, attempts: inflight.attempts + 1 })
  }
}

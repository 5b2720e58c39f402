/**
 * @module
 * The logic of `EndpointDeliverer`, the Durable Object that owns one webhook endpoint's deliveries
 * (ADR 090). A wake-up (database webhook, sweeper, admin action) sets the alarm; the alarm drains
 * what is due: claim the head of each conversation's queue, POST them (one per conversation at a
 * time, so each chat arrives in order), record each attempt, repeat; then re-arm the alarm for the
 * earliest retry. Retries, backoff, failure and pausing are SQL's (finish_webhook_attempt), so a
 * cut-off instance loses nothing: its leases expire and the next alarm or the sweeper takes over.
 */
import type { Logger } from '../shared/logger.ts'
import type { ClaimedDelivery, DeliveryStore, EndpointTarget } from './delivery-store.ts'
import { type PostOptions, postEvent } from './post-event.ts'

/** The subset of `DurableObjectStorage` used, so Node tests run the same logic over memory storage. */
export interface DelivererStorage {
  get<T>(key: string): Promise<T | undefined>
  put<T>(key: string, value: T): Promise<void>
  getAlarm(): Promise<number | null>
  setAlarm(scheduledTime: number): Promise<void>
}

export interface DelivererDeps extends PostOptions {
  deliveries: DeliveryStore
  logger: Logger
}

/** Deliveries claimed per round: one per conversation, so up to this many POSTs run at once. */
const BATCH = 20
/** Rounds per alarm invocation, then the alarm is re-armed: bounded subrequests per invocation. */
const MAX_ROUNDS_PER_ALARM = 100
/** How soon to look again when something is due that the last claim did not get. */
const RECHECK_MS = 50
/** Longer than one POST (10 s) plus recording it: a live attempt is never claimed twice. */
export const LEASE_SECONDS = 60

export class DelivererCore {
  private readonly worker = `deliverer-${crypto.randomUUID().slice(0, 8)}`

  constructor(
    private readonly storage: DelivererStorage,
    private readonly deps: () => DelivererDeps,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Something may be due for this endpoint: look now (an earlier alarm already set is kept). */
  async notify(endpointId: string): Promise<void> {
    await this.storage.put('endpointId', endpointId)
    const alarm = await this.storage.getAlarm()
    if (alarm === null || alarm > this.wallNow()) await this.storage.setAlarm(this.wallNow())
  }

  async alarm(): Promise<void> {
    const endpointId = await this.storage.get<string>('endpointId')
    if (!endpointId) return
    const deps = this.deps()
    const target = await deps.deliveries.target(endpointId)
    // Deleted or paused: nothing is sent until an admin activates it (which wakes this object).
    if (!target?.active) return
    for (let round = 0; round < MAX_ROUNDS_PER_ALARM; round++) {
      const batch = await deps.deliveries.claim(endpointId, this.worker, BATCH)
      if (batch.length === 0) break
      const stillActive = await Promise.all(batch.map((delivery) => this.deliver(deps, target, delivery)))
      if (stillActive.includes(false)) return
      if (round === MAX_ROUNDS_PER_ALARM - 1) return this.storage.setAlarm(this.wallNow())
    }
    const next = await deps.deliveries.nextAttemptAt(endpointId)
    if (next === null) return
    // Due but not claimed (it was committed or fell due just after the claim): look again shortly
    // instead of spinning.
    const now = this.wallNow()
    await this.storage.setAlarm(next > now ? next : now + RECHECK_MS)
  }

  /** One attempt, recorded; false when the endpoint got paused by it. */
  private async deliver(
    deps: DelivererDeps,
    target: EndpointTarget,
    delivery: ClaimedDelivery,
  ): Promise<boolean> {
    const outcome = await postEvent(target, delivery, deps)
    const result = await deps.deliveries.finish(delivery.deliveryId, this.worker, outcome)
    const fields = {
      endpointId: target.id,
      // The host only: a tenant's URL may carry a token in its path or query.
      host: new URL(target.url).host,
      deliveryId: delivery.deliveryId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempt: delivery.attempts,
      statusCode: outcome.statusCode,
      ms: outcome.latencyMs,
      outcome: result.status ?? 'lease_lost',
    }
    if (result.status === 'delivered') deps.logger.info(fields, 'webhook delivered')
    else deps.logger.warn({ ...fields, error: outcome.error }, 'webhook attempt failed')
    if (result.endpointActive === false) {
      deps.logger.warn({ endpointId: target.id }, 'webhook endpoint paused: every delivery failed for a day')
    }
    return result.endpointActive !== false
  }
}

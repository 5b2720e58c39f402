/**
 * @module
 * The scheduled sweeper (cron, every minute): wakes the conversation agent of ai-mode messages
 * whose webhook was dropped (the agent runs the AI, not the sweeper), hands off runs abandoned
 * longer than a live claim (the agent re-drives its own cut-off runs sooner), applies auto-return
 * (rule 6), returns the chats of agents offline past their tenant's minutes to the queue and
 * auto-assigns what waits (ADR 095), flags channels with a stale heartbeat, removes media files of deleted messages and
 * past their tenant's retention, and wakes the deliverer of every webhook endpoint with a delivery
 * due (a lost wake-up or an evicted deliverer; ADR 090), and prunes webhook events older than 30 days
 * (ADR 091). Each step is isolated.
 */
import type { Logger } from '../shared/logger.ts'
import type { MaintenanceStore, PipelineStore, WakeAgent, WakeEndpoint } from './store.ts'
import { failedRun } from './types.ts'

export interface SweepOptions {
  minAgeSeconds: number
  heartbeatStaleSeconds: number
  /** Messages answered per tick; the rest wait for the next minute. */
  batch?: number
}

export interface SweepReport {
  /** Conversation agents woken for an unanswered message. */
  woken: number
  abandoned: number
  autoReturned: number
  /** Chats of agents offline past their tenant's minutes, back in the queue. */
  requeued: number
  /** Waiting chats given to a free online agent. */
  assigned: number
  staleChannels: number
  /** Messages whose file passed the tenant's retention (now `expired`). */
  mediaExpired: number
  /** Files removed from Storage (deleted messages and expired ones). */
  mediaRemoved: number
  /** Webhook endpoint deliverers woken for a due delivery (events out). */
  endpointsWoken: number
  /** Webhook events (with their deliveries) past the 30 days kept. */
  webhookEventsPruned: number
  errors: string[]
}

export interface SweepDeps {
  store: PipelineStore
  maintenance: MaintenanceStore
  wake: WakeAgent
  wakeDeliverer: WakeEndpoint
  logger: Logger
}

export async function sweep(deps: SweepDeps, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = {
    woken: 0,
    abandoned: 0,
    autoReturned: 0,
    requeued: 0,
    assigned: 0,
    staleChannels: 0,
    mediaExpired: 0,
    mediaRemoved: 0,
    endpointsWoken: 0,
    webhookEventsPruned: 0,
    errors: [],
  }
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work()
    } catch (error) {
      report.errors.push(name)
      deps.logger.error({ err: error, step: name }, 'sweeper step failed')
    }
  }

  await step('unanswered', async () => {
    const list = await deps.maintenance.unansweredMessages(options.minAgeSeconds, options.batch ?? 100)
    // Waking is cheap (the agent stores the id and sets its alarm); the AI runs in each agent.
    for (const item of list) {
      await deps.wake(item.conversationId, item.messageId)
      report.woken++
    }
  })
  await step('abandoned', async () => {
    for (const run of await deps.maintenance.abandonedRuns()) {
      await deps.store.handoff(run.conversationId, 'ai_run_abandoned')
      await deps.store.finishRun(run.runId, failedRun(run.provider, 'ai_run_abandoned'))
      report.abandoned++
    }
  })
  await step('auto_return', async () => {
    report.autoReturned = await deps.maintenance.autoReturnIdle()
  })
  // After auto-return, so that a chat going back to the AI is not assigned first.
  await step('assignment', async () => {
    const result = await deps.maintenance.assignWaitingChats()
    report.requeued = result.requeued
    report.assigned = result.assigned
  })
  await step('stale_channels', async () => {
    report.staleChannels = await deps.maintenance.flagStaleChannels(options.heartbeatStaleSeconds)
  })
  await step('media_retention', async () => {
    report.mediaExpired = await deps.maintenance.expireMedia(options.batch ?? 100)
  })
  // After retention, so the files it just queued go in the same tick. A path whose removal fails
  // stays queued and is leased again five minutes later.
  await step('media_removal', async () => {
    const paths = await deps.maintenance.mediaDeletionsDue(options.batch ?? 100)
    if (paths.length === 0) return
    await deps.maintenance.removeMediaFiles(paths)
    await deps.maintenance.mediaDeletionsDone(paths)
    report.mediaRemoved = paths.length
  })
  await step('webhook_deliveries', async () => {
    for (const endpointId of await deps.maintenance.dueWebhookEndpoints(100)) {
      await deps.wakeDeliverer(endpointId)
      report.endpointsWoken++
    }
  })
  // A bounded batch per minute: a backlog (a first run after months) is worked off over a few ticks.
  await step('webhook_retention', async () => {
    report.webhookEventsPruned = await deps.maintenance.pruneWebhookHistory(1000)
  })
  return report
}

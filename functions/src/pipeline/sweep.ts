/**
 * @module
 * The scheduled sweeper (cron, every minute): answers ai-mode messages whose webhook was dropped,
 * hands off runs abandoned mid-way (the Worker was evicted), applies auto-return (rule 6) and flags
 * channels with a stale heartbeat. Each step is isolated: one failing does not stop the others.
 */
import { type PipelineDeps, runPipeline } from './run-pipeline.ts'
import type { MaintenanceStore } from './store.ts'

export interface SweepOptions {
  minAgeSeconds: number
  abandonedAfterSeconds: number
  heartbeatStaleSeconds: number
  /** Messages answered per tick; the rest wait for the next minute. */
  batch?: number
}

export interface SweepReport {
  answered: number
  abandoned: number
  autoReturned: number
  staleChannels: number
  errors: string[]
}

export async function sweep(
  deps: PipelineDeps & { maintenance: MaintenanceStore },
  options: SweepOptions,
): Promise<SweepReport> {
  const report: SweepReport = { answered: 0, abandoned: 0, autoReturned: 0, staleChannels: 0, errors: [] }
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work()
    } catch (error) {
      report.errors.push(name)
      deps.logger.error({ err: error, step: name }, 'sweeper step failed')
    }
  }

  await step('unanswered', async () => {
    const list = await deps.maintenance.unansweredMessages(options.minAgeSeconds, options.batch ?? 20)
    // One at a time: the tick has a minute, and parallel model calls would share 2 vCPU-ish limits.
    for (const item of list) {
      const result = await runPipeline(item.messageId, deps)
      if (result.recorded) report.answered++
    }
  })
  await step('abandoned', async () => {
    for (const run of await deps.maintenance.abandonedRuns(options.abandonedAfterSeconds)) {
      await deps.store.handoff(run.conversationId, 'ai_run_abandoned')
      await deps.store.finishRun(run.runId, {
        provider: run.provider,
        model: null,
        promptTokens: 0,
        completionTokens: 0,
        latencyMs: 0,
        tools: [],
        outcome: 'failed',
        reason: 'ai_run_abandoned',
        replyMessageId: null,
      })
      report.abandoned++
    }
  })
  await step('auto_return', async () => {
    report.autoReturned = await deps.maintenance.autoReturnIdle()
  })
  await step('stale_channels', async () => {
    report.staleChannels = await deps.maintenance.flagStaleChannels(options.heartbeatStaleSeconds)
  })
  return report
}

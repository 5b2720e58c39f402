/**
 * @module
 * The outbox of one Cloud API number, as a Durable Object's logic (one `ChannelSender` per channel,
 * ADR 120). The database webhook on queued rows and the sweeper only `notify` it; its alarm claims
 * due rows with a lease (claim_cloud_outbox), sends them at the number's rate, records the wamid
 * (mark_sent) or the outcome of Meta's error, then downloads the files customers sent into Storage,
 * and sets the next alarm for retries still waiting.
 * One alarm runs at a time per object, so a number's rate holds across concurrent wake-ups.
 */
import type { AgentStorage } from '../agent/conversation-agent.ts'
import type { MediaFiles } from '../pipeline/media.ts'
import type { Logger } from '../shared/logger.ts'
import { fetchMedia, MEDIA_BATCH, type MediaReport } from './fetch-media.ts'
import { createPacer } from './pacer.ts'
import type {
  CloudChannel,
  CloudOutboxRow,
  CloudStore,
  GraphApi,
  GraphApiFor,
  OutgoingMessage,
} from './ports.ts'
import { sendOutcome } from './send-outcome.ts'

/** What the sender needs of the store (the webhook and the routes use the rest). */
export type SenderStore = Pick<
  CloudStore,
  'channel' | 'claim' | 'markSent' | 'markFailed' | 'nextDue' | 'setChannelError'
>

/** The alarm's whole work: the outbox, then the files customers sent (fetch-media.ts). */
export type AlarmDeps = Omit<SenderDeps, 'cloudStore'> & {
  cloudStore: SenderStore & Pick<CloudStore, 'mediaToFetch' | 'markMediaStored' | 'markMediaFailed'>
  media: Pick<MediaFiles, 'upload'>
}

export interface SenderDeps {
  cloudStore: SenderStore
  /** A link Meta can fetch a stored file at (a signed Storage URL valid for FILE_LINK_SECONDS). */
  fileLink: (path: string) => Promise<string>
  graphFor: GraphApiFor
  logger: Logger
  now: () => number
  sleep: (ms: number) => Promise<void>
}

/** Meta fetches a linked file when it sends the message: an hour covers retries of a throttled send. */
export const FILE_LINK_SECONDS = 3600
/** A claimed row not marked within this many seconds can be claimed again (the send was cut off). */
export const LEASE_SECONDS = 60
/** One alarm sends for at most this long, then hands over to a fresh alarm (subrequest and wall limits). */
export const ALARM_BUDGET_MS = 20_000
/** Graph API calls in flight at once: enough for 80/s at a few hundred ms each. */
const MAX_IN_FLIGHT = 64

export interface DrainReport {
  sent: number
  failed: number
  retried: number
  /** Stopped by the budget with rows still due: the next alarm goes on at once. */
  more: boolean
  /** The channel is gone or in error: nothing is sent until an admin fixes it (the sweeper wakes it then). */
  halted: boolean
}

export class SenderCore {
  constructor(
    private readonly storage: Pick<AgentStorage, 'get' | 'put' | 'setAlarm'>,
    private readonly deps: () => AlarmDeps,
    private readonly wallNow: () => number = Date.now,
  ) {}

  async notify(channelId: string): Promise<void> {
    await this.storage.put('channel', channelId)
    await this.storage.setAlarm(this.wallNow())
  }

  async alarm(): Promise<void> {
    const channelId = await this.storage.get<string>('channel')
    if (!channelId) return
    const deps = this.deps()
    const report = await drain(channelId, deps)
    deps.logger.info({ channelId, ...report }, 'cloud outbox drained')
    if (report.halted) return
    const media = await this.media(channelId, deps)
    if (report.more || media.more) return this.storage.setAlarm(this.wallNow())
    // Retries waiting out their backoff. At least a second apart: a row that is due but was not
    // claimable (another claimer holds it) must not spin the alarm.
    const due = [await deps.cloudStore.nextDue(channelId), media.retryAt].filter((t) => t !== null)
    if (due.length > 0) await this.storage.setAlarm(Math.max(this.wallNow() + 1000, Math.min(...due)))
  }

  private async media(channelId: string, deps: AlarmDeps): Promise<MediaReport & { more: boolean }> {
    const channel = await deps.cloudStore.channel(channelId)
    if (!channel || channel.status === 'error') return { stored: 0, failed: 0, retryAt: null, more: false }
    const report = await fetchMedia(channel, {
      cloudStore: deps.cloudStore,
      graph: deps.graphFor(channel),
      upload: (path, body, contentType) => deps.media.upload(path, body, contentType),
      logger: deps.logger,
    })
    if (report.stored + report.failed > 0) deps.logger.info({ channelId, ...report }, 'cloud media fetched')
    return { ...report, more: report.stored + report.failed === MEDIA_BATCH }
  }
}

export async function drain(channelId: string, deps: SenderDeps): Promise<DrainReport> {
  const report: DrainReport = { sent: 0, failed: 0, retried: 0, more: false, halted: false }
  const channel = await deps.cloudStore.channel(channelId)
  if (!channel || channel.status === 'error') return { ...report, halted: true }
  const graph = deps.graphFor(channel)
  const nextSlot = createPacer(channel.messagesPerSecond, deps.now, deps.sleep)
  const inFlight = new Set<Promise<void>>()
  const state = { broken: false }
  const started = deps.now()
  const batch = Math.min(100, channel.messagesPerSecond)
  // Rows this drain already sent or is sending. A claim can return one of them again when its
  // mark_sent is slower than the lease (a busy database): it must not be sent twice. A row Meta
  // refused and that was put back for a retry leaves the set: it may be claimed and sent again.
  const taken = new Set<string>()
  const claim = () => deps.cloudStore.claim(channelId, `functions:${channelId}`, batch, LEASE_SECONDS)
  let next: Promise<CloudOutboxRow[]> | null = claim()
  while (next && !state.broken) {
    const rows: CloudOutboxRow[] = await next
    next = null
    for (const [index, row] of rows.entries()) {
      // After a token error the rest keep their lease and are sent once an admin fixed the token.
      if (state.broken) break
      // Halfway through a batch the next one is claimed, so that its round trip overlaps the sends
      // instead of stalling the pacer (a busy database would otherwise cost the number its rate).
      // Past the budget no more is claimed: a fresh alarm goes on.
      if (index === Math.floor(rows.length / 2)) {
        if (deps.now() - started > ALARM_BUDGET_MS) report.more = true
        else next = claim()
      }
      if (taken.has(row.id)) continue
      taken.add(row.id)
      await nextSlot()
      const send = sendOne(row, { channel, graph, deps, report, state, taken }).finally(() =>
        inFlight.delete(send),
      )
      inFlight.add(send)
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight)
    }
  }
  // Stopped by a token error: a batch claimed early keeps its lease, like the rest of the batch.
  await next?.catch(() => undefined)
  await Promise.all(inFlight)
  return { ...report, halted: state.broken }
}

interface SendContext {
  channel: CloudChannel
  graph: GraphApi
  deps: SenderDeps
  report: DrainReport
  state: { broken: boolean }
  taken: Set<string>
}

async function sendOne(
  row: CloudOutboxRow,
  { channel, graph, deps, report, state, taken }: SendContext,
): Promise<void> {
  const log = deps.logger.child({ channelId: channel.channelId, messageId: row.id })
  let wamid: string
  try {
    wamid = await graph.send(await outgoing(row, deps))
  } catch (error) {
    const outcome = sendOutcome(error)
    log.warn({ outcome: outcome.kind, error: outcome.error }, 'Cloud API send failed')
    if (outcome.kind === 'channel_error') {
      state.broken = true
      await deps.cloudStore.setChannelError(channel.channelId, outcome.error)
    }
    // A token error is not the message's fault: it waits (retryable) for the fixed token.
    await deps.cloudStore.markFailed(row.id, outcome.error, outcome.kind !== 'failed')
    if (outcome.kind === 'failed') report.failed += 1
    else {
      report.retried += 1
      taken.delete(row.id)
    }
    return
  }
  // Meta accepted it: from here a failure must not send it again, only be reported.
  await deps.cloudStore
    .markSent(row.id, wamid)
    .then(() => {
      report.sent += 1
    })
    .catch((error: unknown) =>
      log.error({ err: error, wamid }, 'sent but mark_sent failed; the lease expires'),
    )
}

/** What Meta is asked to send for a row: a template, a file by link with the text as caption, or text. */
async function outgoing(row: CloudOutboxRow, deps: SenderDeps): Promise<OutgoingMessage> {
  if (row.template) return { kind: 'template', to: row.recipient, template: row.template }
  if (!row.file) return { kind: 'text', to: row.recipient, body: row.body }
  const { path, mimetype, filename } = row.file
  return {
    kind: 'media',
    to: row.recipient,
    mediaType: mediaTypeOf(mimetype),
    link: await deps.fileLink(path),
    caption: row.body,
    filename,
  }
}

function mediaTypeOf(mimetype: string): 'image' | 'audio' | 'video' | 'document' | 'sticker' {
  const type = mimetype.split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'image/webp') return 'sticker'
  if (type.startsWith('image/')) return 'image'
  if (type.startsWith('audio/')) return 'audio'
  if (type.startsWith('video/')) return 'video'
  return 'document'
}

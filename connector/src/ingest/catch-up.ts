/**
 * Catch-up after `ready`: whatsapp-web.js emits nothing for messages that arrived while the
 * connector was down, so the recent messages of recently active chats are ingested again;
 * idempotent ingest turns the ones already stored into duplicates. Only messages newer than
 * the last checkpoint are replayed: on the very first link the phone's old history (including
 * the owner's old replies, which would count as takeovers) stays out. Deletes and edits made
 * meanwhile are applied too (record_revoke / record_edit are idempotent; unknown ids are dropped).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import type { WhatsAppTransport } from '../whatsapp/transport.ts'
import type { IngestFlow } from './ingest-flow.ts'

/** When the connector last knew it was up to date, persisted next to the session. */
export class Checkpoint {
  private readonly path: string
  constructor(path: string) {
    this.path = path
  }

  async read(): Promise<Date | null> {
    try {
      const { at } = JSON.parse(await readFile(this.path, 'utf8')) as { at?: string }
      return at ? new Date(at) : null
    } catch {
      return null
    }
  }

  async write(at: Date): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    await writeFile(this.path, JSON.stringify({ at: at.toISOString() }))
  }
}

export async function catchUp(options: {
  transport: WhatsAppTransport
  ingest: IngestFlow
  checkpoint: Checkpoint
  logger: Logger
  limitPerChat?: number
}): Promise<number> {
  const { transport, ingest, checkpoint, logger } = options
  const since = await checkpoint.read()
  const now = new Date()
  if (!since) {
    await checkpoint.write(now)
    logger.info('first link: no catch-up of older history')
    return 0
  }
  // A minute of overlap covers clock skew between the phone and this host.
  const from = since.getTime() - 60_000
  const activity = await transport.recentActivity(options.limitPerChat ?? 20)
  const recent = activity.messages
    .filter((m) => m.timestamp.getTime() >= from)
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
  for (const message of recent) void ingest.message(message)
  // Deletes and edits carry no reliable time of their own here; all are applied, idempotently,
  // each behind its chat's messages.
  for (const change of activity.changes) void ingest.change(change)
  await ingest.idle()
  await checkpoint.write(now)
  logger.info({ candidates: recent.length, changes: activity.changes.length }, 'catch-up done')
  return recent.length
}

/**
 * @module
 * Files of Cloud API customers, from Meta into Storage: the webhook stores the message at once with
 * `media_status` pending and the Graph media id; the number's `ChannelSender` then downloads each
 * file and streams it to `media/<tenant>/<conversation>/<message>.<ext>` while hashing and counting
 * it (never the whole file in memory), and records it with mark_media_stored. A failure is retried
 * with the database's backoff (mark_media_failed) unless it cannot succeed: too large, or gone at
 * Meta (media ids live 30 days). The alarm comes back for the earliest retry.
 */
import { createHash } from 'node:crypto'
import { objectPath, WHATSAPP_DOCUMENT_MAX_BYTES, WHATSAPP_MAX_BYTES } from '@relevo/contracts/media-paths'
import type { MediaFiles } from '../pipeline/media.ts'
import type { Logger } from '../shared/logger.ts'
import {
  type CloudChannel,
  type CloudStore,
  type GraphApi,
  GraphApiError,
  type MediaToFetch,
} from './ports.ts'

/** Uploads a stream to the bucket `media`, replacing what is there (a retried upload leaves one object). */
export type UploadMedia = (
  path: string,
  body: ReadableStream<Uint8Array>,
  contentType: string,
) => Promise<void>

export interface MediaFetchDeps {
  cloudStore: Pick<CloudStore, 'mediaToFetch' | 'markMediaStored' | 'markMediaFailed'>
  graph: GraphApi
  /** Replaces what is at the path (a retried upload leaves one object). */
  upload: MediaFiles['upload']
  logger: Logger
}

export interface MediaReport {
  stored: number
  failed: number
  /** The earliest retry of a file that failed now (ms since epoch), or null. */
  retryAt: number | null
}

/** Files per alarm: each is one download and one upload, well inside the alarm's budget. */
export const MEDIA_BATCH = 5

class MediaRefused extends Error {}

export async function fetchMedia(channel: CloudChannel, deps: MediaFetchDeps): Promise<MediaReport> {
  const report: MediaReport = { stored: 0, failed: 0, retryAt: null }
  for (const file of await deps.cloudStore.mediaToFetch(channel.channelId, MEDIA_BATCH)) {
    try {
      await storeOne(file, deps)
      report.stored += 1
    } catch (error) {
      const retryable = !(error instanceof MediaRefused) && !isGone(error)
      const reason = error instanceof Error ? error.message : String(error)
      deps.logger.warn({ messageId: file.messageId, retryable, err: error }, 'Cloud API media not stored')
      const retryAt = await deps.cloudStore.markMediaFailed(file.messageId, reason, retryable)
      report.failed += 1
      if (retryAt !== null) report.retryAt = Math.min(report.retryAt ?? retryAt, retryAt)
    }
  }
  return report
}

async function storeOne(file: MediaToFetch, deps: MediaFetchDeps): Promise<void> {
  if (!file.mediaId) throw new MediaRefused('The webhook carried no Graph media id')
  const cap = file.type === 'document' ? WHATSAPP_DOCUMENT_MAX_BYTES : WHATSAPP_MAX_BYTES
  const download = await deps.graph.downloadMedia(file.mediaId)
  if (download.size !== null && download.size > cap) {
    await download.body.cancel()
    throw new MediaRefused(`File of ${download.size} bytes is over the ${cap}-byte limit for ${file.type}`)
  }
  const counted = hashedAndCapped(download.body, cap)
  const path = objectPath(file, download.mimetype, file.filename ?? undefined)
  try {
    await deps.upload(path, counted.body, download.mimetype)
  } catch (error) {
    // The upload client wraps the stream's own error: say what really stopped it.
    if (counted.overCap()) throw new MediaRefused(`File over the ${cap}-byte limit for ${file.type}`)
    throw error
  }
  await deps.cloudStore.markMediaStored(file.messageId, {
    path,
    mimetype: download.mimetype,
    ...counted.result(),
  })
}

/** Passes the bytes on while hashing them; errors the stream once more than `cap` bytes went through. */
function hashedAndCapped(body: ReadableStream<Uint8Array>, cap: number) {
  const hash = createHash('sha256')
  let size = 0
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength
      if (size > cap) throw new MediaRefused('File over the size limit')
      hash.update(chunk)
      controller.enqueue(chunk)
    },
  })
  return {
    body: body.pipeThrough(meter),
    overCap: () => size > cap,
    result: () => ({ size, sha256: hash.digest('hex') }),
  }
}

/** Meta no longer has the file (expired id, deleted): retrying cannot help. */
function isGone(error: unknown): boolean {
  return error instanceof GraphApiError && (error.httpStatus === 404 || error.code === 100)
}

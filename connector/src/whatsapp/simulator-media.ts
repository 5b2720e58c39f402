/**
 * @module
 * The simulator's stand-in for WhatsApp's media servers: the files customers send, kept on
 * disk (a temporary folder) rather than in memory, so that a burst of large files costs the
 * connector's process what WhatsApp Web would, not what a test put in. Also what a media
 * message looks like on the transport (type, WhatsApp type name, metadata) for a given file.
 */
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MediaError, tooLarge } from './errors.ts'
import type { MediaDownload, MediaMeta, MessageType } from './transport.ts'

/** A file as a simulated phone sends it (`POST /simulator/messages` `media`). */
export interface SimulatedFile {
  mimetype: string
  data: Buffer
  filename?: string
  /** A voice note (WhatsApp `ptt`); only for audio. */
  voice?: boolean
  /** A sticker (WhatsApp sends them as image/webp). */
  sticker?: boolean
}

/** What the customer's phone got: the file's description, never its bytes. */
export interface DeliveredFile {
  mimetype: string
  filename?: string
  size: number
  sha256: string
  voice?: true
}

/** The message type and WhatsApp type name a file arrives as. */
export function describeFile(file: Pick<SimulatedFile, 'mimetype' | 'voice' | 'sticker'>): {
  type: MessageType
  waType: string
} {
  const family = file.mimetype.split('/')[0]
  if (file.sticker) return { type: 'sticker', waType: 'sticker' }
  if (family === 'image') return { type: 'image', waType: 'image' }
  if (family === 'video') return { type: 'video', waType: 'video' }
  if (family === 'audio')
    return file.voice ? { type: 'audio', waType: 'ptt' } : { type: 'audio', waType: 'audio' }
  return { type: 'document', waType: 'document' }
}

export function deliveredFile(file: SimulatedFile): DeliveredFile {
  return {
    mimetype: file.mimetype,
    ...(file.filename ? { filename: file.filename } : {}),
    size: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    ...(file.voice ? { voice: true as const } : {}),
  }
}

export class SimulatedMediaServer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'relevo-simulator-media-'))
  private readonly files = new Map<string, { mimetype: string; filename?: string; size: number }>()
  private failures = 0

  /** Keeps the file of message `waMessageId`; returns the metadata WhatsApp would announce. */
  put(waMessageId: string, file: SimulatedFile): MediaMeta {
    writeFileSync(this.pathOf(waMessageId), file.data)
    this.files.set(waMessageId, { mimetype: file.mimetype, filename: file.filename, size: file.data.length })
    return {
      waType: describeFile(file).waType,
      mimetype: file.mimetype,
      size: file.data.length,
      ...(file.filename ? { filename: file.filename } : {}),
      ...(file.voice ? { voice: true } : {}),
    }
  }

  /** WhatsApp no longer has the file (expired on its servers, or deleted). */
  expire(waMessageId: string): boolean {
    rmSync(this.pathOf(waMessageId), { force: true })
    return this.files.delete(waMessageId)
  }

  /** The next `count` downloads fail as a dropped connection would. */
  failNextDownloads(count: number): void {
    this.failures = count
  }

  open(waMessageId: string, maxBytes: number): MediaDownload {
    const file = this.files.get(waMessageId)
    if (!file) {
      throw new MediaError('media_gone', 'WhatsApp no longer has this file', {
        retryable: false,
        hint: 'Ask the customer to send it again',
      })
    }
    if (this.failures > 0) {
      this.failures -= 1
      throw new MediaError('download_failed', 'Simulated download failure', {
        retryable: true,
        hint: 'Injected by the simulator',
      })
    }
    if (file.size > maxBytes) throw tooLarge(file.size, maxBytes)
    return {
      mimetype: file.mimetype,
      ...(file.filename ? { filename: file.filename } : {}),
      stream: createReadStream(this.pathOf(waMessageId), { highWaterMark: 256 * 1024 }),
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }

  private pathOf(waMessageId: string): string {
    return join(this.dir, createHash('sha256').update(waMessageId).digest('hex'))
  }
}

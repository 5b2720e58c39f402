/**
 * @module
 * The media spool: files read from WhatsApp wait here, on the data volume beside the durable
 * buffer, until Storage and the database both have them. A file is written while it is hashed
 * (SHA-256) and counted against the size cap, fsynced, then renamed into place with a small
 * JSON description, so a crash leaves either a whole file or a `.part` that the next start
 * deletes. Named after the message's WhatsApp id, which is also what the buffered ingest entry
 * carries: after a database outage the replayed entry finds its file here instead of asking
 * WhatsApp again (which may have expired it).
 */
import { createHash } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tooLarge } from '../whatsapp/errors.ts'
import type { MediaDownload } from '../whatsapp/transport.ts'

export interface SpooledFile {
  /** The file on disk. */
  localPath: string
  mimetype: string
  filename?: string
  size: number
  sha256: string
}

export class MediaSpool {
  private constructor(private readonly dir: string) {}

  /** Opens the folder and deletes the partial files a crash left. */
  static async open(dir: string): Promise<MediaSpool> {
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      if (name.endsWith('.part')) await rm(join(dir, name), { force: true })
    }
    return new MediaSpool(dir)
  }

  async get(waMessageId: string): Promise<SpooledFile | null> {
    try {
      const meta = JSON.parse(await readFile(`${this.base(waMessageId)}.json`, 'utf8')) as Omit<
        SpooledFile,
        'localPath'
      >
      return { ...meta, localPath: this.base(waMessageId) }
    } catch {
      return null
    }
  }

  /** Streams the download to disk, hashing and counting; over `maxBytes` it stops and keeps nothing. */
  async save(waMessageId: string, download: MediaDownload, maxBytes: number): Promise<SpooledFile> {
    const base = this.base(waMessageId)
    const part = `${base}.part`
    const hash = createHash('sha256')
    let size = 0
    const file = await open(part, 'w')
    try {
      for await (const chunk of download.stream as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > maxBytes) throw tooLarge(size, maxBytes)
        hash.update(chunk)
        await file.write(chunk)
      }
      await file.datasync()
    } catch (error) {
      download.stream.destroy()
      await file.close()
      await rm(part, { force: true })
      throw error
    }
    await file.close()
    const meta = {
      mimetype: download.mimetype,
      ...(download.filename ? { filename: download.filename } : {}),
      size,
      sha256: hash.digest('hex'),
    }
    await rename(part, base)
    await writeFile(`${base}.json`, JSON.stringify(meta), { flush: true })
    return { ...meta, localPath: base }
  }

  async remove(waMessageId: string): Promise<void> {
    const base = this.base(waMessageId)
    await rm(`${base}.json`, { force: true })
    await rm(base, { force: true })
  }

  /** How many files wait (for /health). */
  async depth(): Promise<number> {
    return (await readdir(this.dir)).filter((name) => name.endsWith('.json')).length
  }

  private base(waMessageId: string): string {
    return join(this.dir, createHash('sha256').update(waMessageId).digest('hex').slice(0, 40))
  }
}

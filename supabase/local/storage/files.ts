import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { storageErrors } from './errors.ts'

/** A body written to a temporary file, not yet an object. */
export interface ReceivedFile {
  tempPath: string
  size: number
  /** Hex MD5 of the bytes: Supabase's eTag for a single-part upload. */
  md5: string
}

/**
 * Object bytes on disk. Each upload is a new file named by the object's `version` (a fresh UUID),
 * in a folder per bucket: a file name never comes from the object's name (no path tricks), and an
 * upsert swaps versions in the same transaction that updates the row, so a reader sees the old
 * or the new bytes, never half of either.
 */
export class FileStore {
  private readonly incoming: string

  constructor(readonly root: string) {
    this.incoming = join(root, '.incoming')
  }

  async init(): Promise<void> {
    await mkdir(this.incoming, { recursive: true })
  }

  pathOf(bucket: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/.test(version)) throw new Error(`Object version ${version} is not a UUID`)
    // Dots escaped too, so that no bucket id can name `.` or `..`.
    return join(this.root, 'buckets', encodeURIComponent(bucket).replaceAll('.', '%2E'), version)
  }

  /**
   * Streams `body` into a temporary file, counting and hashing as it goes (the bytes are held in
   * memory one chunk at a time). Past `limit` bytes the rest is read and dropped, so the client
   * still gets the answer, then EntityTooLarge is thrown and nothing is left behind.
   */
  async receive(body: Readable, limit: number): Promise<ReceivedFile> {
    const tempPath = join(this.incoming, randomUUID())
    const hash = createHash('md5')
    let size = 0
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length
        if (size > limit) {
          callback()
          return
        }
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    try {
      await pipeline(body, count, createWriteStream(tempPath))
    } catch (error) {
      await rm(tempPath, { force: true })
      throw error
    }
    if (size > limit) {
      await rm(tempPath, { force: true })
      throw storageErrors.entityTooLarge()
    }
    return { tempPath, size, md5: hash.digest('hex') }
  }

  /** Moves a received file to where the object version lives. */
  async place(received: ReceivedFile, bucket: string, version: string): Promise<void> {
    const target = this.pathOf(bucket, version)
    await mkdir(join(target, '..'), { recursive: true })
    await rename(received.tempPath, target)
  }

  async discard(path: string): Promise<void> {
    await rm(path, { force: true })
  }

  async remove(bucket: string, version: string): Promise<void> {
    await rm(this.pathOf(bucket, version), { force: true })
  }

  /** A stream of the version's bytes (a range of them when given), or null when the file is gone. */
  async open(
    bucket: string,
    version: string,
    range?: { start: number; end: number },
  ): Promise<{ stream: Readable; size: number } | null> {
    const path = this.pathOf(bucket, version)
    const info = await stat(path).catch(() => null)
    if (!info) return null
    return { stream: createReadStream(path, range ?? {}), size: info.size }
  }
}

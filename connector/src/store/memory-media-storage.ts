/**
 * @module
 * An in-memory `MediaStorage` for flow tests: objects by path, an outage switch and injected
 * failures, and a count of uploads so a test can tell "stored once" from "uploaded twice".
 */
import { readFile } from 'node:fs/promises'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import type { MediaStorage } from './media-storage.ts'

export class MemoryMediaStorage implements MediaStorage {
  readonly objects = new Map<string, { data: Buffer; contentType: string }>()
  uploads = 0
  /** While true every call fails like unreachable Storage. */
  down = false
  private failures = 0

  /** The next `count` uploads fail with a 503. */
  failNextUploads(count: number): void {
    this.failures = count
  }

  async upload(path: string, localPath: string, contentType: string): Promise<void> {
    this.check()
    if (this.failures > 0) {
      this.failures -= 1
      throw new StoreUnavailableError(`upload ${path}: HTTP 503 (injected)`)
    }
    this.uploads += 1
    this.objects.set(path, { data: await readFile(localPath), contentType })
  }

  async download(path: string): Promise<Buffer> {
    this.check()
    const object = this.objects.get(path)
    if (!object) throw new StoreRejectedError(404, 'not_found', `download ${path}: Object not found`, '')
    return object.data
  }

  async remove(path: string): Promise<void> {
    this.check()
    this.objects.delete(path)
  }

  private check(): void {
    if (this.down) throw new StoreUnavailableError('memory storage is down')
  }
}

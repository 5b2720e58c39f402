/**
 * @module
 * `MediaStorage` over unmodified supabase-js storage as the channel's connector credential
 * (ADR 074: Storage's RLS lets it write only its own channel's chat folders and read its
 * tenant's outgoing/ folder) or, in development, the service role. Uploads stream from disk: a
 * Node stream body, which storage-js sends with `duplex: 'half'`, so a 100 MB document never sits
 * in memory. Requests get their own session with a longer timeout than the database's.
 */
import { createReadStream } from 'node:fs'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import type { MediaStorage } from './media-storage.ts'
import { type StoreCredentials, SupabaseSession } from './supabase-session.ts'

export interface SupabaseMediaStorageOptions {
  url: string
  credentials: StoreCredentials
  bucket?: string
  /** Per request; a large file on a slow link needs minutes, not the database's seconds. */
  requestTimeoutMs?: number
}

/** What storage-js puts on its errors: the HTTP status, and Storage's own code in the body. */
interface StorageFailure {
  message: string
  status?: number
  statusCode?: string
}

function storageError(what: string, error: StorageFailure): Error {
  const status = error.status ?? 0
  const semantic = Number(error.statusCode)
  // Storage answers most refusals with HTTP 400 and the real status in statusCode (e.g. 413, 415).
  const effective = Number.isFinite(semantic) && semantic >= 400 ? semantic : status
  if (status === 0 || effective >= 500 || effective === 408 || effective === 429) {
    return new StoreUnavailableError(`${what}: ${error.message}`, { cause: error })
  }
  return new StoreRejectedError(
    effective,
    effective === 413 ? 'entity_too_large' : effective === 415 ? 'invalid_mime_type' : 'storage_rejected',
    `${what}: ${error.message}`,
    'Check the bucket media (size limit, allowed MIME types) and that CONNECTOR_KEY belongs to CHANNEL_ID',
    { cause: error },
  )
}

export class SupabaseMediaStorage implements MediaStorage {
  private readonly session: SupabaseSession
  private readonly bucket: string

  constructor(options: SupabaseMediaStorageOptions) {
    this.bucket = options.bucket ?? 'media'
    this.session = new SupabaseSession({
      url: options.url,
      credentials: options.credentials,
      requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
    })
  }

  /** The bucket, once signed in; a 401 from Storage signs in again next time. */
  private async objects() {
    await this.session.ready()
    return this.session.client.storage.from(this.bucket)
  }

  private failed(what: string, error: StorageFailure): Error {
    this.session.answered(error.status ?? 0)
    return storageError(what, error)
  }

  async upload(path: string, localPath: string, contentType: string): Promise<void> {
    const { error } = await (await this.objects()).upload(path, createReadStream(localPath), {
      contentType,
      upsert: true,
      duplex: 'half',
    })
    if (error) throw this.failed(`upload ${path}`, error as StorageFailure)
  }

  async download(path: string): Promise<Buffer> {
    const { data, error } = await (await this.objects()).download(path)
    if (error) throw this.failed(`download ${path}`, error as StorageFailure)
    return Buffer.from(await data.arrayBuffer())
  }

  async remove(path: string): Promise<void> {
    const { error } = await (await this.objects()).remove([path])
    if (error) throw this.failed(`remove ${path}`, error as StorageFailure)
  }
}

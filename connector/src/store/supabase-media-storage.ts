/**
 * @module
 * `MediaStorage` over unmodified supabase-js storage with the service role key (which
 * Storage's RLS lets write anywhere in the bucket). Uploads stream from disk: a Node stream
 * body, which storage-js sends with `duplex: 'half'`, so a 100 MB document never sits in memory.
 * Requests get their own, longer timeout than the database's.
 */
import { createReadStream } from 'node:fs'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import type { MediaStorage } from './media-storage.ts'

export interface SupabaseMediaStorageOptions {
  url: string
  serviceRoleKey: string
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
    'Check the bucket media (size limit, allowed MIME types) and the service role key',
    { cause: error },
  )
}

export class SupabaseMediaStorage implements MediaStorage {
  private readonly client: SupabaseClient
  private readonly bucket: string

  constructor(options: SupabaseMediaStorageOptions) {
    const timeoutMs = options.requestTimeoutMs ?? 300_000
    this.bucket = options.bucket ?? 'media'
    this.client = createClient(options.url, options.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: {
        fetch: (input, init) =>
          fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
      },
    })
  }

  async upload(path: string, localPath: string, contentType: string): Promise<void> {
    const { error } = await this.client.storage
      .from(this.bucket)
      .upload(path, createReadStream(localPath), { contentType, upsert: true, duplex: 'half' })
    if (error) throw storageError(`upload ${path}`, error as StorageFailure)
  }

  async download(path: string): Promise<Buffer> {
    const { data, error } = await this.client.storage.from(this.bucket).download(path)
    if (error) throw storageError(`download ${path}`, error as StorageFailure)
    return Buffer.from(await data.arrayBuffer())
  }

  async remove(path: string): Promise<void> {
    const { error } = await this.client.storage.from(this.bucket).remove([path])
    if (error) throw storageError(`remove ${path}`, error as StorageFailure)
  }
}

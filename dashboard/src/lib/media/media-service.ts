import { StorageClient } from '@supabase/storage-js'
import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { SupabaseConfig } from '../supabase.ts'
import type { Db } from '../types.ts'
import { type MediaKind, outgoingPath, type UploadRules } from './media-limits.ts'
import type { OutgoingMedia } from './outgoing-media.ts'
import { type OnProgress, progressFetch } from './progress-fetch.ts'
import { SignedUrlCache } from './signed-urls.ts'

export const MEDIA_BUCKET = 'media'

/**
 * The desk's access to the private `media` bucket: signed URLs for what the thread shows, the
 * upload rules (read once per session), and uploads of agents' files into `<tenant>/outgoing/`.
 */
export class MediaService {
  readonly urls: SignedUrlCache
  private rules: Promise<UploadRules> | null = null

  constructor(
    private readonly db: Db,
    private readonly config: SupabaseConfig,
    private readonly tenantId: string,
  ) {
    this.urls = new SignedUrlCache(async (paths, expiresIn) => {
      const { data, error } = await db.storage.from(MEDIA_BUCKET).createSignedUrls(paths, expiresIn)
      if (error) throw error
      return new Map(data.flatMap((d) => (d.path && d.signedUrl ? [[d.path, d.signedUrl] as const] : [])))
    })
  }

  /** `public.media_limits` and the bucket's cap and types; asked again after a failure. */
  uploadRules(): Promise<UploadRules> {
    this.rules ??= this.loadRules().catch((error: unknown) => {
      this.rules = null
      throw error
    })
    return this.rules
  }

  private async loadRules(): Promise<UploadRules> {
    const [limits, bucket] = await Promise.all([
      result(this.db.from('media_limits').select('kind, max_bytes')),
      this.db.storage.getBucket(MEDIA_BUCKET),
    ])
    if (bucket.error) throw new DeskError('media_rules', bucket.error.message, { retryable: true })
    return {
      maxBytes: Object.fromEntries(limits.map((l) => [l.kind as MediaKind, Number(l.max_bytes)])),
      bucketMaxBytes: bucket.data.file_size_limit ?? null,
      allowedTypes: bucket.data.allowed_mime_types ?? null,
    }
  }

  /**
   * Uploads into `<tenant>/outgoing/<uuid>.<ext>` with the agent's own session (RLS allows only
   * that folder), reporting progress; the answer is `send_agent_message`'s `p_media`.
   */
  async upload(file: File, mimetype: string, onProgress: OnProgress): Promise<OutgoingMedia> {
    const { data } = await this.db.auth.getSession()
    const token = data.session?.access_token
    if (!token) throw new DeskError('session_expired', 'No session to upload with', { authExpired: true })
    const storage = new StorageClient(
      `${this.config.url}/storage/v1`,
      { apikey: this.config.anonKey, Authorization: `Bearer ${token}` },
      progressFetch(onProgress),
    )
    const filename = file.name || 'file'
    const path = outgoingPath(this.tenantId, crypto.randomUUID(), filename, mimetype)
    const { error } = await storage
      .from(MEDIA_BUCKET)
      .upload(path, file, { contentType: mimetype, upsert: false, cacheControl: '3600' })
    if (error) throw uploadError(error)
    return { path, mimetype, filename }
  }
}

/** Storage's refusal as a DeskError the composer translates (the checks before should prevent most). */
function uploadError(error: Error & { status?: number; statusCode?: string }): DeskError {
  const status = error.status ?? 0
  if (error.statusCode === '413') return new DeskError('file_too_large', error.message, { cause: error })
  if (error.statusCode === '415') return new DeskError('file_type_refused', error.message, { cause: error })
  if (status === 401 || error.statusCode === '401')
    return new DeskError('session_expired', error.message, { authExpired: true, cause: error })
  return new DeskError('upload_failed', error.message, {
    retryable: status === 0 || status >= 500,
    cause: error,
  })
}

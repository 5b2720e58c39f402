/**
 * @module
 * The `MediaStorage` port: the private Supabase Storage bucket `media`, as the connector's
 * media flows need it. Paths are object names inside the bucket (`<tenant>/…`). Failures are
 * the store's errors: `StoreUnavailableError` (unreachable, 5xx: try again later) or
 * `StoreRejectedError` (Storage said no: too large for the bucket, type not allowed).
 * Adapters: `supabase-media-storage.ts` (supabase-js storage) and `memory-media-storage.ts` (tests).
 */

export interface MediaStorage {
  /**
   * Uploads the file at `localPath` (streamed from disk) to `path`, replacing what is there
   * (`x-upsert`), so repeating an upload after a crash or a retry leaves one object.
   */
  upload(path: string, localPath: string, contentType: string): Promise<void>
  /** The whole object: outgoing files are handed to WhatsApp in one piece anyway. */
  download(path: string): Promise<Buffer>
  remove(path: string): Promise<void>
}

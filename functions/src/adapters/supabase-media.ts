/**
 * @module
 * The `media` bucket through Supabase Storage with the service role (the AI reads customers'
 * files and stores the images its replies carry under `<tenant>/ai/`; Cloud API numbers' senders
 * stream customers' files in).
 */
import { MediaError, type MediaFiles } from '../pipeline/media.ts'
import type { Db } from './supabase.ts'

/** `db` is called on first use: a run without files never builds a client for them. */
export function createSupabaseMedia(db: () => Db): MediaFiles {
  const bucket = () => db().storage.from('media')
  return {
    async download(path) {
      const { data, error } = await bucket().download(path)
      if (error || !data) {
        throw new MediaError('media_unavailable', `Reading ${path} from Storage failed: ${error?.message}`, {
          cause: error,
        })
      }
      return new Uint8Array(await data.arrayBuffer())
    },
    async signedUrl(path, seconds) {
      const { data, error } = await bucket().createSignedUrl(path, seconds)
      if (error || !data) {
        throw new MediaError('media_unavailable', `Signing ${path} failed: ${error?.message}`, {
          cause: error,
        })
      }
      return data.signedUrl
    },
    async upload(path, bytes, contentType) {
      // A stream body needs `duplex: 'half'` (fetch's rule for request bodies that stream).
      const streamed = bytes instanceof Uint8Array ? {} : { duplex: 'half' }
      const { error } = await bucket().upload(path, bytes, { contentType, upsert: true, ...streamed })
      if (error) {
        throw new MediaError('media_upload_failed', `Storing ${path} in Storage failed: ${error.message}`, {
          hint: 'Check that the media bucket exists and allows this type and size',
          cause: error,
        })
      }
    },
  }
}

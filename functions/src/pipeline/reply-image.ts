/**
 * @module
 * The one product image an AI reply may carry (ADR 082): fetched from the URL a product tool
 * returned, checked (an image, at most 5 MB), stored in the `media` bucket under the tenant's
 * `ai/` folder and described for `enqueue_ai_reply`, which sends it through the outbox.
 */
import { MediaError, type MediaFiles, type ReplyMedia } from './media.ts'
import { baseType, MAX_IMAGE_BYTES } from './perceive.ts'
import { REPLY_IMAGE_BUDGET_MS, withTimeout } from './run-budget.ts'

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' }

export async function storeReplyImage(
  url: string,
  tenantId: string,
  deps: { media: MediaFiles; fetchImage: typeof fetch },
): Promise<ReplyMedia> {
  return withTimeout(fetchAndStore(url, tenantId, deps), REPLY_IMAGE_BUDGET_MS, 'product image')
}

async function fetchAndStore(
  url: string,
  tenantId: string,
  deps: { media: MediaFiles; fetchImage: typeof fetch },
): Promise<ReplyMedia> {
  if (new URL(url).protocol !== 'https:') {
    throw new MediaError('reply_image_refused', 'Product images are fetched over HTTPS only')
  }
  const response = await deps.fetchImage(url, { signal: AbortSignal.timeout(REPLY_IMAGE_BUDGET_MS) })
  const mimetype = baseType(response.headers.get('content-type') ?? '')
  const ext = EXTENSIONS[mimetype]
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (!response.ok || !ext || declared > MAX_IMAGE_BYTES) {
    await response.body?.cancel()
    throw new MediaError(
      'reply_image_refused',
      `The product image answered ${response.status} ${mimetype || 'without a type'} (${declared} bytes)`,
    )
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    throw new MediaError('reply_image_refused', `The product image has ${bytes.byteLength} bytes`)
  }
  const path = `${tenantId}/ai/${crypto.randomUUID()}.${ext}`
  await deps.media.upload(path, bytes, mimetype)
  return { path, mimetype, size: bytes.byteLength, sha256: await sha256(bytes) }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

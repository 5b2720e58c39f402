/**
 * @module
 * A product's picture from Shopify's CDN, stored in the `media` bucket to be sent on WhatsApp
 * (ADR 082, 124): fetched over HTTPS, checked (JPEG, PNG or WebP, at most WhatsApp's 5 MB for
 * images) and stored under the folder the caller names: `<tenant>/ai` for the AI's reply,
 * `<tenant>/outgoing` for the product an agent picked.
 */

import { fetchPublic } from '../shared/outbound-url.ts'
import { MediaError, type MediaFiles, type ReplyMedia } from './media.ts'
import { baseType, MAX_IMAGE_BYTES } from './perceive.ts'

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' }
const NEXT_STEP = "The product's link goes without its picture"

export interface ImageDeps {
  media: MediaFiles
  fetchImage: typeof fetch
}

export async function storeProductImage(
  url: string,
  folder: string,
  deps: ImageDeps,
  signal?: AbortSignal,
): Promise<ReplyMedia> {
  if (new URL(url).protocol !== 'https:') {
    throw new MediaError('product_image_refused', 'Product images are fetched over HTTPS only', {
      status: 422,
      hint: NEXT_STEP,
    })
  }
  const response = await deps.fetchImage(url, signal ? { signal } : {}).catch((cause: unknown) => {
    throw new MediaError('product_image_unreachable', "Shopify's CDN could not be reached", {
      cause,
      hint: NEXT_STEP,
    })
  })
  const mimetype = baseType(response.headers.get('content-type') ?? '')
  const declared = Number(response.headers.get('content-length') ?? 0)
  const problem = refusal(response.status, mimetype, declared)
  if (problem) {
    await response.body?.cancel()
    throw problem
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw tooLarge(bytes.byteLength)
  const path = `${folder}/${crypto.randomUUID()}.${EXTENSIONS[mimetype]}`
  await deps.media.upload(path, bytes, mimetype)
  return { path, mimetype, size: bytes.byteLength, sha256: await sha256(bytes) }
}

/** Why the CDN's answer cannot be sent as a WhatsApp image, or null when it can. */
function refusal(status: number, mimetype: string, declared: number): MediaError | null {
  if (status < 200 || status > 299) {
    return new MediaError('product_image_unreachable', `Shopify's CDN answered ${status} for the picture`, {
      hint: NEXT_STEP,
    })
  }
  if (!EXTENSIONS[mimetype]) {
    return new MediaError(
      'product_image_not_an_image',
      `The product's picture is ${mimetype || 'untyped'}, not a JPEG, PNG or WebP image`,
      { status: 415, hint: NEXT_STEP },
    )
  }
  return declared > MAX_IMAGE_BYTES ? tooLarge(declared) : null
}

const tooLarge = (bytes: number) =>
  new MediaError(
    'product_image_too_large',
    `The product's picture has ${bytes} bytes; WhatsApp takes images up to ${MAX_IMAGE_BYTES}`,
    { status: 413, hint: NEXT_STEP },
  )

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The fetch an agent's product picture goes through: the outbound URL rules (ADR 073), as the URL
 * comes from the tenant's store; with SHOPIFY_API_URL (tests, local development) to that origin
 * instead, like the Admin API calls, so the Shopify double serves the CDN too.
 */
export function productImageFetch(
  options: { apiUrl: string | undefined; allowPrivate: boolean },
  doFetch: typeof fetch,
): typeof fetch {
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (options.apiUrl) return doFetch(`${options.apiUrl}${url.pathname}${url.search}`, init)
    return fetchPublic(url.toString(), init, { fetch: doFetch, allowPrivate: options.allowPrivate })
  }
}

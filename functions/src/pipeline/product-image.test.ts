import { describe, expect, it } from 'vitest'
import { OutboundUrlError } from '../shared/outbound-url.ts'
import type { MediaFiles } from './media.ts'
import { productImageFetch, storeProductImage } from './product-image.ts'

// The fetch and the checks of a product's picture (ADR 124); the route and the Shopify double's CDN
// are tested in integration/shopify-routes.int.test.ts.

const CDN_URL = 'https://cdn.shopify.com/s/files/1/0000/0001/files/taza.png?v=3'

function recorder() {
  const urls: string[] = []
  const fetcher = (async (input: RequestInfo | URL) => {
    urls.push(String(input))
    return new Response('ok')
  }) as typeof fetch
  return { urls, fetcher }
}

describe('productImageFetch', () => {
  it('sends the CDN path to SHOPIFY_API_URL when set (the double on loopback)', async () => {
    const { urls, fetcher } = recorder()
    await productImageFetch({ apiUrl: 'http://127.0.0.1:9', allowPrivate: false }, fetcher)(CDN_URL)
    expect(urls).toEqual(['http://127.0.0.1:9/s/files/1/0000/0001/files/taza.png?v=3'])
  })

  it("refuses a store's picture on a private address before any request (ADR 073)", async () => {
    const { urls, fetcher } = recorder()
    const fetchCdn = productImageFetch({ apiUrl: undefined, allowPrivate: false }, fetcher)
    await expect(fetchCdn('https://169.254.169.254/latest/meta-data')).rejects.toBeInstanceOf(
      OutboundUrlError,
    )
    await expect(fetchCdn('https://10.0.0.7/x.png')).rejects.toBeInstanceOf(OutboundUrlError)
    expect(urls).toEqual([])
  })
})

describe('storeProductImage', () => {
  const media: MediaFiles = {
    download: async () => new Uint8Array(),
    upload: async () => {},
    signedUrl: async () => '',
  }

  it('fetches over HTTPS only', async () => {
    const { urls, fetcher } = recorder()
    await expect(
      storeProductImage('http://cdn.shopify.com/x.png', 't/outgoing', { media, fetchImage: fetcher }),
    ).rejects.toMatchObject({ code: 'product_image_refused', status: 422 })
    expect(urls).toEqual([])
  })

  it('refuses a declared size over 5 MB and cancels the body instead of reading it', async () => {
    let cancelled = false
    const body = new ReadableStream({
      cancel() {
        cancelled = true
      },
    })
    const fetchImage = (async () =>
      new Response(body, {
        headers: { 'content-type': 'image/jpeg', 'content-length': String(6 * 1024 * 1024) },
      })) as typeof fetch
    await expect(storeProductImage(CDN_URL, 't/outgoing', { media, fetchImage })).rejects.toMatchObject({
      code: 'product_image_too_large',
      status: 413,
    })
    expect(cancelled).toBe(true)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'
import { expectStorageError } from './test-support.ts'

/** /storage/v1 on the wire: the statuses and bodies Supabase Storage answers, byte for byte. */
describe.each(backends)('storage over raw HTTP (%s)', (backend) => {
  let env: TestStandIn
  let service: Record<string, string>
  const storage = (path: string, init: RequestInit = {}) => fetch(`${env.url}/storage/v1/${path}`, init)

  beforeAll(async () => {
    env = await startTestStandIn(
      backend,
      "insert into storage.buckets (id, name, allowed_mime_types) values ('docs', 'docs', array['text/plain']);",
    )
    const key = env.standIn.keys.serviceRoleKey
    service = { apikey: key, Authorization: `Bearer ${key}` }
    const upload = await storage('object/docs/a/hello.txt', {
      method: 'POST',
      headers: { ...service, 'Content-Type': 'text/plain' },
      body: 'hello world',
    })
    expect(upload.status).toBe(200)
    expect(await upload.json()).toEqual({ Id: expect.any(String), Key: 'docs/a/hello.txt' })
  })
  afterAll(() => env?.close())

  it('answers a missing object with NoSuchKey under HTTP 400', async () => {
    const response = await storage('object/docs/a/none.txt', { headers: service })
    await expectStorageError(response, {
      statusCode: '404',
      code: 'NoSuchKey',
      error: 'not_found',
      message: 'Object not found',
    })
  })

  it('answers a missing bucket with NoSuchBucket', async () => {
    const response = await storage('object/nope/a.txt', {
      method: 'POST',
      headers: { ...service, 'Content-Type': 'text/plain' },
      body: 'x',
    })
    await expectStorageError(response, {
      statusCode: '404',
      code: 'NoSuchBucket',
      error: 'Bucket not found',
      message: 'Bucket not found',
    })
  })

  it('requires an API key, except for signed URLs', async () => {
    const keyless = await storage('object/docs/a/hello.txt')
    expect(keyless.status).toBe(401)
    expect(await keyless.json()).toEqual({ message: 'No API key found in request' })
    const signed = await storage('object/sign/docs/a/hello.txt', {
      method: 'POST',
      headers: { ...service, 'Content-Type': 'application/json' },
      body: JSON.stringify({ expiresIn: 60 }),
    })
    const { signedURL } = (await signed.json()) as { signedURL: string }
    expect(signedURL).toMatch(/^\/object\/sign\/docs\/a\/hello\.txt\?token=[\w-]+\.[\w-]+\.[\w-]+$/)
    const served = await fetch(`${env.url}/storage/v1${signedURL}`)
    expect(served.status).toBe(200)
    expect(served.headers.get('etag')).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"')
    expect(await served.text()).toBe('hello world')
    const noToken = await storage('object/sign/docs/a/hello.txt')
    expect(noToken.status).toBe(400)
  })

  it('refuses a bearer token it cannot verify with AccessDenied', async () => {
    const response = await storage('object/docs/a/hello.txt', {
      headers: { apikey: env.standIn.keys.anonKey, Authorization: 'Bearer not.a.jwt' },
    })
    await expectStorageError(response, {
      statusCode: '403',
      code: 'AccessDenied',
      error: 'Unauthorized',
      message: 'JWS Protected Header is invalid',
    })
  })

  it('serves byte ranges, as media players request them', async () => {
    const response = await storage('object/authenticated/docs/a/hello.txt', {
      headers: { ...service, Range: 'bytes=6-' },
    })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 6-10/11')
    expect(await response.text()).toBe('world')
  })

  it('refuses a signed-URL expiry that is not a positive integer', async () => {
    const response = await storage('object/sign/docs/a/hello.txt', {
      method: 'POST',
      headers: { ...service, 'Content-Type': 'application/json' },
      body: JSON.stringify({ expiresIn: 0 }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ statusCode: '400', code: 'InvalidRequest' })
  })

  it('refuses the Storage routes it does not serve instead of answering differently', async () => {
    const response = await storage('object/move', {
      method: 'POST',
      headers: { ...service, 'Content-Type': 'application/json' },
      body: JSON.stringify({ bucketId: 'docs', sourceKey: 'a/hello.txt', destinationKey: 'b.txt' }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ statusCode: '400', code: 'NotSupported' })
  })
})

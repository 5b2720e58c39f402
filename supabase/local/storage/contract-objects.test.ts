import { createHash, randomUUID } from 'node:crypto'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'
import { clientAs, expectStorageError, storedFiles } from './test-support.ts'

/**
 * /storage/v1 through unmodified supabase-js, on a small schema of its own: a private bucket
 * `files` (1 MiB, images, PDF and plain text) where each user owns the folder named by their id.
 */
const SETUP = `
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('files', 'files', false, 1048576, array['image/*', 'application/pdf', 'text/plain']);
create policy own_read on storage.objects for select to authenticated
  using (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy own_insert on storage.objects for insert to authenticated
  with check (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy own_update on storage.objects for update to authenticated
  using (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy own_delete on storage.objects for delete to authenticated
  using (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid()::text));
`

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe.each(backends)('storage objects through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  let service: SupabaseClient
  let alice: SupabaseClient
  let bob: SupabaseClient
  const aliceId = randomUUID()
  const bobId = randomUUID()
  const objectCount = async () =>
    Number((await env.db.query<{ n: string }>('select count(*) as n from storage.objects')).rows[0]?.n)

  beforeAll(async () => {
    env = await startTestStandIn(backend, SETUP)
    service = env.client(env.standIn.keys.serviceRoleKey)
    alice = await clientAs(env, aliceId)
    bob = await clientAs(env, bobId)
  })
  afterAll(() => env?.close())

  it('uploads a Blob (multipart) and a Buffer (raw body), and downloads the same bytes', async () => {
    const blob = await alice.storage
      .from('files')
      .upload(`${aliceId}/pixel.png`, new Blob([PNG], { type: 'image/png' }))
    expect(blob.error).toBeNull()
    expect(blob.data).toMatchObject({ path: `${aliceId}/pixel.png`, fullPath: `files/${aliceId}/pixel.png` })
    expect(blob.data?.id).toMatch(/^[0-9a-f-]{36}$/)

    const raw = await service.storage
      .from('files')
      .upload(`${aliceId}/doc one.pdf`, Buffer.from('%PDF-1.4 tiny'), { contentType: 'application/pdf' })
    expect(raw.error).toBeNull()

    const png = await alice.storage.from('files').download(`${aliceId}/pixel.png`)
    expect(png.error).toBeNull()
    expect(png.data?.type).toBe('image/png')
    expect(sha256(new Uint8Array(await (png.data as Blob).arrayBuffer()))).toBe(sha256(PNG))
    const pdf = await alice.storage.from('files').download(`${aliceId}/doc one.pdf`)
    expect(await pdf.data?.text()).toBe('%PDF-1.4 tiny')
  })

  it('refuses a second upload to the same path unless upserting, and replaces the bytes on upsert', async () => {
    const path = `${aliceId}/note.txt`
    const first = await alice.storage.from('files').upload(path, 'one', { contentType: 'text/plain' })
    expect(first.error).toBeNull()
    const again = await alice.storage.from('files').upload(path, 'two', { contentType: 'text/plain' })
    expect(again.error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    })
    const upsert = await alice.storage
      .from('files')
      .upload(path, 'three', { contentType: 'text/plain', upsert: true })
    expect(upsert.error).toBeNull()
    expect(await (await alice.storage.from('files').download(path)).data?.text()).toBe('three')
    const update = await alice.storage.from('files').update(path, 'four', { contentType: 'text/plain' })
    expect(update.error).toBeNull()
    expect(await (await alice.storage.from('files').download(path)).data?.text()).toBe('four')
    // One file per object: the replaced versions are gone from disk.
    const files = await storedFiles(env.standIn.storageDir)
    expect(files.length).toBe(await objectCount())
  })

  it("keeps users out of each other's folders (RLS on storage.objects)", async () => {
    const path = `${aliceId}/private.txt`
    await alice.storage.from('files').upload(path, 'secret', { contentType: 'text/plain' })
    const read = await bob.storage.from('files').download(path)
    expect(read.error).toMatchObject({ status: 400, statusCode: '404', message: 'Object not found' })
    const sign = await bob.storage.from('files').createSignedUrl(path, 60)
    expect(sign.error).toMatchObject({ statusCode: '404' })
    const write = await bob.storage
      .from('files')
      .upload(`${aliceId}/planted.txt`, 'x', { contentType: 'text/plain' })
    expect(write.error).toMatchObject({
      status: 400,
      statusCode: '403',
      message: 'new row violates row-level security policy',
    })
    const removed = await bob.storage.from('files').remove([path])
    expect(removed).toMatchObject({ data: [], error: null })
    expect(await (await alice.storage.from('files').download(path)).data?.text()).toBe('secret')
  })

  it('signs URLs that serve the file until they expire, and refuses tampered ones', async () => {
    const path = `${aliceId}/signed.png`
    await alice.storage.from('files').upload(path, new Blob([PNG], { type: 'image/png' }))
    const { data, error } = await alice.storage.from('files').createSignedUrl(path, 60)
    expect(error).toBeNull()
    const signedUrl = data?.signedUrl ?? ''
    expect(signedUrl).toContain(`/storage/v1/object/sign/files/${path}?token=`)
    const served = await fetch(signedUrl)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(sha256(new Uint8Array(await served.arrayBuffer()))).toBe(sha256(PNG))

    const token = new URL(signedUrl).searchParams.get('token') ?? ''
    const [header, payload, signature] = token.split('.')
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        url: `files/${bobId}/x`,
      }),
    ).toString('base64url')
    const tampered = await fetch(signedUrl.replace(token, `${header}.${forged}.${signature}`))
    await expectStorageError(tampered, {
      statusCode: '400',
      code: 'InvalidJWT',
      error: 'InvalidJWT',
      message: 'signature verification failed',
    })

    const other = await alice.storage
      .from('files')
      .upload(`${aliceId}/other.txt`, 'o', { contentType: 'text/plain' })
    expect(other.error).toBeNull()
    const wrongObject = await fetch(signedUrl.replace('signed.png', 'other.txt'))
    expect(await wrongObject.json()).toEqual({
      statusCode: '400',
      code: 'InvalidSignature',
      error: 'InvalidSignature',
      message: 'Invalid signature',
    })

    const many = await alice.storage.from('files').createSignedUrls([path, `${bobId}/nothing.png`], 60)
    expect(many.error).toBeNull()
    expect(many.data?.[0]?.signedUrl).toContain('token=')
    expect(many.data?.[1]).toMatchObject({ signedUrl: null, error: expect.any(String) })

    const download = await alice.storage.from('files').createSignedUrl(path, 60, { download: 'pic.png' })
    const attachment = await fetch(download.data?.signedUrl ?? '')
    expect(attachment.headers.get('content-disposition')).toBe('attachment; filename=pic.png')
  })

  it('refuses an expired signed URL', async () => {
    const path = `${aliceId}/short.txt`
    await alice.storage.from('files').upload(path, 'short', { contentType: 'text/plain' })
    const { data } = await alice.storage.from('files').createSignedUrl(path, 1)
    const deadline = Date.now() + 10_000
    let body: unknown
    while (Date.now() < deadline) {
      const response = await fetch(data?.signedUrl ?? '')
      if (response.status !== 200) {
        body = await response.json()
        break
      }
      await response.arrayBuffer()
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    // Storage 1.70 lets jose check `exp`, so an expired token is InvalidJWT with jose's message.
    expect(body).toEqual({
      statusCode: '400',
      code: 'InvalidJWT',
      error: 'InvalidJWT',
      message: '"exp" claim timestamp check failed',
    })
  })

  it('refuses a too-large file and a forbidden type, storing nothing', async () => {
    const before = { rows: await objectCount(), files: (await storedFiles(env.standIn.storageDir)).length }
    const big = Buffer.alloc(1024 * 1024 + 1, 1)
    const raw = await alice.storage
      .from('files')
      .upload(`${aliceId}/big.png`, big, { contentType: 'image/png' })
    expect(raw.error).toMatchObject({
      status: 400,
      statusCode: '413',
      message: 'The object exceeded the maximum allowed size',
    })
    const multipart = await alice.storage
      .from('files')
      .upload(`${aliceId}/big2.png`, new Blob([big], { type: 'image/png' }))
    expect(multipart.error).toMatchObject({ statusCode: '413' })
    const html = await alice.storage
      .from('files')
      .upload(`${aliceId}/page.html`, '<b>x</b>', { contentType: 'text/html' })
    expect(html.error).toMatchObject({
      status: 400,
      statusCode: '415',
      message: 'mime type text/html is not supported',
    })
    expect({ rows: await objectCount(), files: (await storedFiles(env.standIn.storageDir)).length }).toEqual(
      before,
    )
  })

  it('lists one folder level, folders first, and removes by path', async () => {
    const folder = `${bobId}`
    for (const name of ['b.txt', 'a.txt', 'sub/c.txt']) {
      const { error } = await bob.storage
        .from('files')
        .upload(`${folder}/${name}`, name, { contentType: 'text/plain' })
      expect(error).toBeNull()
    }
    const listed = await bob.storage.from('files').list(folder)
    expect(listed.error).toBeNull()
    expect(listed.data?.map((entry) => [entry.name, entry.id === null])).toEqual([
      ['sub', true],
      ['a.txt', false],
      ['b.txt', false],
    ])
    expect(listed.data?.[1]?.metadata).toMatchObject({ size: 5, mimetype: 'text/plain' })
    const top = await bob.storage.from('files').list()
    expect(top.data?.map((entry) => entry.name)).toEqual([bobId])

    const removed = await bob.storage.from('files').remove([`${folder}/a.txt`, `${folder}/sub/c.txt`])
    expect(removed.error).toBeNull()
    expect(removed.data?.map((entry) => entry.name).sort()).toEqual([
      `${folder}/a.txt`,
      `${folder}/sub/c.txt`,
    ])
    expect((await bob.storage.from('files').download(`${folder}/a.txt`)).error).toMatchObject({
      statusCode: '404',
    })
    expect((await storedFiles(env.standIn.storageDir)).length).toBe(await objectCount())
  })

  it('reads and creates buckets with the service role only', async () => {
    const bucket = await service.storage.getBucket('files')
    expect(bucket.data).toMatchObject({
      id: 'files',
      name: 'files',
      public: false,
      file_size_limit: 1048576,
      allowed_mime_types: ['image/*', 'application/pdf', 'text/plain'],
    })
    expect((await alice.storage.getBucket('files')).error).toMatchObject({ statusCode: '404' })
    expect((await alice.storage.listBuckets()).data).toEqual([])
    const created = await service.storage.createBucket('extra', { public: false, fileSizeLimit: '2MB' })
    expect(created).toMatchObject({ data: { name: 'extra' }, error: null })
    expect((await service.storage.getBucket('extra')).data?.file_size_limit).toBe(2 * 1024 * 1024)
    expect((await service.storage.createBucket('extra')).error).toMatchObject({ statusCode: '409' })
    expect((await alice.storage.createBucket('mine')).error).toMatchObject({ statusCode: '403' })
    expect((await service.storage.listBuckets()).data?.map((b) => b.id)).toEqual(['extra', 'files'])
  })

  it('answers exists() and info() from the object row', async () => {
    const path = `${aliceId}/info.txt`
    await alice.storage.from('files').upload(path, 'info', { contentType: 'text/plain' })
    expect((await alice.storage.from('files').exists(path)).data).toBe(true)
    expect((await alice.storage.from('files').exists(`${aliceId}/none.txt`)).data).toBe(false)
    const info = await alice.storage.from('files').info(path)
    expect(info.data).toMatchObject({ name: path, size: 4, contentType: 'text/plain' })
  })
})

import { createHash } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiKeys, createApiKeys, type StandIn, startStandIn } from '../local/index.ts'
import { signAccessToken } from '../local/keys.ts'
import { storedFiles } from '../local/storage/test-support.ts'
import { createTenant, type TenantFixture } from './support/fixtures.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// The `media` bucket of migration 20261203010000 through the stand-in's Storage API and
// unmodified supabase-js: RLS on storage.objects keeps each tenant's files to its agents, agents
// write only into outgoing/, and the connector's and functions' service role does the rest.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe.each(backends)('media bucket and its policies ($kind)', (backend) => {
  const db = suiteDatabase(backend)
  let standIn: StandIn
  let keys: ApiKeys
  let tenantA: TenantFixture
  let tenantB: TenantFixture
  let service: SupabaseClient
  const client = (token: string) =>
    createClient(standIn.url, keys.anonKey, {
      accessToken: async () => token,
      auth: { persistSession: false, autoRefreshToken: false },
    })
  const agent = async (userId: string) =>
    client(
      await signAccessToken(
        {
          role: 'authenticated',
          sub: userId,
          aud: 'authenticated',
          exp: Math.floor(Date.now() / 1000) + 3600,
        },
        keys,
      ),
    )
  const incoming = (tenant: TenantFixture) =>
    `${tenant.tenantId}/${crypto.randomUUID()}/${crypto.randomUUID()}.png`
  const stored = async () => ({
    rows: Number((await db.query<{ n: string }>('select count(*) as n from storage.objects')).rows[0]?.n),
    files: (await storedFiles(standIn.storageDir)).length,
  })

  beforeAll(async () => {
    keys = await createApiKeys()
    standIn = await startStandIn({ db, keys, logger: pino({ level: 'silent' }), port: 0, webhooks: false })
    tenantA = await createTenant(db, 'Store A')
    tenantB = await createTenant(db, 'Store B')
    service = client(keys.serviceRoleKey)
  })
  afterAll(async () => {
    await standIn?.close()
  })

  it('is a private bucket with WhatsApp-sized limits and media types', async () => {
    const { data, error } = await service.storage.getBucket('media')
    expect(error).toBeNull()
    expect(data).toMatchObject({ public: false, file_size_limit: 104857600 })
    expect(data?.allowed_mime_types).toEqual(
      expect.arrayContaining(['image/jpeg', 'audio/*', 'application/pdf']),
    )
    const limits = await (await agent(tenantA.agentId))
      .from('media_limits')
      .select('kind, max_bytes')
      .order('kind')
    expect(limits.data).toEqual([
      { kind: 'audio', max_bytes: 16777216 },
      { kind: 'document', max_bytes: 104857600 },
      { kind: 'image', max_bytes: 16777216 },
      { kind: 'video', max_bytes: 16777216 },
    ])
  })

  it('lets agents read the media bucket (types and cap, for checks before uploading) but no other bucket', async () => {
    await db.query(`insert into storage.buckets (id, name, public) values ('internal', 'internal', false)
      on conflict (id) do nothing`)
    const ana = await agent(tenantA.agentId)
    const media = await ana.storage.getBucket('media')
    expect(media.error).toBeNull()
    expect(media.data).toMatchObject({ id: 'media', file_size_limit: 104857600 })
    expect(media.data?.allowed_mime_types).toEqual(expect.arrayContaining(['image/png', 'application/pdf']))
    expect((await ana.storage.listBuckets()).data?.map((b) => b.id)).toEqual(['media'])
    expect((await ana.storage.getBucket('internal')).error).toMatchObject({ statusCode: '404' })
    const anon = await client(keys.anonKey).storage.listBuckets()
    expect(anon.data).toEqual([])
  })

  it("lets the service role store a tenant's file and that tenant's agents read and sign it", async () => {
    const path = incoming(tenantA)
    const upload = await service.storage.from('media').upload(path, PNG, { contentType: 'image/png' })
    expect(upload.error).toBeNull()
    for (const userId of [tenantA.agentId, tenantA.adminId]) {
      const storage = (await agent(userId)).storage.from('media')
      const download = await storage.download(path)
      expect(sha256(new Uint8Array(await (download.data as Blob).arrayBuffer()))).toBe(sha256(PNG))
      const signed = await storage.createSignedUrl(path, 60)
      expect((await fetch(signed.data?.signedUrl ?? '')).status).toBe(200)
    }
  })

  it("keeps tenant B's agents from downloading, signing, listing or removing tenant A's file", async () => {
    const path = incoming(tenantA)
    await service.storage.from('media').upload(path, PNG, { contentType: 'image/png' })
    const storage = (await agent(tenantB.agentId)).storage.from('media')
    expect((await storage.download(path)).error).toMatchObject({
      statusCode: '404',
      message: 'Object not found',
    })
    expect((await storage.createSignedUrl(path, 60)).error).toMatchObject({ statusCode: '404' })
    const many = await storage.createSignedUrls([path], 60)
    expect(many.data?.[0]).toMatchObject({ signedUrl: null })
    expect((await storage.list(tenantA.tenantId)).data).toEqual([])
    expect((await storage.remove([path])).data).toEqual([])
    // Not even tenant A's own agents may remove it: deletion is the service role's.
    expect((await (await agent(tenantA.agentId)).storage.from('media').remove([path])).data).toEqual([])
    expect((await service.storage.from('media').download(path)).error).toBeNull()
  })

  it("lets agents upload only into their own tenant's outgoing/ folder", async () => {
    const storage = (await agent(tenantA.agentId)).storage.from('media')
    const own = await storage.upload(
      `${tenantA.tenantId}/outgoing/photo.png`,
      new Blob([PNG], { type: 'image/png' }),
    )
    expect(own.error).toBeNull()
    expect((await storage.download(`${tenantA.tenantId}/outgoing/photo.png`)).error).toBeNull()

    const before = await stored()
    const refused = [
      `${tenantA.tenantId}/${crypto.randomUUID()}/m.png`, // a conversation folder: the connector's
      `${tenantA.tenantId}/photo.png`, // the tenant's root
      `${tenantB.tenantId}/outgoing/photo.png`, // another tenant's outgoing/
      `outgoing/${tenantA.tenantId}/photo.png`,
    ]
    for (const path of refused) {
      const { error } = await storage.upload(path, PNG, { contentType: 'image/png' })
      expect(error, path).toMatchObject({ status: 400, statusCode: '403' })
    }
    // Replacing a file needs UPDATE, which agents do not have.
    const upsert = await storage.upload(`${tenantA.tenantId}/outgoing/photo.png`, PNG, {
      contentType: 'image/png',
      upsert: true,
    })
    expect(upsert.error).toMatchObject({ statusCode: '403' })
    expect(await stored()).toEqual(before)
  })

  it('refuses a too-large file and a forbidden type, storing nothing', async () => {
    const before = await stored()
    const storage = (await agent(tenantA.agentId)).storage.from('media')
    const svg = await storage.upload(`${tenantA.tenantId}/outgoing/x.svg`, '<svg/>', {
      contentType: 'image/svg+xml',
    })
    expect(svg.error).toMatchObject({
      statusCode: '415',
      message: 'mime type image/svg+xml is not supported',
    })
    await db.query("update storage.buckets set file_size_limit = 1024 where id = 'media'")
    try {
      const big = await storage.upload(`${tenantA.tenantId}/outgoing/big.pdf`, Buffer.alloc(1025), {
        contentType: 'application/pdf',
      })
      expect(big.error).toMatchObject({ statusCode: '413' })
    } finally {
      await db.query("update storage.buckets set file_size_limit = 104857600 where id = 'media'")
    }
    expect(await stored()).toEqual(before)
  })

  it('keeps anonymous callers out entirely', async () => {
    const path = incoming(tenantA)
    await service.storage.from('media').upload(path, PNG, { contentType: 'image/png' })
    const anon = client(keys.anonKey).storage.from('media')
    expect((await anon.download(path)).error).toMatchObject({ statusCode: '404' })
    expect(
      (await anon.upload(`${tenantA.tenantId}/outgoing/a.png`, PNG, { contentType: 'image/png' })).error,
    ).toMatchObject({ statusCode: '403' })
  })
})

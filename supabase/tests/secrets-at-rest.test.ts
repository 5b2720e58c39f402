import { readdir, readFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Database, openThrowawayDatabase } from '../src/db/index.ts'
import { applyMigrations } from '../src/db/migrate.ts'
import { expectDenied } from './support/errors.ts'
import { createTenant, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Secrets at rest (ADR 075): tenant secrets, Cloud API numbers' secrets and event endpoints'
// signing secrets live encrypted in Vault (Supabase Vault, or the bootstrap's compatible vault
// schema), admins can only write them, and the service role reads them decrypted through
// get_tenant_secrets, cloud_api_channel and webhook_endpoint_target alone.

const VAULT_MIGRATION = '20261204090100'
const migrationsDir = new URL('../migrations/', import.meta.url)

/** Tables (not views) of every schema that holds a row containing `text` anywhere. */
async function tablesContaining(db: Database, text: string): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
  )
  const found: string[] = []
  for (const { name } of tables) {
    const { rows } = await db.query(`select 1 from ${name} t where strpos(t::text, $1) > 0 limit 1`, [text])
    if (rows.length > 0) found.push(name)
  }
  return found
}

describe.each(backends)('secrets at rest on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let a: TenantFixture
  const openaiKey = `sk-live-${Math.random().toString(36).slice(2)}`
  const shopifyToken = `shpat_${Math.random().toString(36).slice(2)}`
  const cloudToken = `EAAG${Math.random().toString(36).slice(2)}`
  let cloudChannelId = ''
  let endpoint: { id: string; secret: string }

  beforeAll(async () => {
    a = await createTenant(db, 'Store A')
    await asUser(db, a.adminId, async (tx) => {
      await tx.query(
        'select public.set_tenant_secrets(p_openai_api_key => $1, p_shopify_access_token => $2)',
        [openaiKey, shopifyToken],
      )
      cloudChannelId = (
        await row<{ id: string }>(
          tx,
          `select (public.save_cloud_api_channel(null, 'Cloud', $1, '20000000001', $2, 'app-secret-a', 'verify-a')).id::text as id`,
          [String(Date.now()).padStart(15, '1'), cloudToken],
        )
      ).id
      const created = await row<{ r: { endpoint: { id: string }; secret: string } }>(
        tx,
        `select public.create_webhook_endpoint('https://hooks.example.com/a', array['message_received']) as r`,
      )
      endpoint = { id: created.r.endpoint.id, secret: created.r.secret }
    })
  })

  it('no table of any schema holds a secret in plaintext (Vault holds ciphertext)', async () => {
    expect(await tablesContaining(db, openaiKey)).toEqual([])
    expect(await tablesContaining(db, shopifyToken)).toEqual([])
    expect(await tablesContaining(db, 'local-webhook-secret')).toEqual([])
    for (const secret of [cloudToken, 'app-secret-a', 'verify-a', endpoint.secret]) {
      expect(await tablesContaining(db, secret)).toEqual([])
    }
    const stored = await db.query<{ n: number }>(
      `select count(*)::int as n from vault.secrets where name like 'tenant:' || $1 || ':%'`,
      [a.tenantId],
    )
    expect(stored.rows[0]?.n).toBe(2)
  })

  it('admins write secrets but can never read them back; agents cannot write them', async () => {
    for (const sql of [
      'select * from vault.secrets',
      'select * from vault.decrypted_secrets',
      `select public.get_tenant_secrets('${a.tenantId}')`,
    ]) {
      await expectDenied(asUser(db, a.adminId, (tx) => tx.query(sql)))
    }
    const status = await asUser(db, a.adminId, (tx) =>
      row<{ s: Record<string, unknown> }>(tx, 'select public.tenant_secrets_status() as s'),
    )
    expect(status.s).toEqual({
      openai_api_key: true,
      shopify_access_token: true,
      ai_http_secret: false,
      ai_http_header_secret: false,
    })
    expect(JSON.stringify(status.s)).not.toContain(openaiKey)
    const agentWrite = asUser(db, a.agentId, (tx) =>
      tx.query(`select public.set_tenant_secrets(p_openai_api_key => 'sk-agent')`),
    )
    await expect(agentWrite).rejects.toMatchObject({ code: 'PT403' })
  })

  it('the service role reads them decrypted through get_tenant_secrets; a rotation replaces the value', async () => {
    const read = () =>
      asService(db, (tx) =>
        row<{ s: Record<string, string> }>(tx, 'select public.get_tenant_secrets($1) as s', [a.tenantId]),
      )
    expect((await read()).s).toEqual({ openai_api_key: openaiKey, shopify_access_token: shopifyToken })
    await asUser(db, a.adminId, (tx) =>
      tx.query(`select public.set_tenant_secrets(p_openai_api_key => 'sk-rotated')`),
    )
    expect((await read()).s).toEqual({ openai_api_key: 'sk-rotated', shopify_access_token: shopifyToken })
  })

  it('the service role reads Cloud API and endpoint secrets decrypted; verify tokens are recognised', async () => {
    const read = await asService(db, (tx) =>
      row<{ c: Record<string, unknown>; e: Record<string, unknown>; known: boolean; unknown: boolean }>(
        tx,
        `select public.cloud_api_channel($1) as c, public.webhook_endpoint_target($2) as e,
           public.cloud_api_verify_token_known('verify-a') as known, public.cloud_api_verify_token_known('nope') as unknown`,
        [cloudChannelId, endpoint.id],
      ),
    )
    expect(read.c).toMatchObject({ access_token: cloudToken, app_secret: 'app-secret-a' })
    expect(read.e).toMatchObject({ secret: endpoint.secret })
    expect([read.known, read.unknown]).toEqual([true, false])
    const status = await asUser(db, a.adminId, (tx) =>
      row<{ s: unknown }>(tx, 'select public.cloud_api_secrets_status($1) as s', [cloudChannelId]),
    )
    expect(status.s).toEqual({ access_token: true, app_secret: true, verify_token: true })
  })

  it("a deleted channel's and endpoint's secrets leave Vault with them", async () => {
    const names = () =>
      db
        .query<{ name: string }>(`select name from vault.secrets where name like any($1)`, [
          [`cloud_api:${cloudChannelId}:%`, `webhook_endpoint:${endpoint.id}`],
        ])
        .then((r) => r.rows.length)
    expect(await names()).toBe(4)
    await db.query('delete from public.channels where id = $1', [cloudChannelId])
    await db.query('delete from public.webhook_endpoints where id = $1', [endpoint.id])
    expect(await names()).toBe(0)
  })

  it("a deleted tenant's secrets leave Vault with it", async () => {
    const gone = await createTenant(db, 'Leaving')
    await asUser(db, gone.adminId, (tx) =>
      tx.query(`select public.set_tenant_secrets(p_ai_http_secret => 'bye')`),
    )
    await db.query('delete from public.tenants where id = $1', [gone.tenantId])
    const left = await db.query(`select 1 from vault.secrets where name like 'tenant:' || $1 || ':%'`, [
      gone.tenantId,
    ])
    expect(left.rows).toHaveLength(0)
  })
})

describe.each(backends)('the move into Vault on $kind', (backend) => {
  it('moves plaintext secrets of an existing database into Vault and drops the plaintext', async () => {
    const db = await openThrowawayDatabase(backend.kind, { schema: 'bootstrap' })
    try {
      const files = (await readdir(migrationsDir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort()
      for (const file of files.filter((f) => f < VAULT_MIGRATION)) {
        await db.exec(await readFile(new URL(file, migrationsDir), 'utf8'))
        await db.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
          file.split('_')[0],
          file,
        ])
      }
      const t = await createTenant(db, 'Before Vault')
      await db.query(
        `insert into private.tenant_secrets (tenant_id, openai_api_key, ai_http_secret) values ($1, 'sk-old', 'hmac-old')`,
        [t.tenantId],
      )
      await db.query(
        `insert into private.webhook_config values ('incoming_message', 'https://fn.example/webhooks/db', 'wh-old')`,
      )
      const { id: cloudId } = await row<{ id: string }>(
        db,
        `insert into public.channels (tenant_id, kind, name) values ($1, 'cloud_api', 'Old Cloud') returning id::text`,
        [t.tenantId],
      )
      await db.query(
        `insert into public.cloud_api_channels (channel_id, tenant_id, phone_number_id, waba_id)
         values ($1, $2, '1234567', '7654321')`,
        [cloudId, t.tenantId],
      )
      await db.query(
        `insert into private.cloud_api_secrets (channel_id, tenant_id, access_token, app_secret, verify_token)
         values ($1, $2, 'tok-old', 'app-old', 'ver-old')`,
        [cloudId, t.tenantId],
      )
      const { id: endpointId } = await row<{ id: string }>(
        db,
        `insert into public.webhook_endpoints (tenant_id, url, events) values ($1, 'https://hooks.example.com/old', '{message_received}')
         returning id::text`,
        [t.tenantId],
      )
      await db.query(
        `insert into private.webhook_endpoint_secrets (endpoint_id, secret) values ($1, 'whsec_old')`,
        [endpointId],
      )
      await applyMigrations(db)
      const secrets = await asService(db, (tx) =>
        row<{ s: unknown }>(tx, 'select public.get_tenant_secrets($1) as s', [t.tenantId]),
      )
      expect(secrets.s).toEqual({ openai_api_key: 'sk-old', ai_http_secret: 'hmac-old' })
      const moved = await asService(db, (tx) =>
        row<{ c: Record<string, unknown>; e: Record<string, unknown> }>(
          tx,
          'select public.cloud_api_channel($1) as c, public.webhook_endpoint_target($2) as e',
          [cloudId, endpointId],
        ),
      )
      expect(moved.c).toMatchObject({ access_token: 'tok-old', app_secret: 'app-old' })
      expect(moved.e).toMatchObject({ secret: 'whsec_old' })
      expect(
        await db.query(`select to_regclass('private.tenant_secrets') as t`).then((r) => r.rows[0]),
      ).toEqual({ t: null })
      for (const plaintext of ['sk-old', 'hmac-old', 'wh-old', 'tok-old', 'app-old', 'ver-old', 'whsec_old'])
        expect(await tablesContaining(db, plaintext)).toEqual([])
    } finally {
      await db.close()
    }
  }, 240_000)
})

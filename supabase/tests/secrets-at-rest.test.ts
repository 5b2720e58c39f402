import { readdir, readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openThrowawayDatabase } from '../src/db/index.ts'
import { applyMigrations } from '../src/db/migrate.ts'
import { expectDenied } from './support/errors.ts'
import { asService, asUser, createTenant, row, type TenantFixture } from './support/fixtures.ts'
import { backends } from './support/test-database.ts'

// Secrets at rest (ADR 075): tenant secrets live encrypted in Vault (Supabase Vault, or the
// bootstrap's compatible vault schema), admins can only write them, and the service role reads
// them decrypted through get_tenant_secrets alone.

const VAULT_MIGRATION = '20261204010100'
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
  let db: Database
  let a: TenantFixture
  const openaiKey = `sk-live-${Math.random().toString(36).slice(2)}`
  const shopifyToken = `shpat_${Math.random().toString(36).slice(2)}`

  beforeAll(async () => {
    db = await backend.open()
    a = await createTenant(db, 'Store A')
    await asUser(db, a.adminId, (tx) =>
      tx.query('select public.set_tenant_secrets(p_openai_api_key => $1, p_shopify_access_token => $2)', [
        openaiKey,
        shopifyToken,
      ]),
    )
  })
  afterAll(async () => {
    await db?.close()
  })

  it('no table of any schema holds a secret in plaintext (Vault holds ciphertext)', async () => {
    expect(await tablesContaining(db, openaiKey)).toEqual([])
    expect(await tablesContaining(db, shopifyToken)).toEqual([])
    expect(await tablesContaining(db, 'local-webhook-secret')).toEqual([])
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
    expect(status.s).toEqual({ openai_api_key: true, shopify_access_token: true, ai_http_secret: false })
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
      await applyMigrations(db)
      const secrets = await asService(db, (tx) =>
        row<{ s: unknown }>(tx, 'select public.get_tenant_secrets($1) as s', [t.tenantId]),
      )
      expect(secrets.s).toEqual({ openai_api_key: 'sk-old', ai_http_secret: 'hmac-old' })
      expect(
        await db.query(`select to_regclass('private.tenant_secrets') as t`).then((r) => r.rows[0]),
      ).toEqual({ t: null })
      for (const plaintext of ['sk-old', 'hmac-old', 'wh-old'])
        expect(await tablesContaining(db, plaintext)).toEqual([])
    } finally {
      await db.close()
    }
  }, 240_000)
})

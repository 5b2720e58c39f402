import { beforeEach, describe, expect, it } from 'vitest'
import { expectDenied } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Item 7 of issue 15: a message deleted for everyone queues its file for removal; per-tenant
// retention expires stored files older than the tenant's days. The sweeper removes queued paths
// through Storage and confirms them.

describe.each(backends)('media deletion and retention ($kind)', (backend) => {
  const db = suiteDatabase(backend)
  let tenant: TenantFixture

  /** A customer's image whose file is stored, `ageDays` old. */
  async function storedImage(ageDays: number): Promise<{ id: string; path: string }> {
    const message = await ingest(db, tenant.channelId)
    const path = `${tenant.tenantId}/${message.conversation_id}/${message.message_id}.png`
    await db.query(
      `update public.messages set type = 'image', media = $2, media_status = 'stored',
         created_at = now() - make_interval(days => $3) where id = $1`,
      [message.message_id, { path, mimetype: 'image/png', size: 68 }, ageDays],
    )
    return { id: message.message_id, path }
  }
  const service = <T>(sql: string, params: unknown[] = []) =>
    asService(db, (tx) => row<{ r: T }>(tx, `select ${sql} as r`, params)).then((x) => x.r)
  const due = () =>
    asService(db, (tx) =>
      tx.query<{ path: string }>('select path from public.media_deletions_due(100) as path'),
    ).then((result) => result.rows.map((r) => r.path).sort())
  const statusOf = (id: string) =>
    row<{ media_status: string; path: string | null }>(
      db,
      `select media_status, media ->> 'path' as path from public.messages where id = $1`,
      [id],
    )

  beforeEach(async () => {
    tenant = await createTenant(db)
    await db.query('delete from private.media_deletions')
  })

  it('queues the file of a message deleted for everyone, once', async () => {
    const image = await storedImage(0)
    const { wa_message_id } = await row<{ wa_message_id: string }>(
      db,
      'select wa_message_id from public.messages where id = $1',
      [image.id],
    )
    expect(await service('public.record_revoke($1, $2)', [tenant.channelId, wa_message_id])).toMatchObject({
      found: true,
    })
    expect(await service('public.record_revoke($1, $2)', [tenant.channelId, wa_message_id])).toMatchObject({
      duplicate: true,
    })
    expect(await due()).toEqual([image.path])
    // Leased: a second tick in the next five minutes does not take it again.
    expect(await due()).toEqual([])
    expect(await service('public.media_deletions_done($1)', [[image.path]])).toBe(1)
    expect(await db.query('select 1 from private.media_deletions')).toMatchObject({ rows: [] })
  })

  it('expires stored files older than the retention, and keeps everything when it is empty', async () => {
    const old = await storedImage(40)
    const recent = await storedImage(5)
    expect(await service('public.expire_media(100)')).toBe(0)
    await db.query('update public.tenants set media_retention_days = 30 where id = $1', [tenant.tenantId])
    expect(await service('public.expire_media(100)')).toBe(1)
    expect(await statusOf(old.id)).toEqual({ media_status: 'expired', path: old.path })
    expect(await statusOf(recent.id)).toEqual({ media_status: 'stored', path: recent.path })
    expect(await due()).toEqual([old.path])
    expect(await service('public.expire_media(100)')).toBe(0)
  })

  it('lets admins set the retention and keeps the sweeper functions to the service role', async () => {
    await asUser(db, tenant.adminId, (tx) =>
      tx.query('update public.tenants set media_retention_days = 90 where id = $1', [tenant.tenantId]),
    )
    expect(
      await row<{ d: number }>(db, 'select media_retention_days as d from public.tenants where id = $1', [
        tenant.tenantId,
      ]),
    ).toEqual({ d: 90 })
    await expectDenied(asUser(db, tenant.agentId, (tx) => tx.query('select public.expire_media(10)')))
    await expectDenied(asUser(db, tenant.adminId, (tx) => tx.query('select public.media_deletions_due(10)')))
    await expect(
      db.query('update public.tenants set media_retention_days = 0 where id = $1', [tenant.tenantId]),
    ).rejects.toMatchObject({ code: '23514' })
  })
})

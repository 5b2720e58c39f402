import { beforeAll, describe, expect, it } from 'vitest'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Labels (ADR 101): admins manage them, agents put them on chats of their tenant only, the AI
// sets one by name when the tenant allows it; RLS with two tenants both ways.

describe.each(backends)('labels on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let store: TenantFixture
  let other: TenantFixture
  let wholesale: string
  let otherLabel: string

  beforeAll(async () => {
    store = await createTenant(db, 'Labels store')
    other = await createTenant(db, 'Labels other')
    wholesale = await addLabel(store, 'Wholesale', '#2563eb')
    otherLabel = await addLabel(other, 'Theirs', '#dc2626')
  }, 120_000)

  async function addLabel(t: TenantFixture, name: string, color: string): Promise<string> {
    return asUser(db, t.adminId, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        'insert into public.labels (tenant_id, name, color) values ($1, $2, $3) returning id',
        [t.tenantId, name, color],
      )
      return rows[0]?.id ?? ''
    })
  }

  const labelsOf = async (conversationId: string) =>
    (
      await db.query<{ label_id: string; added_by: string | null }>(
        'select label_id, added_by from public.conversation_labels where conversation_id = $1',
        [conversationId],
      )
    ).rows

  it('admins create, rename, recolour and delete labels; agents only read them', async () => {
    const id = await addLabel(store, 'Order problem', '#f59e0b')
    await asUser(db, store.adminId, (tx) =>
      tx.query(`update public.labels set name = 'Order issue', color = '#ef4444' where id = $1`, [id]),
    )
    const agentView = await asUser(db, store.agentId, async (tx) => {
      const updated = await tx.query(`update public.labels set name = 'x' where id = $1`, [id])
      const deleted = await tx.query('delete from public.labels where id = $1', [id])
      const { rows } = await tx.query<{ name: string; color: string }>(
        'select name, color from public.labels where id = $1',
        [id],
      )
      return { updated: updated.affectedRows, deleted: deleted.affectedRows, rows }
    })
    expect(agentView).toEqual({ updated: 0, deleted: 0, rows: [{ name: 'Order issue', color: '#ef4444' }] })
    await expectDenied(
      asUser(db, store.agentId, (tx) =>
        tx.query(`insert into public.labels (tenant_id, name) values ($1, 'Mine')`, [store.tenantId]),
      ),
    )
    await expect(addLabel(store, 'order ISSUE', '#000000')).rejects.toMatchObject({ code: '23505' })
    await expect(addLabel(store, 'Bad colour', 'red')).rejects.toMatchObject({ code: '23514' })
    await asUser(db, store.adminId, (tx) => tx.query('delete from public.labels where id = $1', [id]))
    expect((await db.query('select 1 from public.labels where id = $1', [id])).rows).toEqual([])
  })

  it("admins of another tenant cannot see or touch a tenant's labels", async () => {
    const seen = await asUser(db, other.adminId, async (tx) => {
      const updated = await tx.query(`update public.labels set name = 'Hacked' where id = $1`, [wholesale])
      const { rows } = await tx.query('select id from public.labels where id = $1', [wholesale])
      return { updated: updated.affectedRows, rows }
    })
    expect(seen).toEqual({ updated: 0, rows: [] })
    await expectDenied(
      asUser(db, other.adminId, (tx) =>
        tx.query(`insert into public.labels (tenant_id, name) values ($1, 'Planted')`, [store.tenantId]),
      ),
    )
  })

  it("agents label and unlabel their tenant's chats, and see only their tenant's chat labels", async () => {
    const chat = (await ingest(db, store.channelId)).conversation_id
    const labels = await asUser(db, store.agentId, async (tx) => {
      await tx.query('select public.set_conversation_label($1, $2)', [chat, wholesale])
      // Twice is once.
      const { rows } = await tx.query<{ label_id: string }>(
        'select label_id from public.set_conversation_label($1, $2, true)',
        [chat, wholesale],
      )
      return rows
    })
    expect(labels.map((l) => l.label_id)).toEqual([wholesale])
    expect(await labelsOf(chat)).toEqual([{ label_id: wholesale, added_by: store.agentId }])
    const theirView = await asUser(db, other.agentId, (tx) =>
      tx.query('select * from public.conversation_labels where conversation_id = $1', [chat]),
    )
    expect(theirView.rows).toEqual([])
    await asUser(db, store.agentId, (tx) =>
      tx.query('select public.set_conversation_label($1, $2, false)', [chat, wholesale]),
    )
    expect(await labelsOf(chat)).toEqual([])
  })

  it("refuses another tenant's chat or label as not found, and direct writes", async () => {
    const mine = (await ingest(db, store.channelId)).conversation_id
    const theirs = (await ingest(db, other.channelId)).conversation_id
    await expectRelevoError(
      asUser(db, store.agentId, (tx) =>
        tx.query('select public.set_conversation_label($1, $2)', [mine, otherLabel]),
      ),
      404,
      'label_not_found',
    )
    await expectRelevoError(
      asUser(db, store.agentId, (tx) =>
        tx.query('select public.set_conversation_label($1, $2)', [theirs, wholesale]),
      ),
      404,
      'conversation_not_found',
    )
    await expectDenied(
      asUser(db, store.agentId, (tx) =>
        tx.query(
          'insert into public.conversation_labels (conversation_id, label_id, tenant_id) values ($1, $2, $3)',
          [mine, wholesale, store.tenantId],
        ),
      ),
    )
    await expectDenied(
      asUser(db, store.agentId, (tx) => tx.query(`select public.ai_set_label($1, 'Wholesale')`, [mine])),
    )
  })

  it('the AI sets a label by name only when the tenant allows it', async () => {
    const chat = (await ingest(db, store.channelId)).conversation_id
    const aiSets = (name: string) =>
      asService(db, async (tx) => {
        const { rows } = await tx.query<{ r: { applied: boolean; reason?: string } }>(
          'select public.ai_set_label($1, $2) as r',
          [chat, name],
        )
        return rows[0]?.r
      })
    expect(await aiSets('Wholesale')).toEqual({ applied: false, reason: 'labels_disabled' })
    await asUser(db, store.adminId, (tx) =>
      tx.query('update public.tenants set ai_may_label = true where id = $1', [store.tenantId]),
    )
    expect(await aiSets('Unknown')).toEqual({ applied: false, reason: 'label_not_found' })
    expect(await aiSets('Theirs')).toEqual({ applied: false, reason: 'label_not_found' })
    expect(await aiSets(' wholesale ')).toMatchObject({ applied: true })
    expect(await labelsOf(chat)).toEqual([{ label_id: wholesale, added_by: null }])
    const audit = await db.query<{ details: { fields: string[] } }>(
      `select details from public.audit_log where tenant_id = $1 and action = 'settings_changed'`,
      [store.tenantId],
    )
    expect(audit.rows.map((r) => r.details.fields)).toEqual([['ai_may_label']])
  })

  it('puts label changes on the tenant feed, deletes included', async () => {
    const chat = (await ingest(db, store.channelId)).conversation_id
    await asUser(db, store.agentId, async (tx) => {
      await tx.query('select public.set_conversation_label($1, $2)', [chat, wholesale])
      await tx.query('select public.set_conversation_label($1, $2, false)', [chat, wholesale])
    })
    const { rows } = await db.query<{ operation: string }>(
      `select payload->>'operation' as operation from realtime.messages
       where topic = $1 and payload->>'table' = 'conversation_labels'
         and coalesce(payload->'record'->>'conversation_id', payload->'old_record'->>'conversation_id') = $2
       order by id`,
      [`tenant:${store.tenantId}`, chat],
    )
    expect(rows.map((r) => r.operation)).toEqual(['INSERT', 'DELETE'])
  })
})

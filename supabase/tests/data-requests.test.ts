import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Data requests (ADR 112): an admin exports a date range page by page and erases one customer
// (every chat with that phone, across numbers) leaving no row of them and their files queued for
// removal; agents and other tenants can do neither.

type ExportRow = {
  message_id: string
  body: string
  customer_phone: string
  note: boolean
  media_path: string | null
}

describe.each(backends)('data requests on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let store: TenantFixture
  let other: TenantFixture

  beforeAll(async () => {
    store = await createTenant(db, 'Data store')
    other = await createTenant(db, 'Data other')
  }, 120_000)

  /** A customer message from `phone` on `channel`; a file when `file` (stored at once, as after download). */
  async function customerSays(t: TenantFixture, phone: string, body: string, file?: string) {
    return asService(db, async (tx) => {
      const { rows } = await tx.query<{ r: { message_id: string; conversation_id: string } }>(
        'select public.ingest_message($1, $2, $3, false, $4, $5, $6, $7) as r',
        [t.channelId, `wa-${randomUUID()}`, `${phone}@c.us`, body, 'Cliente', phone, file ? 'image' : 'text'],
      )
      const r = rows[0]?.r
      if (file && r) {
        await tx.query(
          `update public.messages set media = jsonb_build_object('path', $2::text, 'mimetype', 'image/png'),
             media_status = 'stored' where id = $1`,
          [r.message_id, `${t.tenantId}/${r.conversation_id}/${file}`],
        )
      }
      return { messageId: r?.message_id ?? '', conversationId: r?.conversation_id ?? '' }
    })
  }

  const exportPage = (userId: string, args: unknown[]) =>
    asUser(db, userId, async (tx) => {
      // The cursor as text: a JS Date would drop the microseconds and repeat the last row.
      const { rows } = await tx.query<ExportRow & { cursor_at: string }>(
        'select *, created_at::text as cursor_at from public.export_messages($1, $2, $3, $4, $5)',
        args,
      )
      return rows
    })

  it('exports a date range in pages with notes marked, only of the caller tenant', async () => {
    const from = new Date(Date.now() - 60_000).toISOString()
    const phone = '5215510000001'
    for (const body of ['uno', 'dos', 'tres']) await customerSays(store, phone, body)
    await customerSays(other, phone, 'ajeno')
    const to = new Date(Date.now() + 60_000).toISOString()
    const first = await exportPage(store.adminId, [from, to, null, null, 2])
    const last = first.at(-1)
    const second = await exportPage(store.adminId, [from, to, last?.cursor_at, last?.message_id, 2])
    expect([...first, ...second].map((r) => [r.body, r.customer_phone, r.note])).toEqual([
      ['uno', phone, false],
      ['dos', phone, false],
      ['tres', phone, false],
    ])
    await expectRelevoError(exportPage(store.agentId, [from, to, null, null, 10]), 403, 'admin_only')
    await expectRelevoError(exportPage(store.adminId, [to, from, null, null, 10]), 400, 'invalid_argument')
    await expectRelevoError(
      exportPage(store.adminId, [from, to, last?.cursor_at, null, 10]),
      400,
      'invalid_argument',
    )
  })

  it('erases every chat of the customer with rows, labels and runs, queues the files, keeps an audit without content', async () => {
    const phone = '5215510000002'
    const kept = await customerSays(store, '5215510000003', 'otro cliente')
    const chat = await customerSays(store, phone, 'mi dirección es Calle 5', 'a.png')
    await customerSays(store, phone, 'y mi correo es x@y.z')
    const theirs = await customerSays(other, phone, 'mismo número, otra tienda')
    await asService(db, (tx) =>
      tx.query(
        `insert into public.ai_runs (tenant_id, conversation_id, trigger_message_id, provider, outcome)
         values ($1, $2, $3, 'openai', 'replied')`,
        [store.tenantId, chat.conversationId, chat.messageId],
      ),
    )
    await expectRelevoError(
      asUser(db, store.agentId, (tx) => tx.query('select public.erase_customer($1)', [chat.conversationId])),
      403,
      'admin_only',
    )
    await expectRelevoError(
      asUser(db, other.adminId, (tx) => tx.query('select public.erase_customer($1)', [chat.conversationId])),
      404,
      'conversation_not_found',
    )
    const result = await asUser(db, store.adminId, async (tx) => {
      const { rows } = await tx.query<{ r: unknown }>('select public.erase_customer($1) as r', [
        chat.conversationId,
      ])
      return rows[0]?.r
    })
    expect(result).toEqual({ conversations: 1, messages: 2, files: 1 })
    const left = await db.query<{ n: number }>(
      `select ((select count(*) from public.conversations where customer_phone = $1 and tenant_id = $2)
            + (select count(*) from public.messages m join public.conversations c on c.id = m.conversation_id
               where c.customer_phone = $1 and c.tenant_id = $2)
            + (select count(*) from public.ai_runs where conversation_id = $3))::int as n`,
      [phone, store.tenantId, chat.conversationId],
    )
    expect(left.rows[0]?.n).toBe(0)
    const queued = await db.query<{ reason: string }>(
      'select reason from private.media_deletions where path = $1',
      [`${store.tenantId}/${chat.conversationId}/a.png`],
    )
    expect(queued.rows).toEqual([{ reason: 'erased' }])
    const audit = await db.query<{ details: Record<string, unknown> }>(
      `select details from public.audit_log where tenant_id = $1 and action = 'customer_erased'`,
      [store.tenantId],
    )
    expect(audit.rows).toEqual([{ details: { conversations: 1, messages: 2, files: 1 } }])
    expect(JSON.stringify(audit.rows)).not.toContain(phone)
    // Another customer of the store and the same phone at another store are untouched.
    for (const id of [kept.conversationId, theirs.conversationId]) {
      expect((await db.query('select 1 from public.conversations where id = $1', [id])).rows).toHaveLength(1)
    }
  })
})

import { describe, expect, it } from 'vitest'
import type { Database, Queryable } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// A message deleted for everyone or edited on WhatsApp after Relevo stored it.

interface Outcome {
  found: boolean
  message_id?: string
  duplicate?: boolean
}

const revoke = (db: Database, channelId: string, waId: string, at: string | null = null) =>
  asService(db, (tx) =>
    row<{ r: Outcome }>(tx, 'select public.record_revoke($1, $2, $3) as r', [channelId, waId, at]),
  ).then((x) => x.r)

const edit = (db: Database, channelId: string, waId: string, body: string | null, at: string | null = null) =>
  asService(db, (tx) =>
    row<{ r: Outcome }>(tx, 'select public.record_edit($1, $2, $3, $4) as r', [channelId, waId, body, at]),
  ).then((x) => x.r)

const message = (db: Queryable, id: string) =>
  row<{ body: string; media: unknown; deleted_at: string | null; edited_at: string | null }>(
    db,
    'select body, media, deleted_at, edited_at from public.messages where id = $1',
    [id],
  )

const preview = (db: Queryable, conversationId: string) =>
  row<{ p: string }>(db, 'select last_message_preview as p from public.conversations where id = $1', [
    conversationId,
  ]).then((x) => x.p)

describe.each(backends)('revokes and edits on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('a revoke clears the text, marks the message deleted once, and updates the preview of the latest', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId, { waId: 'wa-rev-1', body: 'mi tarjeta es 4111 1111' })
    const first = await revoke(db, t.channelId, 'wa-rev-1', '2026-11-25T10:00:00Z')
    const again = await revoke(db, t.channelId, 'wa-rev-1')
    expect(first).toEqual({ found: true, message_id: msg.message_id, duplicate: false })
    expect(again).toMatchObject({ found: true, duplicate: true })
    const stored = await message(db, msg.message_id)
    expect(stored.body).toBe('')
    expect(new Date(stored.deleted_at ?? '').toISOString()).toBe('2026-11-25T10:00:00.000Z')
    expect(await preview(db, msg.conversation_id)).toBe('[deleted]')
  })

  it('a revoke or edit of an older message leaves the preview of the newer one', async () => {
    const t = await createTenant(db)
    const old = await ingest(db, t.channelId, { waId: 'wa-old', chat: 'prev@c.us', body: 'primero' })
    await ingest(db, t.channelId, { waId: 'wa-new', chat: 'prev@c.us', body: 'segundo' })
    await edit(db, t.channelId, 'wa-old', 'primero (corregido)')
    await revoke(db, t.channelId, 'wa-old')
    expect(await preview(db, old.conversation_id)).toBe('segundo')
  })

  it('an unknown WhatsApp id is reported as not found, not an error', async () => {
    const t = await createTenant(db)
    expect(await revoke(db, t.channelId, 'wa-never-stored')).toEqual({ found: false })
    expect(await edit(db, t.channelId, 'wa-never-stored', 'x')).toEqual({ found: false })
  })

  it('an edit replaces the text; an older or repeated edit and an edit after a delete change nothing', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId, { waId: 'wa-ed-1', body: 'quiero 2' })
    expect(await edit(db, t.channelId, 'wa-ed-1', 'quiero 3', '2026-11-25T10:00:05Z')).toMatchObject({
      duplicate: false,
    })
    expect(await edit(db, t.channelId, 'wa-ed-1', 'quiero 1', '2026-11-25T10:00:01Z')).toMatchObject({
      duplicate: true,
    })
    expect(await edit(db, t.channelId, 'wa-ed-1', 'quiero 3', '2026-11-25T10:00:05Z')).toMatchObject({
      duplicate: true,
    })
    expect((await message(db, msg.message_id)).body).toBe('quiero 3')
    expect(await preview(db, msg.conversation_id)).toBe('quiero 3')
    await revoke(db, t.channelId, 'wa-ed-1')
    expect(await edit(db, t.channelId, 'wa-ed-1', 'quiero 4')).toMatchObject({ duplicate: true })
    expect((await message(db, msg.message_id)).body).toBe('')
  })

  it('the AI never answers a deleted message: refused at enqueue, cancelled while queued', async () => {
    const t = await createTenant(db)
    const queued = await ingest(db, t.channelId, { waId: 'wa-ai-1', chat: 'ai@c.us' })
    const reply = await asService(db, (tx) =>
      row<{ r: { enqueued: boolean; message_id: string } }>(
        tx,
        'select public.enqueue_ai_reply($1, $2) as r',
        [queued.message_id, 'Claro'],
      ),
    )
    await revoke(db, t.channelId, 'wa-ai-1')
    expect(
      await row<{ status: string }>(db, 'select status from public.messages where id = $1', [
        reply.r.message_id,
      ]),
    ).toEqual({ status: 'cancelled' })

    const composing = await ingest(db, t.channelId, { waId: 'wa-ai-2', chat: 'ai2@c.us' })
    await revoke(db, t.channelId, 'wa-ai-2')
    const refused = await asService(db, (tx) =>
      row<{ r: unknown }>(tx, 'select public.enqueue_ai_reply($1, $2) as r', [composing.message_id, 'Claro']),
    )
    expect(refused.r).toEqual({ enqueued: false, reason: 'trigger_deleted' })
  })

  it('a deleted last message of a burst leaves the one before it to answer: enqueue and sweeper', async () => {
    const t = await createTenant(db)
    const hola = await ingest(db, t.channelId, { waId: 'wa-burst-1', chat: 'burst@c.us', body: 'hola' })
    await ingest(db, t.channelId, { waId: 'wa-burst-2', chat: 'burst@c.us', body: 'chat equivocado' })
    const swept = () =>
      asService(db, (tx) =>
        tx.query<{ message_id: string }>('select message_id from public.unanswered_ai_messages(0, 500)'),
      ).then((r) => r.rows.map((x) => x.message_id))
    expect(await swept()).not.toContain(hola.message_id)
    await revoke(db, t.channelId, 'wa-burst-2')
    expect(await swept()).toContain(hola.message_id)
    const reply = await asService(db, (tx) =>
      row<{ r: { enqueued: boolean } }>(tx, 'select public.enqueue_ai_reply($1, $2) as r', [
        hola.message_id,
        '¡Hola!',
      ]),
    )
    expect(reply.r.enqueued).toBe(true)
  })

  it('rejects missing ids and oversized bodies with a clear error', async () => {
    const t = await createTenant(db)
    await expectRelevoError(revoke(db, t.channelId, ''), 400, 'invalid_argument')
    await expectRelevoError(edit(db, t.channelId, 'wa-x', null), 400, 'invalid_argument')
    await expectRelevoError(edit(db, t.channelId, 'wa-x', 'x'.repeat(65537)), 400, 'invalid_body')
  })

  it('only the connector of the channel (or the service role) may record them: an agent cannot delete or rewrite a customer message', async () => {
    const t = await createTenant(db)
    await ingest(db, t.channelId, { waId: 'wa-agent' })
    // Channel functions answer a signed-in user who is no connector with 401 (ADR 074).
    await expectRelevoError(
      asUser(db, t.agentId, (tx) => tx.query(`select public.record_revoke($1, 'wa-agent')`, [t.channelId])),
      401,
      'connector_credential_invalid',
    )
    await expectRelevoError(
      asUser(db, t.agentId, (tx) =>
        tx.query(`select public.record_edit($1, 'wa-agent', 'x')`, [t.channelId]),
      ),
      401,
      'connector_credential_invalid',
    )
  })
})

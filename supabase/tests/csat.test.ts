import { beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// CSAT (issue 18, item 6; ADR 096): a person closes a chat, the customer gets the 1–5 question,
// their next message is parsed; a rating is recorded, keeps the chat closed and never wakes the AI.

const close = (db: Database, agentId: string, conversationId: string) =>
  asUser(db, agentId, (tx) =>
    tx.query(`select public.set_conversation_status($1, 'closed')`, [conversationId]),
  )

const parse = async (db: Database, body: string | null) =>
  (await row<{ score: number | null }>(db, 'select public.parse_csat($1) as score', [body])).score

const hooksFor = async (db: Database, messageId: string) =>
  (
    await row<{ n: number }>(
      db,
      `select count(*)::int as n from private.webhook_requests where body -> 'record' ->> 'id' = $1`,
      [messageId],
    )
  ).n

describe.each(backends)('CSAT on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
    await db.query(`update public.tenants set csat_enabled = true, language = 'es' where id = $1`, [
      t.tenantId,
    ])
  })

  it.each([
    ['5', 5],
    [' 4 ', 4],
    ['3/5', 3],
    ['1!', 1],
    ['cinco', 5],
    ['Cuatro.', 4],
    ['dos', 2],
    ['five', 5],
    ['One', 1],
    ['⭐⭐⭐⭐⭐', 5],
    ['⭐️⭐️⭐️', 3],
    ['★★', 2],
  ])('parse_csat(%j) = %i', async (body, score) => {
    expect(await parse(db, body)).toBe(score)
  })

  it.each([
    '0',
    '6',
    '10',
    '55',
    '⭐⭐⭐⭐⭐⭐',
    'cinco estrellas',
    'gracias',
    'seis',
    '',
    null,
    '5 pero tardaron',
  ])('parse_csat(%j) is not a rating', async (body) => {
    expect(await parse(db, body)).toBeNull()
  })

  it('closing asks the question through the outbox; "5" is recorded, the chat stays closed, no AI wake-up', async () => {
    const first = await ingest(db, t.channelId, { body: 'Hola, ¿tienen talla M?' })
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [first.conversation_id]))
    await close(db, t.agentId, first.conversation_id)

    const question = await row<{ id: string; body: string; status: string; author: string; csat: string }>(
      db,
      `select id, body, status, author, csat from public.messages
       where conversation_id = $1 and direction = 'out' and not private`,
      [first.conversation_id],
    )
    expect(question).toMatchObject({ status: 'queued', author: 'system', csat: 'question' })
    expect(question.body).toMatch(/^¿Cómo calificarías/)
    // The connector's outbox hands it over like any reply.
    const claimed = await asService(db, (tx) =>
      tx.query<{ id: string }>(`select id from public.claim_outbox($1, 'w1')`, [t.channelId]),
    )
    expect(claimed.rows.map((r) => r.id)).toContain(question.id)

    const answer = await ingest(db, t.channelId, { chat: await chatOf(db, first.conversation_id), body: '5' })
    expect(await hooksFor(db, answer.message_id)).toBe(0)
    expect(await hooksFor(db, first.message_id)).toBe(1)
    expect(
      await row(
        db,
        `select r.outcome, r.score, r.agent_id, r.answer_message_id, m.csat, c.status, c.unread_count
         from public.csat_responses r join public.messages m on m.id = r.answer_message_id
         join public.conversations c on c.id = r.conversation_id where r.conversation_id = $1`,
        [first.conversation_id],
      ),
    ).toEqual({
      outcome: 'answered',
      score: 5,
      agent_id: t.agentId,
      answer_message_id: answer.message_id,
      csat: 'answer',
      status: 'closed',
      unread_count: 1, // the first message's, never read: the rating adds none
    })
    // The next message is a normal one again: it reopens the chat and wakes the AI.
    const later = await ingest(db, t.channelId, { chat: await chatOf(db, first.conversation_id), body: '5' })
    expect(await hooksFor(db, later.message_id)).toBe(1)
    expect(
      await row(db, 'select status from public.conversations where id = $1', [first.conversation_id]),
    ).toEqual({ status: 'open' })
    // A hand-back answers the last customer message, never the rating.
    const last = await row<{ id: string }>(db, 'select (private.unanswered_customer_message($1)).id', [
      first.conversation_id,
    ])
    expect(last.id).toBe(later.message_id)
  })

  it('a message that is not a rating ends the question and is treated normally', async () => {
    const first = await ingest(db, t.channelId, { body: 'Hola' })
    await close(db, t.agentId, first.conversation_id)
    const reply = await ingest(db, t.channelId, {
      chat: await chatOf(db, first.conversation_id),
      body: 'Una pregunta más',
    })
    expect(await hooksFor(db, reply.message_id)).toBe(1)
    expect(
      await row(
        db,
        `select r.outcome, r.score, c.status, m.csat from public.csat_responses r
         join public.conversations c on c.id = r.conversation_id
         join public.messages m on m.id = $2 where r.conversation_id = $1`,
        [first.conversation_id, reply.message_id],
      ),
    ).toEqual({ outcome: 'not_answered', score: null, status: 'open', csat: null })
  })

  it('nothing is asked when the tenant has it off; the custom question is used when set', async () => {
    const other = await createTenant(db, 'No CSAT')
    const first = await ingest(db, other.channelId, { body: 'Hola' })
    await close(db, other.agentId, first.conversation_id)
    expect(
      await row(db, 'select count(*)::int as n from public.csat_responses where tenant_id = $1', [
        other.tenantId,
      ]),
    ).toEqual({ n: 0 })

    await db.query(
      `update public.tenants set csat_enabled = true, csat_question = 'Rate us 1-5' where id = $1`,
      [other.tenantId],
    )
    await asUser(db, other.agentId, (tx) =>
      tx.query(`select public.set_conversation_status($1, 'open')`, [first.conversation_id]),
    )
    await close(db, other.agentId, first.conversation_id)
    expect(
      await row(db, `select body from public.messages where conversation_id = $1 and csat = 'question'`, [
        first.conversation_id,
      ]),
    ).toEqual({ body: 'Rate us 1-5' })
  })

  it('csat_metrics: per agent and per day, for the caller tenant only', async () => {
    const m = await asUser(db, t.adminId, (tx) =>
      row<{ m: Record<string, unknown> }>(
        tx,
        `select public.csat_metrics(now() - interval '1 day', now() + interval '1 minute') as m`,
      ),
    )
    expect(m.m).toMatchObject({ asked: 2, answered: 1, average: 5, by_score: { '5': 1 } })
    expect(m.m.by_agent).toEqual([
      { agent_id: t.agentId, name: 'agent of Test Store', asked: 2, answered: 1, average: 5 },
    ])
    expect(m.m.by_day).toHaveLength(1)
    expect(m.m.by_day).toMatchObject([{ answered: 1, average: 5 }])
    await expectRelevoError(
      asUser(db, t.adminId, (tx) => tx.query(`select public.csat_metrics(now(), now() - interval '1 day')`)),
      400,
      'invalid_argument',
    )
  })

  it('agents read their own tenant ratings only, and cannot write them', async () => {
    const other = await createTenant(db, 'Other')
    const seen = await asUser(db, other.agentId, (tx) => tx.query('select id from public.csat_responses'))
    expect(seen.rows).toEqual([])
    await expect(
      asUser(db, t.agentId, (tx) => tx.query('update public.csat_responses set score = 1')),
    ).rejects.toThrow(/permission denied/)
  })
})

async function chatOf(db: Database, conversationId: string): Promise<string> {
  return (
    await row<{ wa_chat_id: string }>(db, 'select wa_chat_id from public.conversations where id = $1', [
      conversationId,
    ])
  ).wa_chat_id
}

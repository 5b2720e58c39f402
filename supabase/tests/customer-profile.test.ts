import { beforeAll, describe, expect, it } from 'vitest'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, type TenantFixture } from './support/fixtures.ts'
import { asAnon, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// customer_profile (ADR 098): the customer panel's facts, counted over the tenant's chats with
// the same phone, never over another tenant's.

interface Profile {
  customer_name: string | null
  customer_phone: string | null
  first_seen: Date
  conversations: number
  customer_messages: number
  notes: { body: string; agent_id: string; conversation_id: string }[]
}

const PHONE = '+5215512345678'

describe.each(backends)('customer_profile on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let store: TenantFixture
  let other: TenantFixture
  let chat: string
  let earlier: string
  let stranger: string

  const profile = (userId: string, conversationId: string) =>
    asUser(db, userId, async (tx) => {
      const { rows } = await tx.query<Profile>('select * from public.customer_profile($1)', [conversationId])
      return rows
    })
  const note = (userId: string, conversationId: string, body: string) =>
    asUser(db, userId, (tx) => tx.query('select public.add_note($1, $2)', [conversationId, body]))

  beforeAll(async () => {
    store = await createTenant(db, 'Profile store')
    other = await createTenant(db, 'Profile other')
    // The same person on two chats of the store (as on two of its numbers), a stranger on a third.
    earlier = (await ingest(db, store.channelId, { chat: '5215512345678@c.us', body: 'Hola' }))
      .conversation_id
    await ingest(db, store.channelId, { chat: '5215512345678@c.us', body: '¿Tienen tallas?' })
    chat = (await ingest(db, store.channelId, { chat: '5215512345678@lid', body: 'Soy yo otra vez' }))
      .conversation_id
    stranger = (await ingest(db, store.channelId, { chat: '5215599999999@c.us', body: 'Hola' }))
      .conversation_id
    const theirs = (await ingest(db, other.channelId, { chat: '5215512345678@c.us', body: 'Hola' }))
      .conversation_id
    await db.query(`update public.conversations set customer_phone = $1 where id = any ($2)`, [
      PHONE,
      [earlier, chat, theirs],
    ])
    await db.query(`update public.conversations set customer_phone = '+5215599999999' where id = $1`, [
      stranger,
    ])
    await db.query(`update public.conversations set created_at = '2026-01-15T10:00:00Z' where id = $1`, [
      earlier,
    ])
    for (let i = 1; i <= 6; i++) await note(store.agentId, i % 2 ? chat : earlier, `nota ${i}`)
    await note(store.agentId, stranger, 'nota ajena')
    await note(other.agentId, theirs, 'nota de otra tienda')
  }, 120_000)

  it("counts the customer's chats and messages and dates the first one", async () => {
    const [row] = await profile(store.agentId, chat)
    expect(row).toMatchObject({ customer_phone: PHONE, conversations: 2, customer_messages: 3 })
    expect(new Date(row?.first_seen ?? 0).toISOString()).toBe('2026-01-15T10:00:00.000Z')
  })

  it('gives the five newest notes of their chats, newest first, none of anyone else', async () => {
    const [row] = await profile(store.agentId, chat)
    expect(row?.notes.map((n) => n.body)).toEqual(['nota 6', 'nota 5', 'nota 4', 'nota 3', 'nota 2'])
    expect(row?.notes[0]).toMatchObject({ agent_id: store.agentId, conversation_id: earlier })
    const [alone] = await profile(store.agentId, stranger)
    expect(alone).toMatchObject({ conversations: 1, customer_messages: 1 })
    expect(alone?.notes.map((n) => n.body)).toEqual(['nota ajena'])
  })

  it("refuses another tenant's chat, anon and former agents", async () => {
    await expectRelevoError(profile(other.agentId, chat), 404, 'conversation_not_found')
    await expectDenied(asAnon(db, (tx) => tx.query('select * from public.customer_profile($1)', [chat])))
    await db.query('update public.agents set active = false where user_id = $1', [other.agentId])
    await expectRelevoError(profile(other.agentId, chat), 403, 'not_an_agent')
  })
})

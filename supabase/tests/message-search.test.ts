import { beforeAll, describe, expect, it } from 'vitest'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, type TenantFixture } from './support/fixtures.ts'
import { asAnon, asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// search_messages (ADR 100): Spanish and English stemming, websearch syntax, ranking, snippets,
// and RLS — an agent finds its own tenant's messages only.

interface Hit {
  conversation_id: string
  message_id: string
  author: string
  private: boolean
  customer_name: string | null
  snippet: string
  rank: number
}

const MARK_START = '\uE000'
const MARK_END = '\uE001'

describe.each(backends)('search_messages on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let store: TenantFixture
  let other: TenantFixture
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    store = await createTenant(db, 'Search store')
    other = await createTenant(db, 'Search other')
    const texts: Record<string, string> = {
      shoesEs: 'Los zapatos rojos que pedí no llegaron todavía',
      farApart: 'Zapatos: ayer pregunté por el envío y hoy sigo esperando algo rojo',
      shipped: 'My order was shipped last week but the tracking never updated',
      refund: 'I want a refund for the blue jacket',
      noise: 'Hola, buenas tardes',
    }
    for (const [key, body] of Object.entries(texts)) {
      ids[key] = (await ingest(db, store.channelId, { body })).message_id
    }
    ids.otherShoes = (await ingest(db, other.channelId, { body: 'Zapatos rojos en oferta' })).message_id
  }, 120_000)

  const search = (userId: string, query: string, limit?: number) =>
    asUser(db, userId, async (tx) => {
      const { rows } =
        limit === undefined
          ? await tx.query<Hit>('select * from public.search_messages($1)', [query])
          : await tx.query<Hit>('select * from public.search_messages($1, $2)', [query, limit])
      return rows
    })

  it('finds Spanish words by their stem and ranks the closer match first', async () => {
    const hits = await search(store.agentId, 'zapato rojo')
    expect(hits.map((h) => h.message_id)).toEqual([ids.shoesEs, ids.farApart])
    // Only the newest p_limit matches are ranked (ADR 099): with one, the newer, looser match.
    expect((await search(store.agentId, 'zapato rojo', 1)).map((h) => h.message_id)).toEqual([ids.farApart])
    expect(hits[0]?.rank).toBeGreaterThan(hits[1]?.rank ?? 0)
    expect(hits[0]?.snippet).toContain(`${MARK_START}zapatos${MARK_END}`)
    expect(hits[0]?.snippet).toContain(`${MARK_START}rojos${MARK_END}`)
    expect(hits[0]).toMatchObject({ author: 'customer', private: false, customer_name: 'Cliente' })
  })

  it('finds English words by their stem and highlights them', async () => {
    const hits = await search(store.agentId, 'shipping tracking')
    expect(hits.map((h) => h.message_id)).toEqual([ids.shipped])
    expect(hits[0]?.snippet).toContain(`${MARK_START}shipped${MARK_END}`)
  })

  it('understands websearch syntax: quoted phrases, or, and -exclusion', async () => {
    expect((await search(store.agentId, '"zapatos rojos"')).map((h) => h.message_id)).toEqual([ids.shoesEs])
    const either = await search(store.agentId, 'refund or shipped')
    expect(either.map((h) => h.message_id).sort()).toEqual([ids.refund, ids.shipped].sort())
    expect((await search(store.agentId, 'zapatos -llegaron')).map((h) => h.message_id)).toEqual([
      ids.farApart,
    ])
  })

  it('searches notes, not system events', async () => {
    const conv = (await ingest(db, store.channelId, { body: 'algo' })).conversation_id
    await asUser(db, store.agentId, async (tx) => {
      await tx.query(`select public.add_note($1, 'Cliente mayorista, ofrecer descuento')`, [conv])
      await tx.query('select public.takeover($1)', [conv])
    })
    const notes = await search(store.agentId, 'mayorista')
    expect(notes.map((h) => h.private)).toEqual([true])
    // takeover wrote an event message ("took over"); events are the desk's own words, not indexed.
    const events = await db.query<{ body: string }>(
      `select body from public.messages where conversation_id = $1 and type = 'event'`,
      [conv],
    )
    expect(events.rows.length).toBeGreaterThan(0)
    const eventWord = events.rows[0]?.body.split(/\W+/).find((w) => w.length > 3) ?? 'takeover'
    const eventHits = await search(store.agentId, eventWord)
    expect(eventHits.filter((h) => h.conversation_id === conv && !h.private)).toEqual([])
  })

  it("sees only the caller's tenant (RLS), and nothing for a stop word only query", async () => {
    const mine = await search(store.adminId, 'zapatos')
    expect(mine.map((h) => h.message_id)).not.toContain(ids.otherShoes)
    const theirs = await search(other.agentId, 'zapatos')
    expect(theirs.map((h) => h.message_id)).toEqual([ids.otherShoes])
    // "a" is a stop word in both languages, so the query has no lexeme left.
    expect(await search(store.agentId, 'a')).toEqual([])
  })

  it('respects the limit and refuses bad input, anon and former agents', async () => {
    expect(await search(store.agentId, 'zapatos', 1)).toHaveLength(1)
    await expectRelevoError(search(store.agentId, '   '), 400, 'invalid_argument')
    await expectRelevoError(search(store.agentId, 'x'.repeat(201)), 400, 'invalid_argument')
    await expectRelevoError(search(store.agentId, 'zapatos', 0), 400, 'invalid_argument')
    await expectDenied(asAnon(db, (tx) => tx.query(`select * from public.search_messages('zapatos')`)))
    const former = await createTenant(db, 'Search former')
    await db.query('update public.agents set active = false where user_id = $1', [former.agentId])
    await expectRelevoError(search(former.agentId, 'zapatos'), 403, 'not_an_agent')
  })

  it('follows edits and deletes, and has a GIN index for the search condition', async () => {
    const msg = await ingest(db, store.channelId, {
      body: 'Quiero una mochila verde',
      waId: 'wa-search-edit',
    })
    await asService(db, (tx) =>
      tx.query(`select public.record_edit($1, 'wa-search-edit', 'Quiero una bolsa verde', now())`, [
        store.channelId,
      ]),
    )
    expect(await search(store.agentId, 'mochila')).toEqual([])
    expect((await search(store.agentId, 'bolsa')).map((h) => h.message_id)).toEqual([msg.message_id])
    await asService(db, (tx) =>
      tx.query(`select public.record_revoke($1, 'wa-search-edit', now())`, [store.channelId]),
    )
    expect(await search(store.agentId, 'bolsa')).toEqual([])

    const plan = await db.transaction(async (tx) => {
      await tx.query('set local enable_seqscan = off')
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
        `explain select message_id from private.message_search
         where document @@ websearch_to_tsquery('spanish', 'zapatos')`,
      )
      return rows.map((r) => r['QUERY PLAN']).join('\n')
    })
    expect(plan).toContain('message_search_document_idx')
  })
})

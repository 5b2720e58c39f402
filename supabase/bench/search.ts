/**
 * search_messages over a large history (issue 18: 1,000,000 messages, p50 < 50 ms for a two-word
 * query, with the index). PostgreSQL only (RELEVO_TEST_PG_URL): the figure is about the real
 * engine, and loading a million rows into the in-memory PGlite measures PGlite's memory instead.
 *
 * Corpus: SEARCH_MESSAGES (default 1,000,000) customer messages of 6–14 words over 10,000 chats
 * of one tenant, plus 10% as many in a second tenant that RLS must skip. Words come from a
 * vocabulary of shop-chat words (Spanish and English) and invented product names, drawn with a
 * log-uniform (Zipf-like) rank, so common words are in many messages and rare ones in few. Each
 * query is two of the shop words, asked as an agent under RLS with the default limit (50), as the
 * desk asks; the time is the one statement's round trip (the transaction around it is PostgREST's).
 * Writes bench/results/search.json.
 */
import { openThrowawayDatabase } from '../src/db/index.ts'
import type { Database } from '../src/db/types.ts'
import { createTenant, type TenantFixture } from '../tests/support/fixtures.ts'
import { asUser } from '../tests/support/roles.ts'
import { machine, percentile, spread, writeResult } from './report.ts'

const TOTAL = Number(process.env.SEARCH_MESSAGES ?? 1_000_000)
const CHATS = 10_000
const BATCH = 50_000
const ROUNDS = 5

// Common shop-chat words first (rank 1 = most frequent), then invented names fill a long tail.
const SHOP_WORDS = `hola gracias pedido envío precio talla quiero tienen cuando llega pago tarjeta
  zapatos camisa rojo azul negro blanco grande pequeño cambio devolución dirección número seguimiento
  order shipping price size refund tracking delivery payment card shoes shirt red blue black white
  cancel address store discount coupon stock available tomorrow today week factura transferencia
  efectivo sucursal horario abierto cerrado garantía reembolso descuento oferta promoción chamarra
  jacket pantalón vestido bolsa mochila reloj lentes gorra calcetines sudadera playera tenis botas`
  .split(/\s+/)
  .filter(Boolean)
const TAIL = 5_000

const QUERIES = [
  'pedido envío',
  'zapatos rojos',
  'refund order',
  'talla grande',
  'tracking number',
  'devolución tarjeta',
  'black jacket',
  'descuento sucursal',
  'mochila azul',
  'garantía reloj',
]

/** Loads the corpus through the search trigger; the GIN index is built after the load, as for a backfill. */
async function loadCorpus(db: Database, tenant: TenantFixture, messages: number, tag: string): Promise<void> {
  await db.query(
    `insert into public.conversations (tenant_id, channel_id, wa_chat_id, customer_name, last_message_at)
     select $1, $2, $3 || '-' || i, 'Cliente ' || i, now() from generate_series(1, $4) i`,
    [tenant.tenantId, tenant.channelId, tag, CHATS],
  )
  const vocabulary = [...SHOP_WORDS, ...Array.from({ length: TAIL }, (_, i) => `prod${i.toString(36)}`)]
  for (let done = 0; done < messages; done += BATCH) {
    const count = Math.min(BATCH, messages - done)
    // The word subquery refers to g, so it runs once per message, not once per statement.
    await db.query(
      `with chats as (select array_agg(id) as ids from public.conversations where tenant_id = $1)
       insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, status, body, created_at)
       select $1, $2, chats.ids[1 + (g % $5)], 'in', 'customer', 'received',
         (select string_agg(($3::text[])[floor(exp(random() * ln(cardinality($3::text[]))))::int], ' ')
            from generate_series(1, 6 + (g % 9))),
         now() - g * interval '1 second'
       from chats, generate_series($4::int, $4::int + $6::int - 1) g`,
      [tenant.tenantId, tenant.channelId, vocabulary, done, CHATS, count],
    )
  }
}

async function prepare(db: Database): Promise<TenantFixture> {
  const mine = await createTenant(db, 'Search bench')
  const other = await createTenant(db, 'Search bench other')
  const { rows } = await db.query<{ indexdef: string }>(
    `select indexdef from pg_indexes where indexname = 'message_search_document_idx'`,
  )
  const indexdef = rows[0]?.indexdef
  if (!indexdef) throw new Error('message_search_document_idx is missing: apply the migrations first')
  await db.query('drop index private.message_search_document_idx')
  // A bulk load needs no feed rows, webhooks or outbox wake-ups; the search trigger stays on.
  for (const trigger of ['messages_broadcast', 'messages_incoming_webhook', 'messages_announce_outbox']) {
    await db.query(`alter table public.messages disable trigger ${trigger}`)
  }
  await loadCorpus(db, mine, TOTAL, 'mine')
  await loadCorpus(db, other, Math.round(TOTAL / 10), 'other')
  const started = performance.now()
  await db.query(indexdef)
  console.log(`search index built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  await db.query('analyze public.messages')
  await db.query('analyze private.message_search')
  await db.query('analyze public.conversations')
  return mine
}

export async function runSearchBench(): Promise<void> {
  if (!process.env.RELEVO_TEST_PG_URL) {
    console.log('search bench skipped: set RELEVO_TEST_PG_URL to a PostgreSQL superuser URL')
    return
  }
  const db = await openThrowawayDatabase('postgres', { schema: 'relevo', seed: false })
  try {
    const agent = (await prepare(db)).agentId
    const samples: number[] = []
    const perQuery: { query: string; hits: number; ms_p50: number }[] = []
    for (const query of QUERIES) {
      const times: number[] = []
      let hits = 0
      // The first round warms the cache; it is not counted.
      for (let round = 0; round <= ROUNDS; round += 1) {
        // The statement alone: BEGIN, the role and the claims are PostgREST's cost, not the search's.
        const { rows, ms } = await asUser(db, agent, async (tx) => {
          const started = performance.now()
          const result = await tx.query('select * from public.search_messages($1)', [query])
          return { rows: result.rows, ms: performance.now() - started }
        })
        if (round > 0) times.push(ms)
        hits = rows.length
      }
      times.sort((a, b) => a - b)
      samples.push(...times)
      perQuery.push({ query, hits, ms_p50: percentile(times, 0.5) })
    }
    const report = {
      generated_at: new Date().toISOString(),
      machine: await machine(db),
      messages: TOTAL,
      other_tenant_messages: Math.round(TOTAL / 10),
      chats: CHATS,
      queries: perQuery,
      ms: spread(samples),
    }
    await writeResult('search', report)
    for (const q of perQuery) console.log(`${q.query.padEnd(20)} hits=${q.hits}  p50=${q.ms_p50} ms`)
    console.log(`search_messages over ${TOTAL} messages: p50 ${report.ms.p50} ms, p95 ${report.ms.p95} ms`)
  } finally {
    await db.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runSearchBench()

import { beforeAll, describe, expect, it } from 'vitest'
import { createTenant, ingest, row } from './support/fixtures.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectSignedWebhook } from './support/webhook-signature.ts'

// On Supabase the webhook goes through pg_net. pg_net is not installed here, so a function with
// pg_net's exact signature records its calls: the Supabase branch of private.dispatch_webhook
// is exercised, and the local NOTIFY queue must stay empty.

describe.each(backends)('database webhook through pg_net on $kind', (backend) => {
  const db = suiteDatabase(backend)
  beforeAll(async () => {
    await db.exec(`
      create schema net;
      create table net.calls (url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer);
      create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}',
        headers jsonb default '{"Content-Type": "application/json"}', timeout_milliseconds integer default 5000)
      returns bigint language sql as $$
        insert into net.calls values (url, body, params, headers, timeout_milliseconds);
        select 1::bigint
      $$;`)
  })

  it('posts Supabase’s webhook body, signed, to the configured URL, and queues nothing locally', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId, { body: '¿Hay talla M?' })
    const call = await row<{
      url: string
      body: { record: { id: string } }
      headers: Record<string, string>
      text: string
      timeout_milliseconds: number
    }>(db, `select *, body::text as text from net.calls where body -> 'record' ->> 'id' = $1`, [
      msg.message_id,
    ])
    expectSignedWebhook(call.headers, call.text)
    expect(call).toMatchObject({
      url: 'http://127.0.0.1:8787/webhooks/db',
      timeout_milliseconds: 5000,
      body: {
        type: 'INSERT',
        table: 'messages',
        schema: 'public',
        old_record: null,
        record: { id: msg.message_id },
      },
    })
    const queued = await row<{ n: number }>(db, 'select count(*)::int as n from private.webhook_requests')
    expect(queued.n).toBe(0)
  })
})

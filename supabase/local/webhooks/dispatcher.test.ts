import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'
import { startWebhookDispatcher } from './dispatcher.ts'

// The queue contract of Relevo's migration, plus a table whose trigger queues a Supabase-style webhook.
const SCHEMA = `
create schema if not exists private;
create table if not exists private.webhook_requests (
  id bigserial primary key, url text not null, headers jsonb not null, body jsonb not null,
  timeout_ms int not null default 5000, created_at timestamptz not null default now());
create table if not exists private.webhook_responses (
  request_id bigint primary key, status_code int, content text, error_msg text,
  timed_out boolean not null default false, attempts int not null default 1,
  created_at timestamptz not null default now());
create table private.hook_target (url text not null, timeout_ms int not null default 5000);
create table public.events (id int primary key, kind text not null, at timestamptz not null default '2026-01-02 03:04:05.678+00');
create function private.queue_event_webhook() returns trigger language plpgsql security definer set search_path = '' as $$
declare
  request_id bigint;
begin
  insert into private.webhook_requests (url, headers, body, timeout_ms)
  select t.url, '{"Content-Type":"application/json","X-Hook-Secret":"s3cret"}',
    jsonb_build_object('type', tg_op, 'table', tg_table_name, 'schema', tg_table_schema,
      'record', case when tg_op = 'DELETE' then null else to_jsonb(new) end,
      'old_record', case when tg_op = 'INSERT' then null else to_jsonb(old) end), t.timeout_ms
  from private.hook_target t
  returning id into request_id;
  perform pg_notify('relevo_webhooks', request_id::text);
  return null;
end $$;
create trigger events_webhook after insert or update or delete on public.events
  for each row execute function private.queue_event_webhook();
`

interface Received {
  headers: IncomingHttpHeaders
  body: unknown
}

describe.each(backends)('database webhooks (%s)', (backend) => {
  let env: TestStandIn
  let receiver: Server
  let received: Received[] = []
  let respond: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok')

  const responses = async () =>
    (
      await env.db.query<{
        request_id: string
        status_code: number | null
        error_msg: string | null
        timed_out: boolean
        attempts: number
      }>(
        'select request_id::text, status_code, error_msg, timed_out, attempts from private.webhook_responses order by request_id',
      )
    ).rows
  const target = async (url: string, timeoutMs = 5000) => {
    await env.db.query('delete from private.hook_target')
    await env.db.query('insert into private.hook_target (url, timeout_ms) values ($1, $2)', [url, timeoutMs])
  }
  const settle = async () => {
    // NOTIFY arrives asynchronously after commit; then wait for the delivery itself.
    await new Promise((resolve) => setTimeout(resolve, 100))
    await env.standIn.webhooks?.idle()
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = ''
      req.on('data', (chunk) => {
        text += chunk
      })
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(text) })
        respond(res)
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    env = await startTestStandIn(backend, SCHEMA, {
      webhookRetry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 },
    })
    await target(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`)
  })
  afterAll(async () => {
    await env?.close()
    receiver.closeAllConnections()
    await new Promise((resolve) => receiver.close(resolve))
  })

  it('POSTs the Supabase payload once, after commit, with the configured headers', async () => {
    received = []
    const service = env.client(env.standIn.keys.serviceRoleKey)
    expect((await service.from('events').insert({ id: 1, kind: 'created' })).error).toBeNull()
    expect((await service.from('events').update({ kind: 'changed' }).eq('id', 1)).error).toBeNull()
    await settle()
    expect(received).toHaveLength(2)
    // Deliveries run concurrently (like pg_net's worker): they may arrive in any order.
    const byType = (type: string) => received.find((r) => (r.body as { type?: string }).type === type)
    expect(byType('INSERT')?.body).toEqual({
      type: 'INSERT',
      table: 'events',
      schema: 'public',
      record: { id: 1, kind: 'created', at: '2026-01-02T03:04:05.678+00:00' },
      old_record: null,
    })
    expect(byType('UPDATE')?.body).toMatchObject({
      type: 'UPDATE',
      record: { kind: 'changed' },
      old_record: { kind: 'created' },
    })
    expect(byType('INSERT')?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-hook-secret': 's3cret',
      'user-agent': 'pg_net/0.14.0',
    })
    expect((await responses()).map((row) => row.status_code)).toEqual([200, 200])
  })

  it('sends nothing for a rolled-back write', async () => {
    received = []
    await env.db
      .transaction(async (tx) => {
        await tx.query(`insert into public.events (id, kind) values (2, 'doomed')`)
        throw new Error('roll back')
      })
      .catch(() => {})
    await settle()
    expect(received).toEqual([])
  })

  it('retries failures and timeouts with backoff, then records the final outcome', async () => {
    received = []
    respond = (res) => {
      res.statusCode = 500
      res.end('down')
    }
    await env.db.query(`insert into public.events (id, kind) values (3, 'failing')`)
    await settle()
    expect(received).toHaveLength(3) // every attempt of the policy, then it gives up
    expect((await responses()).at(-1)).toMatchObject({ status_code: 500, timed_out: false, attempts: 3 })

    respond = () => {} // never answers
    await target(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slow`, 100)
    await env.db.query(`insert into public.events (id, kind) values (4, 'slow')`)
    await settle()
    expect((await responses()).at(-1)).toMatchObject({ status_code: null, timed_out: true, attempts: 3 })

    await target('http://127.0.0.1:1/closed')
    await env.db.query(`insert into public.events (id, kind) values (5, 'unreachable')`)
    await settle()
    const last = (await responses()).at(-1)
    expect(last?.status_code).toBeNull()
    expect(last?.error_msg).toBeTruthy()
    respond = (res) => res.end('ok')
    await target(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`)
  })

  it('delivers once the target comes back, and never again after a 2xx or a 4xx', async () => {
    received = []
    let calls = 0
    respond = (res) => {
      calls += 1
      res.statusCode = calls === 1 ? 503 : 200
      res.end()
    }
    await env.db.query(`insert into public.events (id, kind) values (6, 'flaky')`)
    await settle()
    expect(received).toHaveLength(2)
    expect((await responses()).at(-1)).toMatchObject({ status_code: 200, attempts: 2 })

    received = []
    respond = (res) => {
      res.statusCode = 401
      res.end('bad secret')
    }
    await env.db.query(`insert into public.events (id, kind) values (7, 'refused')`)
    await settle()
    expect(received).toHaveLength(1)
    expect((await responses()).at(-1)).toMatchObject({ status_code: 401, attempts: 1 })
    respond = (res) => res.end('ok')
  })

  it('on start, sends recent requests that have no response yet, and only those', async () => {
    received = []
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/replay`
    await env.db.query(
      `insert into private.webhook_requests (url, headers, body, created_at) values
         ($1, '{}', '{"n":"recent"}', now()), ($1, '{}', '{"n":"old"}', now() - interval '1 hour')`,
      [url],
    )
    const dispatcher = await startWebhookDispatcher({ db: env.db, logger: pino({ level: 'silent' }) })
    await dispatcher.idle()
    await dispatcher.close()
    expect(received.map((r) => r.body)).toEqual([{ n: 'recent' }])
    expect(received[0]?.headers['content-type']).toBe('application/json')
  })
})

import { randomUUID } from 'node:crypto'
import { beforeAll, describe, it } from 'vitest'
import type { Queryable } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, createUser, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Bad input to every function raises SQLSTATE PT<http status> with a stable DETAIL code
// (what PostgREST turns into an HTTP 4xx with `details`), and changes nothing at all.

type Caller = 'admin' | 'agent' | 'service' | 'outsider'
interface Case {
  name: string
  as: Caller
  sql: string
  params: (w: World) => unknown[]
  status: number
  detail: string
}
interface World {
  a: TenantFixture
  b: TenantFixture
  convA: string
  convB: string
  inA: string
  outA: string
  failedB: string
  outsiderId: string
}

const long = (n: number) => 'x'.repeat(n)
const unknown = randomUUID()

const cases: Case[] = [
  // Dashboard functions (agents)
  {
    name: 'takeover null id',
    as: 'agent',
    sql: 'select public.takeover($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'takeover unknown',
    as: 'agent',
    sql: 'select public.takeover($1)',
    params: () => [unknown],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'takeover other tenant',
    as: 'agent',
    sql: 'select public.takeover($1)',
    params: (w) => [w.convB],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'takeover by a non-agent',
    as: 'outsider',
    sql: 'select public.takeover($1)',
    params: (w) => [w.convA],
    status: 403,
    detail: 'not_an_agent',
  },
  {
    name: 'handback null id',
    as: 'agent',
    sql: 'select public.handback($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'handback other tenant',
    as: 'agent',
    sql: 'select public.handback($1)',
    params: (w) => [w.convB],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'send empty body',
    as: 'agent',
    sql: 'select public.send_agent_message($1, $2)',
    params: (w) => [w.convA, '   '],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'send null body',
    as: 'agent',
    sql: 'select public.send_agent_message($1, $2)',
    params: (w) => [w.convA, null],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'send overlong body',
    as: 'agent',
    sql: 'select public.send_agent_message($1, $2)',
    params: (w) => [w.convA, long(4097)],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'send null conversation',
    as: 'agent',
    sql: 'select public.send_agent_message($1, $2)',
    params: () => [null, 'hola'],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'send other tenant',
    as: 'agent',
    sql: 'select public.send_agent_message($1, $2)',
    params: (w) => [w.convB, 'hola'],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'note overlong',
    as: 'agent',
    sql: 'select public.add_note($1, $2)',
    params: (w) => [w.convA, long(4097)],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'note other tenant',
    as: 'agent',
    sql: 'select public.add_note($1, $2)',
    params: (w) => [w.convB, 'nota'],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'assign unknown agent',
    as: 'agent',
    sql: 'select public.assign_conversation($1, $2)',
    params: (w) => [w.convA, unknown],
    status: 404,
    detail: 'agent_not_found',
  },
  {
    name: 'assign agent of other tenant',
    as: 'agent',
    sql: 'select public.assign_conversation($1, $2)',
    params: (w) => [w.convA, w.b.agentId],
    status: 404,
    detail: 'agent_not_found',
  },
  {
    name: 'assign other tenant conversation',
    as: 'agent',
    sql: 'select public.assign_conversation($1, $2)',
    params: (w) => [w.convB, w.a.agentId],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'status null',
    as: 'agent',
    sql: 'select public.set_conversation_status($1, $2)',
    params: (w) => [w.convA, null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'status other tenant',
    as: 'agent',
    sql: 'select public.set_conversation_status($1, $2)',
    params: (w) => [w.convB, 'closed'],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'mark read other tenant',
    as: 'agent',
    sql: 'select public.mark_conversation_read($1)',
    params: (w) => [w.convB],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'retry null id',
    as: 'agent',
    sql: 'select public.retry_message($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'retry other tenant',
    as: 'agent',
    sql: 'select public.retry_message($1)',
    params: (w) => [w.failedB],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'relink by an agent',
    as: 'agent',
    sql: 'select public.request_relink($1)',
    params: (w) => [w.a.channelId],
    status: 403,
    detail: 'admin_only',
  },
  {
    name: 'relink null',
    as: 'admin',
    sql: 'select public.request_relink($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'relink other tenant',
    as: 'admin',
    sql: 'select public.request_relink($1)',
    params: (w) => [w.b.channelId],
    status: 404,
    detail: 'channel_not_found',
  },
  {
    name: 'secrets by an agent',
    as: 'agent',
    sql: 'select public.set_tenant_secrets($1)',
    params: () => ['sk-x'],
    status: 403,
    detail: 'admin_only',
  },
  {
    name: 'metrics without range',
    as: 'agent',
    sql: 'select public.dashboard_metrics($1, $2)',
    params: () => [null, null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'metrics reversed range',
    as: 'agent',
    sql: `select public.dashboard_metrics(now(), now() - interval '1 day')`,
    params: () => [],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'invite by an agent',
    as: 'agent',
    sql: 'select public.create_invitation($1)',
    params: () => ['x@y.test'],
    status: 403,
    detail: 'admin_only',
  },
  {
    name: 'invite bad email',
    as: 'admin',
    sql: 'select public.create_invitation($1)',
    params: () => ['not-an-email'],
    status: 400,
    detail: 'invalid_email',
  },
  {
    name: 'invite a colleague',
    as: 'admin',
    sql: 'select public.create_invitation($1)',
    params: (w) => [`agent-${w.a.agentId}@test.relevo.test`],
    status: 409,
    detail: 'already_agent',
  },
  {
    name: 'accept unknown code',
    as: 'outsider',
    sql: 'select public.accept_invitation($1, $2)',
    params: () => ['nope', 'Eva'],
    status: 404,
    detail: 'invitation_invalid',
  },
  {
    name: 'accept without name',
    as: 'outsider',
    sql: 'select public.accept_invitation($1, $2)',
    params: () => ['nope', ' '],
    status: 400,
    detail: 'invalid_name',
  },
  {
    name: 'revoke null',
    as: 'admin',
    sql: 'select public.revoke_invitation($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'revoke unknown',
    as: 'admin',
    sql: 'select public.revoke_invitation($1)',
    params: () => [unknown],
    status: 404,
    detail: 'invitation_not_found',
  },
  // Delivery and AI functions (service role)
  {
    name: 'ingest null channel',
    as: 'service',
    sql: `select public.ingest_message($1, 'wa-1', 'c@c.us', false, 'hola')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'ingest null from_me',
    as: 'service',
    sql: `select public.ingest_message($1, 'wa-1', 'c@c.us', null, 'hola')`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'ingest unknown channel',
    as: 'service',
    sql: `select public.ingest_message($1, 'wa-1', 'c@c.us', false, 'hola')`,
    params: () => [unknown],
    status: 404,
    detail: 'channel_not_found',
  },
  {
    name: 'ingest overlong body',
    as: 'service',
    sql: `select public.ingest_message($1, 'wa-1', 'c@c.us', false, $2)`,
    params: (w) => [w.a.channelId, long(65537)],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'ingest unknown type',
    as: 'service',
    sql: `select public.ingest_message($1, 'wa-1', 'c@c.us', false, 'hola', p_type => 'ptt')`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'enqueue null trigger',
    as: 'service',
    sql: 'select public.enqueue_ai_reply($1, $2)',
    params: () => [null, 'hola'],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'enqueue unknown trigger',
    as: 'service',
    sql: 'select public.enqueue_ai_reply($1, $2)',
    params: () => [unknown, 'hola'],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'enqueue to an outgoing message',
    as: 'service',
    sql: 'select public.enqueue_ai_reply($1, $2)',
    params: (w) => [w.outA, 'hola'],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'enqueue empty body',
    as: 'service',
    sql: 'select public.enqueue_ai_reply($1, $2)',
    params: (w) => [w.inA, ''],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'enqueue overlong body',
    as: 'service',
    sql: 'select public.enqueue_ai_reply($1, $2)',
    params: (w) => [w.inA, long(4097)],
    status: 400,
    detail: 'invalid_body',
  },
  {
    name: 'claim null channel',
    as: 'service',
    sql: `select public.claim_outbox($1, 'w')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'claim without worker',
    as: 'service',
    sql: `select public.claim_outbox($1, '')`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'claim null limit',
    as: 'service',
    sql: `select public.claim_outbox($1, 'w', null)`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'claim null lease',
    as: 'service',
    sql: `select public.claim_outbox($1, 'w', 10, null)`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'claim too many',
    as: 'service',
    sql: `select public.claim_outbox($1, 'w', 1000)`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'mark_sent null id',
    as: 'service',
    sql: `select public.mark_sent($1, 'wa-x')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'mark_sent unknown',
    as: 'service',
    sql: `select public.mark_sent($1, 'wa-x')`,
    params: () => [unknown],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'mark_sent incoming message',
    as: 'service',
    sql: `select public.mark_sent($1, 'wa-x')`,
    params: (w) => [w.inA],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'mark_sent without WhatsApp id',
    as: 'service',
    sql: `select public.mark_sent($1, '')`,
    params: (w) => [w.outA],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'mark_sent with a taken WhatsApp id',
    as: 'service',
    sql: `select public.mark_sent($1, 'wa-in-a')`,
    params: (w) => [w.outA],
    status: 409,
    detail: 'wa_message_id_taken',
  },
  {
    name: 'mark_failed null id',
    as: 'service',
    sql: `select public.mark_failed($1, 'x')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'mark_failed unknown',
    as: 'service',
    sql: `select public.mark_failed($1, 'x')`,
    params: () => [unknown],
    status: 404,
    detail: 'message_not_found',
  },
  {
    name: 'ack null status',
    as: 'service',
    sql: `select public.record_ack($1, 'wa-x', null)`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'ack backwards status',
    as: 'service',
    sql: `select public.record_ack($1, 'wa-x', 'queued')`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'ack null channel',
    as: 'service',
    sql: `select public.record_ack($1, 'wa-x', 'read')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'handoff null conversation',
    as: 'service',
    sql: `select public.ai_handoff($1, 'x')`,
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'handoff unknown conversation',
    as: 'service',
    sql: `select public.ai_handoff($1, 'x')`,
    params: () => [unknown],
    status: 404,
    detail: 'conversation_not_found',
  },
  {
    name: 'handoff without reason',
    as: 'service',
    sql: `select public.ai_handoff($1, ' ')`,
    params: (w) => [w.convA],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'channel status null',
    as: 'service',
    sql: 'select public.set_channel_status($1, null)',
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'channel status unknown channel',
    as: 'service',
    sql: `select public.set_channel_status($1, 'ready')`,
    params: () => [unknown],
    status: 404,
    detail: 'channel_not_found',
  },
  {
    name: 'channel qr without text',
    as: 'service',
    sql: `select public.set_channel_status($1, 'qr')`,
    params: (w) => [w.a.channelId],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'heartbeat null',
    as: 'service',
    sql: 'select public.channel_heartbeat($1)',
    params: () => [null],
    status: 400,
    detail: 'invalid_argument',
  },
  {
    name: 'heartbeat unknown',
    as: 'service',
    sql: 'select public.channel_heartbeat($1)',
    params: () => [unknown],
    status: 404,
    detail: 'channel_not_found',
  },
]

describe.each(backends)('bad input on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let world: World
  beforeAll(async () => {
    const a = await createTenant(db, 'A')
    const b = await createTenant(db, 'B')
    const inA = await ingest(db, a.channelId, { waId: 'wa-in-a' })
    const inB = await ingest(db, b.channelId)
    const outA = await asUser(db, a.agentId, (tx) =>
      row<{ id: string }>(tx, `select (public.send_agent_message($1, 'hola')).id`, [inA.conversation_id]),
    )
    const outB = await asUser(db, b.agentId, (tx) =>
      row<{ id: string }>(tx, `select (public.send_agent_message($1, 'hola')).id`, [inB.conversation_id]),
    )
    await db.query(`update public.messages set status = 'failed' where id = $1`, [outB.id])
    const outsider = await createUser(db)
    world = {
      a,
      b,
      convA: inA.conversation_id,
      convB: inB.conversation_id,
      inA: inA.message_id,
      outA: outA.id,
      failedB: outB.id,
      outsiderId: outsider.id,
    }
  })

  const run = (caller: Caller, fn: (tx: Queryable) => Promise<unknown>) => {
    if (caller === 'service') return asService(db, fn)
    const id = { admin: world.a.adminId, agent: world.a.agentId, outsider: world.outsiderId }[caller]
    return asUser(db, id, fn)
  }

  it.each(cases)('$name → PT$status $detail, nothing changed', async (c) => {
    await expectUnchanged(db, async () => {
      await expectRelevoError(
        run(c.as, (tx) => tx.query(c.sql, c.params(world))),
        c.status,
        c.detail,
      )
    })
  })

  it('a deactivated agent is refused at once with not_an_agent', async () => {
    await db.query('update public.agents set active = false where user_id = $1', [world.b.agentId])
    await expectRelevoError(
      asUser(db, world.b.agentId, (tx) => tx.query('select public.takeover($1)', [world.convB])),
      403,
      'not_an_agent',
    )
  })
})

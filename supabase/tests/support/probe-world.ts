import { randomUUID } from 'node:crypto'
import type { Claims } from '../../local/keys.ts'
import type { Database } from '../../src/db/index.ts'
import { createTenant, ingest, row, type TenantFixture } from './fixtures.ts'
import { asService, asUser } from './roles.ts'

/** A tenant with at least one row in every table a tenant owns, and the ids a probe needs. */
export interface ProbeTenant extends TenantFixture {
  conversationId: string
  incomingId: string
  outboxId: string
  invitationId: string
  credentialId: string
  connectorUserId: string
  labelId: string
  endpointId: string
  deliveryId: string
  cloudChannelId: string
  /** Objects of the bucket media: an incoming file of its chat, and a file an agent uploaded to send. */
  objects: { incoming: string; outgoing: string }
  /** A string that appears only in this tenant's rows (name, message body, chat id). */
  marker: string
}

export type Identity = 'anon' | 'agent' | 'admin' | 'connector' | 'service_role'
export const IDENTITIES: Identity[] = ['anon', 'agent', 'admin', 'connector', 'service_role']

export function claimsOf(identity: Identity, t: ProbeTenant): Claims {
  if (identity === 'anon' || identity === 'service_role') return { role: identity }
  const sub = identity === 'agent' ? t.agentId : identity === 'admin' ? t.adminId : t.connectorUserId
  return { role: 'authenticated', sub }
}

/** Builds a tenant the way its people and its connector would, so every table has rows of it. */
export async function populateTenant(db: Database, name: string): Promise<ProbeTenant> {
  const marker = `probe${randomUUID().replaceAll('-', '')}`
  const t = await createTenant(db, `${name} ${marker}`)
  const asAdmin = <T>(sql: string, params: unknown[]) =>
    asUser(db, t.adminId, (tx) => row<T>(tx, sql, params))
  // An endpoint first, so the messages below write events and deliveries (ADR 090).
  const endpoint = await asAdmin<{ r: { endpoint: { id: string } } }>(
    'select public.create_webhook_endpoint($1, $2) as r',
    [`https://hooks.example.com/${marker}`, ['message_received']],
  )
  const incoming = await ingest(db, t.channelId, { chat: `${marker}@c.us`, body: `hola ${marker}` })
  const label = await asAdmin<{ id: string }>(
    'insert into public.labels (tenant_id, name) values ($1, $2) returning id::text',
    [t.tenantId, marker.slice(0, 30)],
  )
  await asAdmin('select public.set_conversation_label($1, $2) is null as ok', [
    incoming.conversation_id,
    label.id,
  ])
  const digits = () => String(Math.floor(Math.random() * 1e15)).padStart(15, '1')
  const cloud = await asAdmin<{ id: string }>(
    `select (public.save_cloud_api_channel(null, $1, $2, $3, $4, $5, $6)).id::text as id`,
    [`Cloud ${marker}`, digits(), digits(), `token-${marker}`, `app-${marker}`, `verify-${marker}`],
  )
  const sent = await asAdmin<{ m: { id: string } }>(
    `select to_jsonb(public.send_agent_message($1, $2)) as m`,
    [incoming.conversation_id, `reply ${marker}`],
  )
  const invitation = await asAdmin<{ i: { id: string } }>('select public.create_invitation($1) as i', [
    `${marker}@invited.test`,
  ])
  const credential = await asAdmin<{ c: { id: string } }>(
    'select public.issue_connector_credential($1) as c',
    [t.channelId],
  )
  await asUser(db, t.adminId, async (tx) => {
    await tx.query('select public.set_tenant_secrets(p_openai_api_key => $1)', [`sk-${marker}`])
    await tx.query(
      `insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values ($1, 1, '09:00', '17:00')`,
      [t.tenantId],
    )
    await tx.query('insert into public.business_holidays (tenant_id, day, name) values ($1, $2, $3)', [
      t.tenantId,
      '2026-12-25',
      marker.slice(0, 30),
    ])
  })
  await asService(db, async (tx) => {
    await tx.query(`select public.set_channel_status($1, 'qr', $2)`, [t.channelId, `qr-${marker}`])
    await tx.query(`select public.claim_ai_run($1, 'openai')`, [incoming.message_id])
  })
  // A CSAT question (ADR 096) on a second chat closed by the admin, and the admin's push browser (ADR 097).
  await db.query('update public.tenants set csat_enabled = true where id = $1', [t.tenantId])
  const rated = await ingest(db, t.channelId, { chat: `${marker}-csat@c.us`, body: `csat ${marker}` })
  await asAdmin(`select (public.set_conversation_status($1, 'closed')).id::text as id`, [
    rated.conversation_id,
  ])
  await asAdmin('select public.save_push_subscription($1, $2, $3) as id', [
    `https://push.example.com/${marker}`,
    `B${'A'.repeat(86)}`,
    'Q'.repeat(22),
  ])
  await db.query('insert into public.canned_replies (tenant_id, shortcut, body) values ($1, $2, $3)', [
    t.tenantId,
    'probe',
    `canned ${marker}`,
  ])
  const { user_id } = await row<{ user_id: string }>(
    db,
    'select user_id from public.connector_credentials where id = $1',
    [credential.c.id],
  )
  const objects = {
    incoming: `${t.tenantId}/${incoming.conversation_id}/${incoming.message_id}.jpg`,
    outgoing: `${t.tenantId}/outgoing/${marker}.jpg`,
  }
  await db.query(`insert into storage.objects (bucket_id, name) values ('media', $1), ('media', $2)`, [
    objects.incoming,
    objects.outgoing,
  ])
  const delivery = await row<{ id: string }>(
    db,
    'select id::text from public.webhook_deliveries where endpoint_id = $1 limit 1',
    [endpoint.r.endpoint.id],
  )
  return {
    ...t,
    conversationId: incoming.conversation_id,
    incomingId: incoming.message_id,
    outboxId: sent.m.id,
    invitationId: invitation.i.id,
    credentialId: credential.c.id,
    connectorUserId: user_id,
    labelId: label.id,
    endpointId: endpoint.r.endpoint.id,
    deliveryId: delivery.id,
    cloudChannelId: cloud.id,
    objects,
    marker,
  }
}

/** The id of `t` an argument named like this most likely wants (by its name), for generated calls. */
export function idFor(argName: string, t: ProbeTenant): string {
  const byName: Array<[RegExp, string]> = [
    [/trigger|incoming/, t.incomingId],
    [/message/, t.outboxId],
    [/conversation/, t.conversationId],
    [/channel/, t.channelId],
    [/agent|user/, t.agentId],
    [/invitation/, t.invitationId],
    [/credential/, t.credentialId],
    [/label/, t.labelId],
    [/endpoint/, t.endpointId],
    [/delivery/, t.deliveryId],
  ]
  return byName.find(([pattern]) => pattern.test(argName))?.[1] ?? t.tenantId
}

import { randomUUID } from 'node:crypto'
import type { Claims } from '../../local/keys.ts'
import type { Database } from '../../src/db/index.ts'
import { asService, asUser, createTenant, ingest, row, type TenantFixture } from './fixtures.ts'

/** A tenant with at least one row in every table a tenant owns, and the ids a probe needs. */
export interface ProbeTenant extends TenantFixture {
  conversationId: string
  incomingId: string
  outboxId: string
  invitationId: string
  credentialId: string
  connectorUserId: string
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
  const incoming = await ingest(db, t.channelId, { chat: `${marker}@c.us`, body: `hola ${marker}` })
  const asAdmin = <T>(sql: string, params: unknown[]) =>
    asUser(db, t.adminId, (tx) => row<T>(tx, sql, params))
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
  await asUser(db, t.adminId, (tx) =>
    tx.query('select public.set_tenant_secrets(p_openai_api_key => $1)', [`sk-${marker}`]),
  )
  await asService(db, async (tx) => {
    await tx.query(`select public.set_channel_status($1, 'qr', $2)`, [t.channelId, `qr-${marker}`])
    await tx.query(`select public.claim_ai_run($1, 'openai')`, [incoming.message_id])
  })
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
  return {
    ...t,
    conversationId: incoming.conversation_id,
    incomingId: incoming.message_id,
    outboxId: sent.m.id,
    invitationId: invitation.i.id,
    credentialId: credential.c.id,
    connectorUserId: user_id,
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
  ]
  return byName.find(([pattern]) => pattern.test(argName))?.[1] ?? t.tenantId
}

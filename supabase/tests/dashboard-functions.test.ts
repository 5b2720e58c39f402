import { describe, expect, it } from 'vitest'
import { asRole } from '../local/as-role.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, createUser, ingest, row } from './support/fixtures.ts'
import { asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// The dashboard's other functions, on their allowed paths: assignment, status, read marks,
// notes, invitations and metrics.

describe.each(backends)('dashboard functions on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('assigns, closes, reopens and marks read, each visible as an event', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.adminId, async (tx) => {
      await tx.query('select public.assign_conversation($1, $2)', [msg.conversation_id, t.agentId])
      await tx.query(`select public.set_conversation_status($1, 'closed')`, [msg.conversation_id])
      await tx.query(`select public.set_conversation_status($1, 'open')`, [msg.conversation_id])
      await tx.query('select public.mark_conversation_read($1)', [msg.conversation_id])
    })
    const conv = await row<{ assigned_agent_id: string; status: string; unread_count: number }>(
      db,
      'select assigned_agent_id, status, unread_count from public.conversations where id = $1',
      [msg.conversation_id],
    )
    expect(conv).toEqual({ assigned_agent_id: t.agentId, status: 'open', unread_count: 0 })
    const events = await db.query<{ action: string }>(
      'select action from public.audit_log where conversation_id = $1 order by id',
      [msg.conversation_id],
    )
    expect(events.rows.map((e) => e.action)).toEqual(['assign', 'close', 'reopen'])
  })

  it('a note is stored privately and never reaches the outbox', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    const note = await asUser(db, t.agentId, (tx) =>
      row<{ private: boolean; status: string; type: string }>(
        tx,
        `select private, status, type from public.add_note($1, 'Cliente VIP')`,
        [msg.conversation_id],
      ),
    )
    expect(note).toEqual({ private: true, status: 'received', type: 'note' })
  })

  it('an invitation is redeemed once, by the invited email only, and makes an agent', async () => {
    const t = await createTenant(db)
    const invitee = await createUser(db)
    const invitation = await asUser(db, t.adminId, (tx) =>
      row<{ r: { code: string } }>(tx, `select public.create_invitation($1) as r`, [invitee.email]),
    )
    const stored = await row<{ token_hash: string }>(
      db,
      'select token_hash from public.invitations where tenant_id = $1',
      [t.tenantId],
    )
    expect(stored.token_hash).not.toContain(invitation.r.code)
    const accept = (userId: string, email: string) =>
      asRole(db, { role: 'authenticated', sub: userId, email }, (tx) =>
        row<{ role: string; tenant_id: string }>(
          tx,
          'select role, tenant_id from public.accept_invitation($1, $2)',
          [invitation.r.code, 'Eva'],
        ),
      )
    const stranger = await createUser(db)
    await expectRelevoError(accept(stranger.id, stranger.email), 403, 'invitation_email_mismatch')
    expect(await accept(invitee.id, invitee.email)).toEqual({ role: 'agent', tenant_id: t.tenantId })
    await expectRelevoError(accept(invitee.id, invitee.email), 404, 'invitation_invalid')
  })

  it('a revoked invitation cannot be redeemed', async () => {
    const t = await createTenant(db)
    const invitee = await createUser(db)
    const invitation = await asUser(db, t.adminId, (tx) =>
      row<{ r: { id: string; code: string } }>(tx, `select public.create_invitation($1) as r`, [
        invitee.email,
      ]),
    )
    await asUser(db, t.adminId, (tx) => tx.query('select public.revoke_invitation($1)', [invitation.r.id]))
    await expectRelevoError(
      asRole(db, { role: 'authenticated', sub: invitee.id, email: invitee.email }, (tx) =>
        tx.query('select public.accept_invitation($1, $2)', [invitation.r.code, 'Eva']),
      ),
      404,
      'invitation_invalid',
    )
  })

  it('metrics count replies by author, takeovers and handoffs of the tenant', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) =>
      tx.query(`select public.send_agent_message($1, 'hola')`, [msg.conversation_id]),
    )
    const metrics = await asUser(db, t.adminId, (tx) =>
      row<{ m: Record<string, unknown> }>(
        tx,
        `select public.dashboard_metrics(now() - interval '1 hour', now() + interval '1 hour') as m`,
      ),
    )
    expect(metrics.m).toMatchObject({
      open_conversations: 1,
      takeovers: 1,
      replies_by_author: { agent: 1 },
      failed_deliveries: 0,
    })
  })
})

import { describe, expect, it } from 'vitest'
import { asRole } from '../local/as-role.ts'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, createUser, row } from './support/fixtures.ts'
import { asAnon, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Self-service tenants (ADR 110): create_tenant makes a tenant, its first channel and the caller
// its admin at once; it refuses a second tenant, bad input, a closed deployment and a fast repeater.

interface Created {
  tenant_id: string
  channel_id: string
}

describe.each(backends)('create_tenant on $kind', (backend) => {
  const db = suiteDatabase(backend)

  const create = (userId: string, ...args: (string | null)[]) =>
    asUser(db, userId, (tx) =>
      row<{ r: Created }>(
        tx,
        `select public.create_tenant(${args.map((_, i) => `$${i + 1}`).join(', ')}) as r`,
        args,
      ),
    ).then((r) => r.r)

  it('makes the tenant, its first channel and the caller its admin, and audits it', async () => {
    const user = await createUser(db)
    await db.query(`update auth.users set raw_user_meta_data = '{"display_name": "Rosa"}' where id = $1`, [
      user.id,
    ])
    const created = await create(user.id, '  Tienda Rosa ', 'en', 'Europe/Madrid')
    expect(
      await row(db, 'select name, language, timezone, fallback_text from public.tenants where id = $1', [
        created.tenant_id,
      ]),
    ).toEqual({
      name: 'Tienda Rosa',
      language: 'en',
      timezone: 'Europe/Madrid',
      fallback_text: 'Let me connect you with a person from our team. We will answer very soon.',
    })
    expect(
      await row(
        db,
        'select tenant_id, display_name, email, role, active from public.agents where user_id = $1',
        [user.id],
      ),
    ).toEqual({
      tenant_id: created.tenant_id,
      display_name: 'Rosa',
      email: user.email,
      role: 'admin',
      active: true,
    })
    expect(
      await row(db, 'select tenant_id, kind, status from public.channels where id = $1', [
        created.channel_id,
      ]),
    ).toEqual({ tenant_id: created.tenant_id, kind: 'whatsapp_web', status: 'starting' })
    expect(
      await row(db, 'select actor_id, action from public.audit_log where tenant_id = $1', [
        created.tenant_id,
      ]),
    ).toEqual({ actor_id: user.id, action: 'tenant_created' })
    // Under RLS the new admin reads exactly the new tenant and may change its settings.
    const seen = await asUser(db, user.id, async (tx) => {
      await tx.query(`update public.tenants set timezone = 'America/Bogota' where id = $1`, [
        created.tenant_id,
      ])
      return (await tx.query<{ id: string; timezone: string }>('select id, timezone from public.tenants'))
        .rows
    })
    expect(seen).toEqual([{ id: created.tenant_id, timezone: 'America/Bogota' }])
  })

  it('defaults to Spanish and Mexico City', async () => {
    const user = await createUser(db)
    const created = await create(user.id, 'Abarrotes Juan')
    expect(
      await row(db, 'select language, timezone from public.tenants where id = $1', [created.tenant_id]),
    ).toEqual({ language: 'es', timezone: 'America/Mexico_City' })
    expect(await row(db, 'select display_name from public.agents where user_id = $1', [user.id])).toEqual({
      display_name: user.email.split('@')[0],
    })
  })

  it('refuses a second tenant to its creator and to any agent of another tenant, changing nothing', async () => {
    const user = await createUser(db)
    await create(user.id, 'First Store')
    const other = await createTenant(db)
    await expectUnchanged(db, async () => {
      await expectRelevoError(create(user.id, 'Second Store'), 409, 'already_agent')
      await expectRelevoError(create(other.agentId, 'Side Business'), 409, 'already_agent')
    })
  })

  it('refuses two concurrent calls of one user beyond the first', async () => {
    const user = await createUser(db)
    const results = await Promise.allSettled([create(user.id, 'Race A'), create(user.id, 'Race B')])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(
      await row(db, 'select count(*)::int as n from public.agents where user_id = $1', [user.id]),
    ).toEqual({
      n: 1,
    })
  })

  it.each([
    [['', 'es', 'America/Mexico_City'], 'invalid_business_name'],
    [['   ', 'es', 'America/Mexico_City'], 'invalid_business_name'],
    [[null, 'es', 'America/Mexico_City'], 'invalid_business_name'],
    [['x'.repeat(201), 'es', 'America/Mexico_City'], 'invalid_business_name'],
    [['Store', 'fr', 'America/Mexico_City'], 'invalid_language'],
    [['Store', null, 'America/Mexico_City'], 'invalid_language'],
    [['Store', 'es', 'Mars/Olympus_Mons'], 'invalid_timezone'],
    [['Store', 'es', null], 'invalid_timezone'],
  ] as const)('refuses %j with 400 %s, changing nothing', async (args, code) => {
    const user = await createUser(db)
    await expectUnchanged(db, async () => {
      await expectRelevoError(create(user.id, ...args), 400, code)
    })
  })

  it('refuses an unknown time zone in settings too', async () => {
    const t = await createTenant(db)
    await expectRelevoError(
      asUser(db, t.adminId, (tx) =>
        tx.query(`update public.tenants set timezone = 'Nowhere/Else' where id = $1`, [t.tenantId]),
      ),
      400,
      'invalid_timezone',
    )
  })

  it('is not callable without a session', async () => {
    await expectDenied(asAnon(db, (tx) => tx.query(`select public.create_tenant('Anon Store')`)))
  })

  it('allows three tenants per user a day: the fourth within the day is rate limited', async () => {
    const user = await createUser(db)
    // The store is deleted after each creation (as its owner could ask the operator to), so that
    // only the limit stands in the way.
    for (let i = 1; i <= 3; i += 1) {
      const created = await create(user.id, `Store ${i}`)
      await db.query('delete from public.tenants where id = $1', [created.tenant_id])
    }
    await expectUnchanged(db, async () => {
      await expectRelevoError(create(user.id, 'Store 4'), 429, 'rate_limited')
    })
    // A day later the count has room again.
    await db.query(
      `update private.tenant_creations set created_at = created_at - interval '25 hours' where user_id = $1`,
      [user.id],
    )
    expect((await create(user.id, 'Store 4')).tenant_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('invite-only closes create_tenant (and says so to anyone), while invitations keep working', async () => {
    await db.query(`update private.deployment_settings set signup = 'invite-only'`)
    try {
      expect(await asAnon(db, (tx) => row(tx, 'select public.signup_mode() as mode'))).toEqual({
        mode: 'invite-only',
      })
      const user = await createUser(db)
      await expectUnchanged(db, async () => {
        await expectRelevoError(create(user.id, 'Closed Store'), 403, 'signup_closed')
      })
      const t = await createTenant(db)
      const invitation = await asUser(db, t.adminId, (tx) =>
        row<{ r: { code: string } }>(tx, 'select public.create_invitation($1) as r', [user.email]),
      )
      // accept_invitation compares the session's email claim, so the claim is the user's own.
      const invitee = { role: 'authenticated' as const, sub: user.id, email: user.email }
      const agent = await asRole(db, invitee, (tx) =>
        row(tx, 'select tenant_id, role from public.accept_invitation($1, $2)', [
          invitation.r.code,
          'Invitee',
        ]),
      )
      expect(agent).toEqual({ tenant_id: t.tenantId, role: 'agent' })
    } finally {
      await db.query(`update private.deployment_settings set signup = 'open'`)
    }
    expect(await asAnon(db, (tx) => row(tx, 'select public.signup_mode() as mode'))).toEqual({ mode: 'open' })
  })
})

describe.each(backends)('touch_presence on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('records when the caller was last seen, without broadcasting the agent to the tenant', async () => {
    const t = await createTenant(db)
    const topic = `tenant:${t.tenantId}`
    const count = async () =>
      (
        await row<{ n: number }>(db, 'select count(*)::int as n from realtime.messages where topic = $1', [
          topic,
        ])
      ).n
    const broadcastsBefore = await count()
    const seen = await asUser(db, t.agentId, (tx) =>
      row<{ at: Date }>(tx, 'select public.touch_presence() as at'),
    )
    expect(await row(db, 'select last_seen_at from public.agents where user_id = $1', [t.agentId])).toEqual({
      last_seen_at: seen.at,
    })
    expect(await count()).toBe(broadcastsBefore)
    // A real change of the agent still reaches the desks.
    await asUser(db, t.adminId, (tx) =>
      tx.query(`update public.agents set display_name = 'Renamed' where user_id = $1`, [t.agentId]),
    )
    expect(await count()).toBe(broadcastsBefore + 1)
  })

  it('refuses someone who is not an agent', async () => {
    const user = await createUser(db)
    await expectRelevoError(
      asUser(db, user.id, (tx) => tx.query('select public.touch_presence()')),
      403,
      'not_an_agent',
    )
  })
})

import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Database, Queryable } from '../src/db/index.ts'
import { expectDenied } from './support/errors.ts'
import { createTenant, type TenantFixture } from './support/fixtures.ts'
import { asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Canned replies (issue 18, item 3; ADR 092): shared replies are the tenant's and admins manage
// them; personal ones are one agent's, whom alone sees and changes them.

/** A second agent of the tenant, to check that personal replies stay personal. */
async function addAgent(db: Database, t: TenantFixture): Promise<string> {
  const id = randomUUID()
  await db.query('insert into auth.users (id, email) values ($1, $2)', [id, `${id}@test.relevo.test`])
  await db.query(
    `insert into public.agents (user_id, tenant_id, display_name, email, role) values ($1, $2, 'Beto', $3, 'agent')`,
    [id, t.tenantId, `${id}@test.relevo.test`],
  )
  return id
}

const visible = async (tx: Queryable) =>
  (
    await tx.query<{ shortcut: string }>('select shortcut from public.canned_replies order by shortcut')
  ).rows.map((r) => r.shortcut)

/** Rows a statement touched (0 when RLS hid them). */
const touched = async (tx: Queryable, sql: string, params: unknown[]) =>
  (await tx.query(`${sql} returning id`, params)).rows.length

describe.each(backends)('canned replies on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  let beto: string
  let sharedId: string
  let anaOwnId: string

  beforeAll(async () => {
    t = await createTenant(db)
    beto = await addAgent(db, t)
    sharedId = await asUser(db, t.adminId, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `insert into public.canned_replies (tenant_id, owner_id, shortcut, body)
         values ($1, null, 'envio', 'Hola {{customer.name}}, el envío tarda 3 días') returning id`,
        [t.tenantId],
      )
      return rows[0]?.id as string
    })
    // Without owner_id an insert is personal (the column defaults to the caller).
    anaOwnId = await asUser(db, t.agentId, async (tx) => {
      const { rows } = await tx.query<{ id: string; owner_id: string }>(
        `insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'firma', 'Soy {{agent.name}}')
         returning id, owner_id`,
        [t.tenantId],
      )
      expect(rows[0]?.owner_id).toBe(t.agentId)
      return rows[0]?.id as string
    })
  })

  it('an agent sees the shared replies and their own, not a colleague’s', async () => {
    await asUser(db, beto, (tx) =>
      tx.query(`insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'beto', 'B')`, [
        t.tenantId,
      ]),
    )
    expect(await asUser(db, t.agentId, visible)).toEqual(['envio', 'firma'])
    expect(await asUser(db, beto, visible)).toEqual(['beto', 'envio'])
    // An admin manages the shared ones; agents' personal replies stay theirs.
    expect(await asUser(db, t.adminId, visible)).toEqual(['envio'])
  })

  it('an agent edits and deletes only their own; shared replies are refused to them', async () => {
    await asUser(db, t.agentId, async (tx) => {
      expect(
        await touched(tx, `update public.canned_replies set body = 'Soy Ana' where id = $1`, [anaOwnId]),
      ).toBe(1)
      expect(await touched(tx, `update public.canned_replies set body = 'x' where id = $1`, [sharedId])).toBe(
        0,
      )
      expect(await touched(tx, 'delete from public.canned_replies where id = $1', [sharedId])).toBe(0)
    })
    await expectDenied(
      asUser(db, t.agentId, (tx) =>
        tx.query(
          `insert into public.canned_replies (tenant_id, owner_id, shortcut, body) values ($1, null, 'x', 'x')`,
          [t.tenantId],
        ),
      ),
    )
    // Nor may an agent hand a reply to a colleague, or take over theirs by changing the owner.
    await expectDenied(
      asUser(db, t.agentId, (tx) =>
        tx.query(
          `insert into public.canned_replies (tenant_id, owner_id, shortcut, body) values ($1, $2, 'y', 'y')`,
          [t.tenantId, beto],
        ),
      ),
    )
    await expectDenied(
      asUser(db, t.agentId, (tx) =>
        tx.query('update public.canned_replies set owner_id = $2 where id = $1', [anaOwnId, beto]),
      ),
    )
    const body = await db.query<{ body: string }>('select body from public.canned_replies where id = $1', [
      sharedId,
    ])
    expect(body.rows[0]?.body).toBe('Hola {{customer.name}}, el envío tarda 3 días')
  })

  it('an admin creates, edits and deletes shared replies', async () => {
    await asUser(db, t.adminId, async (tx) => {
      expect(
        await touched(tx, `update public.canned_replies set body = 'Hola {{customer.name}}' where id = $1`, [
          sharedId,
        ]),
      ).toBe(1)
      const { rows } = await tx.query<{ id: string }>(
        `insert into public.canned_replies (tenant_id, owner_id, shortcut, body) values ($1, null, 'gracias', 'Gracias')
         returning id`,
        [t.tenantId],
      )
      expect(await touched(tx, 'delete from public.canned_replies where id = $1', [rows[0]?.id])).toBe(1)
    })
  })

  it('a shortcut is unique among shared replies and among each agent’s own; a personal one may reuse a shared one', async () => {
    await expect(
      asUser(db, t.adminId, (tx) =>
        tx.query(
          `insert into public.canned_replies (tenant_id, owner_id, shortcut, body) values ($1, null, 'envio', 'x')`,
          [t.tenantId],
        ),
      ),
    ).rejects.toMatchObject({ code: '23505' })
    await expect(
      asUser(db, t.agentId, (tx) =>
        tx.query(`insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'firma', 'x')`, [
          t.tenantId,
        ]),
      ),
    ).rejects.toMatchObject({ code: '23505' })
    await asUser(db, t.agentId, (tx) =>
      tx.query(
        `insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'envio', 'Mi envío')`,
        [t.tenantId],
      ),
    )
    expect(await asUser(db, t.agentId, visible)).toEqual(['envio', 'envio', 'firma'])
  })

  it('a personal reply belongs to an agent of its own store', async () => {
    const other = await createTenant(db, 'Other')
    await expect(
      db.query(
        `insert into public.canned_replies (tenant_id, owner_id, shortcut, body) values ($1, $2, 'z', 'z')`,
        [t.tenantId, other.agentId],
      ),
    ).rejects.toMatchObject({ code: '23503' })
  })
})

import { randomUUID } from 'node:crypto'
import type { Database, Queryable } from '../../src/db/index.ts'
import { asService } from './roles.ts'

/** A tenant of its own per test: a channel, an admin and an agent, created as the owner. */
export interface TenantFixture {
  tenantId: string
  channelId: string
  adminId: string
  agentId: string
}

export async function createTenant(db: Database, name = 'Test Store'): Promise<TenantFixture> {
  const fixture: TenantFixture = {
    tenantId: randomUUID(),
    channelId: randomUUID(),
    adminId: randomUUID(),
    agentId: randomUUID(),
  }
  await db.transaction(async (tx) => {
    await tx.query('insert into public.tenants (id, name) values ($1, $2)', [fixture.tenantId, name])
    await tx.query('insert into public.channels (id, tenant_id) values ($1, $2)', [
      fixture.channelId,
      fixture.tenantId,
    ])
    for (const [id, role] of [
      [fixture.adminId, 'admin'],
      [fixture.agentId, 'agent'],
    ] as const) {
      const email = `${role}-${id}@test.relevo.test`
      await tx.query('insert into auth.users (id, email) values ($1, $2)', [id, email])
      await tx.query(
        'insert into public.agents (user_id, tenant_id, display_name, email, role) values ($1, $2, $3, $4, $5)',
        [id, fixture.tenantId, `${role} of ${name}`, email, role],
      )
    }
  })
  return fixture
}

/** A signed-in user without an agent row (e.g. someone invited but not yet accepted). */
export async function createUser(db: Database): Promise<{ id: string; email: string }> {
  const id = randomUUID()
  const email = `user-${id}@test.relevo.test`
  await db.query('insert into auth.users (id, email) values ($1, $2)', [id, email])
  return { id, email }
}

export interface Ingested {
  message_id: string
  conversation_id: string
  duplicate: boolean
  author: string
}

let counter = 0
/** A customer message arriving through the connector; a fresh chat unless `chat` is given. */
export async function ingest(
  db: Database,
  channelId: string,
  options: { chat?: string; body?: string; fromMe?: boolean; waId?: string } = {},
): Promise<Ingested> {
  counter += 1
  const chat = options.chat ?? `52155${Date.now() % 1e6}${counter}@c.us`
  const waId = options.waId ?? `wa-${randomUUID()}`
  return asService(db, async (tx) => {
    const { rows } = await tx.query<{ result: Ingested }>(
      'select public.ingest_message($1, $2, $3, $4, $5, $6, $7) as result',
      [channelId, waId, chat, options.fromMe ?? false, options.body ?? 'Hola', 'Cliente', '+52155'],
    )
    return rows[0]?.result as Ingested
  })
}

/** One row as the owner sees it (no RLS). */
export async function row<T = Record<string, unknown>>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T> {
  const { rows } = await db.query<T>(sql, params)
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`)
  return rows[0] as T
}

/** A WhatsApp Cloud API number saved by `save_cloud_api_channel` as the caller (`tx` runs as a user). */
export function saveCloudChannel(
  tx: Queryable,
  args: { channelId?: string | null; number?: string; token?: string | null } = {},
): Promise<{ id: string; kind: string; status: string }> {
  return row(tx, 'select * from public.save_cloud_api_channel($1, $2, $3, $4, $5, $6, $7)', [
    args.channelId ?? null,
    'Cloud',
    args.number ?? `1${Date.now() % 1e9}`,
    '2000001',
    args.token === undefined ? 'EAAG-token' : args.token,
    'app-secret',
    'verify-me',
  ])
}

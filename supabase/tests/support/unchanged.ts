import { expect } from 'vitest'
import type { Queryable } from '../../src/db/index.ts'

const watchedTables = [
  'public.tenants',
  'public.agents',
  'public.channels',
  'public.channel_links',
  'public.cloud_api_channels',
  'public.conversations',
  'public.messages',
  'public.ai_runs',
  'public.audit_log',
  'public.canned_replies',
  'public.labels',
  'public.conversation_labels',
  'public.business_hours',
  'public.business_holidays',
  'private.message_search',
  'public.invitations',
  'private.tenant_creations',
  'private.deployment_settings',
  'public.connector_credentials',
  'vault.secrets',
  'private.webhook_config',
  'private.webhook_requests',
  'realtime.messages',
  'auth.users',
]

/** A hash of every row Relevo owns, so a test can assert that a refused call changed nothing. */
async function fingerprint(db: Queryable): Promise<string> {
  const parts: string[] = []
  for (const table of watchedTables) {
    const { rows } = await db.query<{ hash: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as hash from ${table} t`,
    )
    parts.push(`${table}=${rows[0]?.hash ?? ''}`)
  }
  return parts.join(';')
}

/** Runs `refused` (calls that must be turned down) and asserts that no row Relevo owns changed. */
export async function expectUnchanged(db: Queryable, refused: () => Promise<void>): Promise<void> {
  const before = await fingerprint(db)
  await refused()
  expect(await fingerprint(db), 'a refused call changed rows Relevo owns').toBe(before)
}

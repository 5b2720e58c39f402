import { MAPPING_PRESETS } from '@relevo/supabase/coordinator-mapping'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTenant, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// tenants.ai_http_mapping (ADR 115): admins save how the http provider speaks to their
// coordinator; the CHECK holds the shape the Worker relies on whoever writes the row.
const custom = {
  body: '{"input": {"text": "{{message}}", "history": {{recent_messages_json}}}}',
  headers: { Authorization: 'Bearer {{secret}}', 'X-Store': 'demo' },
  reply_path: 'data.answer',
  handoff_path: 'data.escalate',
  reason_path: 'data.why',
}

const REFUSED: [string, unknown][] = [
  ['an unknown key', { ...custom, method: 'PUT' }],
  ['a body that is not a string', { ...custom, body: { input: 1 } }],
  ['headers that are not an object', { ...custom, headers: ['Authorization: x'] }],
  ['a header name with a space', { ...custom, headers: { 'Bad Name': 'x' } }],
  ['a header value that is a number', { ...custom, headers: { 'X-N': 1 } }],
  ['a header value with a line break', { ...custom, headers: { 'X-N': 'a\r\nHost: evil' } }],
  [
    'eleven headers',
    { ...custom, headers: Object.fromEntries([...Array(11).keys()].map((i) => [`X-${i}`, 'v'])) },
  ],
  ['no reply path', { ...custom, reply_path: undefined }],
  ['a reply path with a bracket', { ...custom, reply_path: 'data[0].answer' }],
  ['a handoff path with a space', { ...custom, handoff_path: 'data. escalate' }],
]

describe.each(backends)('coordinator mapping on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
  })

  const save = (userId: string, mapping: unknown) =>
    asUser(db, userId, (tx) =>
      tx.query('update public.tenants set ai_http_mapping = $1 where id = $2', [
        mapping === null ? null : JSON.stringify(mapping),
        t.tenantId,
      ]),
    )

  it('an admin saves either preset, a custom mapping, or none (the v1 contract)', async () => {
    for (const mapping of [MAPPING_PRESETS.relevo_v1, MAPPING_PRESETS.plain, custom, null]) {
      expect((await save(t.adminId, mapping)).affectedRows).toBe(1)
    }
    await save(t.adminId, custom)
    const saved = await asService(db, (tx) =>
      row<{ m: unknown }>(tx, 'select ai_http_mapping as m from public.tenants where id = $1', [t.tenantId]),
    )
    expect(saved.m).toEqual(custom)
  })

  it.each(REFUSED)('refuses %s (23514)', async (_, mapping) => {
    const error = await save(t.adminId, mapping).then(
      () => null,
      (e: { code?: string }) => e,
    )
    expect(error?.code).toBe('23514')
  })

  it("an agent's update changes no row (RLS: admins only)", async () => {
    expect((await save(t.agentId, MAPPING_PRESETS.plain)).affectedRows).toBe(0)
  })

  it('the header secret is write-only, its own kind in Vault', async () => {
    await asUser(db, t.adminId, (tx) =>
      tx.query(`select public.set_tenant_secrets(p_ai_http_header_secret => 'tok-header-1')`),
    )
    const status = await asUser(db, t.adminId, (tx) =>
      row<{ s: Record<string, boolean> }>(tx, 'select public.tenant_secrets_status() as s'),
    )
    expect(status.s.ai_http_header_secret).toBe(true)
    const secrets = await asService(db, (tx) =>
      row<{ s: Record<string, string> }>(tx, 'select public.get_tenant_secrets($1) as s', [t.tenantId]),
    )
    expect(secrets.s.ai_http_header_secret).toBe('tok-header-1')
  })
})

import type { SupabaseClient } from '@supabase/supabase-js'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, TENANT, useRig } from './harness.ts'
import { createOtherTenant, OTHER } from './other-tenant.ts'

// An agent who is not an admin gets neither the admin screens nor, calling Supabase directly with
// their own session, the admin data: RLS and the SQL functions refuse, whatever the UI shows.
const rig = useRig()

beforeAll(async () => {
  await createOtherTenant(rig.db)
  // Something admin-only to (not) find: an audit entry, an invitation and a stored secret.
  const admin = await rig.supabaseAs(ADMIN)
  await admin.rpc('create_invitation', { p_email: 'new@demo.relevo.test', p_role: 'agent' })
  await admin.rpc('set_tenant_secrets', { p_openai_api_key: 'sk-demo-secret' })
})

describe('admin screens for a non-admin agent', () => {
  it('the desk offers no admin link and the pages say admins only', async () => {
    const page = await rig.pageAs(ANA)
    await expect(page.getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0)
    for (const path of [
      '/settings',
      '/team',
      '/integrations',
      '/audit',
      '/metrics',
      '/connection',
      '/hours',
    ]) {
      await page.goto(`${rig.site.url}${path}`)
      await page.getByTestId('admin-only').filter({ hasText: 'Only admins can see this page.' }).waitFor()
      await expect(page.getByTestId('settings-form').count()).resolves.toBe(0)
    }
  })

  it('supabase-js as the agent: private tables read nothing, secrets are booleans, writes are refused', async () => {
    const ana = await rig.supabaseAs(ANA)
    const audit = await ana.from('audit_log').select('*')
    expect(audit.data).toEqual([])
    const invitations = await ana.from('invitations').select('id, email')
    expect(invitations.data).toEqual([])
    const endpoints = await ana.from('webhook_endpoints').select('id, url')
    expect(endpoints.data).toEqual([])
    const created = await ana.rpc('create_webhook_endpoint', {
      p_url: 'https://x.example.com',
      p_events: ['message_sent'],
    })
    expect(created.error?.details).toBe('admin_only')
    const hashes = await ana.from('invitations').select('token_hash')
    expect(hashes.error).not.toBeNull()
    // The vault is outside the typed schema: the untyped client asks for it all the same.
    const secretsTable = await (ana as SupabaseClient).schema('vault').from('decrypted_secrets').select('*')
    expect(secretsTable.data).toBeNull()
    expect(secretsTable.error).not.toBeNull()

    const status = await ana.rpc('tenant_secrets_status')
    expect(status.data).toEqual({
      openai_api_key: true,
      shopify_access_token: false,
      ai_http_secret: false,
      ai_http_header_secret: false,
    })
    const raw = await ana.rpc('get_tenant_secrets', { p_tenant_id: TENANT })
    expect(raw.data).toBeNull()
    expect(raw.error).not.toBeNull()

    const update = await ana.from('tenants').update({ fallback_text: 'hacked' }).eq('id', TENANT).select('id')
    expect(update.data ?? []).toEqual([])
    const { rows } = await rig.db.query<{ fallback_text: string }>(
      'select fallback_text from public.tenants where id = $1',
      [TENANT],
    )
    expect(rows[0]?.fallback_text).not.toBe('hacked')

    for (const [fn, args] of [
      ['set_tenant_secrets', { p_openai_api_key: 'sk-mine' }],
      ['create_invitation', { p_email: 'friend@demo.relevo.test', p_role: 'admin' }],
      ['request_relink', { p_channel_id: '00000000-0000-4000-8000-000000000101' }],
      ['add_whatsapp_web_channel', { p_name: 'Mine' }],
      ['rename_channel', { p_channel_id: '00000000-0000-4000-8000-000000000101', p_name: 'Mine' }],
      ['remove_channel', { p_channel_id: '00000000-0000-4000-8000-000000000101' }],
    ] as const) {
      const { error } = await ana.rpc(fn, args)
      expect(error?.details, fn).toBe('admin_only')
    }
    const promote = await ana.from('agents').update({ role: 'admin' }).eq('email', ANA.email).select('role')
    expect(promote.data ?? []).toEqual([])
    const role = await rig.db.query<{ role: string }>('select role from public.agents where email = $1', [
      ANA.email,
    ])
    expect(role.rows[0]?.role).toBe('agent')
  })

  it("another tenant's admin reads none of Demo Store's audit log or invitations", async () => {
    const bob = await rig.supabaseAs(OTHER)
    const audit = await bob.from('audit_log').select('tenant_id')
    expect((audit.data ?? []).filter((r) => r.tenant_id === TENANT)).toEqual([])
    const invitations = await bob.from('invitations').select('email')
    expect(invitations.data).toEqual([])
    const status = await bob.rpc('tenant_secrets_status')
    expect(status.data).toEqual({
      openai_api_key: false,
      shopify_access_token: false,
      ai_http_secret: false,
      ai_http_header_secret: false,
    })
  })
})

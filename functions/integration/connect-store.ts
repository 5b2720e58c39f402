import { postRpc } from './agent-rpc.ts'
import { type Backend, TENANT_ID } from './backend.ts'

/**
 * Connects the Shopify double's store to the demo tenant as its admin does: the shop domain, then
 * the tenant's own access token through set_tenant_secrets (kept in Vault, ADR 075).
 */
export async function connectDemoStore(b: Backend, accessToken: string): Promise<void> {
  await b.db.query(
    `update public.tenants set shopify_shop_domain = 'demo-store.myshopify.com' where id = $1`,
    [TENANT_ID],
  )
  const admin = await b.signIn('admin@demo.relevo.test')
  const saved = await postRpc(b, admin, 'set_tenant_secrets', { p_shopify_access_token: accessToken })
  if (!saved.ok) throw new Error(`set_tenant_secrets: HTTP ${saved.status} ${await saved.text()}`)
}

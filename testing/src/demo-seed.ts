/** What `supabase/seed.sql` creates: the demo store, its WhatsApp channel and its two agents. */
export const DEMO_TENANT_ID = '00000000-0000-4000-8000-000000000001'
export const DEMO_CHANNEL_ID = '00000000-0000-4000-8000-000000000101'
export const DEMO_PASSWORD = 'relevo-demo'
export const DEMO_ADMIN = { email: 'admin@demo.relevo.test', password: DEMO_PASSWORD, name: 'Admin Demo' }
export const DEMO_ANA = { email: 'ana@demo.relevo.test', password: DEMO_PASSWORD, name: 'Ana' }

/** The demo WhatsApp Cloud API number (seed.sql), served locally by the Graph API double. */
export const DEMO_CLOUD_CHANNEL_ID = '00000000-0000-4000-8000-000000000102'
export const DEMO_CLOUD_NUMBER = {
  phoneNumberId: '100000000000001',
  wabaId: '200000000000001',
  verifyToken: 'relevo-demo-verify',
  appSecret: 'relevo-demo-app-secret',
  accessToken: 'relevo-demo-access-token',
}

/** The demo channel's connector credential (ADR 074): public, local seed only, like the demo password. */
export const DEMO_CONNECTOR_KEY =
  '00000000-0000-4000-8000-000000000201.6c6f63616c2d64656d6f2d636f6e6e6563746f722d6b6579'

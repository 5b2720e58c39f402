import { describe, expect, it } from 'vitest'
import { backends, suiteDatabase } from './support/test-database.ts'

// Deny by default (ADR 072), checked against the live catalog after all migrations: every table
// in public has RLS and a policy for each command the API roles are granted, and every grant or
// executable function is a decision written down here. A new object without one fails this file.

type Command = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
type ApiRole = 'anon' | 'authenticated'

/** What the API roles may do to each table of public (RLS policies then decide which rows). */
const TABLE_DECISIONS: Record<string, Partial<Record<ApiRole, Command[]>>> = {
  tenants: { authenticated: ['SELECT', 'UPDATE'] },
  labels: { authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  conversation_labels: { authenticated: ['SELECT'] },
  // Business hours (ADR 094): admins write the schedule and holidays, agents read them.
  business_hours: { authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  business_holidays: { authenticated: ['SELECT', 'INSERT', 'DELETE'] },
  agents: { authenticated: ['SELECT', 'UPDATE'] },
  channels: { authenticated: ['SELECT'] },
  channel_links: { authenticated: ['SELECT'] },
  cloud_api_channels: { authenticated: ['SELECT'] },
  conversations: { authenticated: ['SELECT'] },
  messages: { authenticated: ['SELECT'] },
  ai_runs: { authenticated: ['SELECT'] },
  audit_log: { authenticated: ['SELECT'] },
  canned_replies: { authenticated: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  invitations: { authenticated: ['SELECT'] },
  // Deployment-wide media size limits: agents read them to check a file before uploading it.
  media_limits: { authenticated: ['SELECT'] },
  // Events out (ADR 090): admins read; every change goes through the functions below.
  webhook_endpoints: { authenticated: ['SELECT'] },
  webhook_events: { authenticated: ['SELECT'] },
  webhook_deliveries: { authenticated: ['SELECT'] },
  connector_credentials: { authenticated: ['SELECT'] },
  // CSAT ratings (ADR 096) and each agent's own push browsers (ADR 097): written by SQL functions only.
  csat_responses: { authenticated: ['SELECT'] },
  push_subscriptions: { authenticated: ['SELECT'] },
}

/** Functions of Relevo's schemas that an API role may execute, and which role. */
const FUNCTION_DECISIONS: Record<string, ApiRole[]> = {
  // Called by RLS policies.
  'private.current_admin_tenant_id()': ['authenticated'],
  'private.current_tenant_id()': ['authenticated'],
  'private.is_tenant_admin(p_tenant_id uuid)': ['authenticated'],
  'private.is_tenant_member(p_tenant_id uuid)': ['authenticated'],
  'private.connector_channel_id()': ['authenticated'],
  // Storage's policies for a connector's own chat folders and its tenant's outgoing/ files (ADR 074).
  'private.connector_media_folder(p_name text)': ['authenticated'],
  'private.connector_outgoing_folder(p_name text)': ['authenticated'],
  // The dashboard's functions; each checks the caller's agent row and tenant itself.
  'public.accept_invitation(p_code text, p_display_name text)': ['authenticated'],
  'public.add_note(p_conversation_id uuid, p_body text)': ['authenticated'],
  'public.assign_conversation(p_conversation_id uuid, p_agent_id uuid)': ['authenticated'],
  'public.cloud_api_secrets_status(p_channel_id uuid)': ['authenticated'],
  'public.create_invitation(p_email text, p_role agent_role)': ['authenticated'],
  // A signed-up person without a tenant creates one (refused when invite-only; ADR 110).
  'public.create_tenant(p_name text, p_language text, p_timezone text)': ['authenticated'],
  'public.dashboard_metrics(p_from timestamp with time zone, p_to timestamp with time zone)': [
    'authenticated',
  ],
  'public.customer_profile(p_conversation_id uuid)': ['authenticated'],
  'public.handback(p_conversation_id uuid)': ['authenticated'],
  // Business hours of the caller's own tenant (another tenant is a 404; ADR 094).
  'public.is_open_at(p_tenant_id uuid, p_at timestamp with time zone)': ['authenticated'],
  'public.next_opening(p_tenant_id uuid, p_at timestamp with time zone)': ['authenticated'],
  // CSAT (ADR 096): the metrics screen's ratings; Web Push (ADR 097): this browser, the agent's switch.
  'public.csat_metrics(p_from timestamp with time zone, p_to timestamp with time zone)': ['authenticated'],
  'public.save_push_subscription(p_endpoint text, p_p256dh text, p_auth text, p_user_agent text)': [
    'authenticated',
  ],
  'public.set_push_alerts(p_on boolean)': ['authenticated'],
  'public.mark_conversation_read(p_conversation_id uuid)': ['authenticated'],
  'public.request_relink(p_channel_id uuid)': ['authenticated'],
  'public.retry_message(p_message_id uuid)': ['authenticated'],
  'public.revoke_invitation(p_invitation_id uuid)': ['authenticated'],
  'public.send_agent_message(p_conversation_id uuid, p_body text, p_client_ref text, p_media jsonb)': [
    'authenticated',
  ],
  'public.search_messages(p_query text, p_limit integer)': ['authenticated'],
  'public.set_conversation_label(p_conversation_id uuid, p_label_id uuid, p_on boolean)': ['authenticated'],
  'public.save_cloud_api_channel(p_channel_id uuid, p_name text, p_phone_number_id text, p_waba_id text, p_access_token text, p_app_secret text, p_verify_token text, p_messages_per_second integer)':
    ['authenticated'],
  'public.send_template_message(p_conversation_id uuid, p_name text, p_language text, p_parameters text[], p_preview text, p_client_ref text)':
    ['authenticated'],
  'public.set_conversation_status(p_conversation_id uuid, p_status conversation_status)': ['authenticated'],
  'public.set_window_template(p_channel_id uuid, p_name text, p_language text, p_parameters text[], p_body text)':
    ['authenticated'],
  'public.start_conversation(p_channel_id uuid, p_phone text, p_body text, p_customer_name text, p_template jsonb, p_client_ref text)':
    ['authenticated'],
  'public.set_tenant_secrets(p_openai_api_key text, p_shopify_access_token text, p_ai_http_secret text, p_ai_http_header_secret text)':
    ['authenticated'],
  // Deployment-wide, not secret: the sign-up page asks before anyone has a session (ADR 110).
  'public.signup_mode()': ['anon', 'authenticated'],
  'public.takeover(p_conversation_id uuid)': ['authenticated'],
  'public.tenant_secrets_status()': ['authenticated'],
  // Admin → Integrations (ADR 090); each checks that the caller is an admin of the endpoint's tenant.
  'public.create_webhook_endpoint(p_url text, p_events text[], p_description text)': ['authenticated'],
  'public.delete_webhook_endpoint(p_endpoint_id uuid)': ['authenticated'],
  'public.resend_webhook_delivery(p_delivery_id uuid)': ['authenticated'],
  'public.rotate_webhook_secret(p_endpoint_id uuid)': ['authenticated'],
  'public.send_test_webhook_event(p_endpoint_id uuid)': ['authenticated'],
  'public.update_webhook_endpoint(p_endpoint_id uuid, p_url text, p_events text[], p_active boolean, p_description text)':
    ['authenticated'],
  // Data requests (ADR 112): each checks that the caller is an admin and scopes to their tenant.
  'public.erase_customer(p_conversation_id uuid)': ['authenticated'],
  'public.export_messages(p_from timestamp with time zone, p_to timestamp with time zone, p_after_created timestamp with time zone, p_after_id uuid, p_limit integer)':
    ['authenticated'],
  // Each open desk says it is open (agents.last_seen_at, the monitoring API's online agents).
  'public.touch_presence()': ['authenticated'],
  'public.issue_connector_credential(p_channel_id uuid, p_label text)': ['authenticated'],
  'public.revoke_connector_credential(p_credential_id uuid)': ['authenticated'],
  // Numbers (ADR 113): each checks that the caller is an admin and scopes to their tenant.
  'public.add_whatsapp_web_channel(p_name text)': ['authenticated'],
  'public.rename_channel(p_channel_id uuid, p_name text)': ['authenticated'],
  'public.remove_channel(p_channel_id uuid, p_cancel_queued boolean)': ['authenticated'],
  // The connector's functions: a connector credential is an authenticated user; each function
  // lets it act only for its own channel (ADR 074), and refuses agents.
  'public.channel_heartbeat(p_channel_id uuid)': ['authenticated'],
  'public.claim_outbox(p_channel_id uuid, p_worker text, p_limit integer, p_lease_seconds integer)': [
    'authenticated',
  ],
  'public.ingest_message(p_channel_id uuid, p_wa_message_id text, p_wa_chat_id text, p_from_me boolean, p_body text, p_customer_name text, p_customer_phone text, p_type text, p_media jsonb, p_sent_at timestamp with time zone)':
    ['authenticated'],
  'public.ingest_messages(p_messages jsonb)': ['authenticated'],
  'public.mark_failed(p_message_id uuid, p_error text, p_retryable boolean, p_max_attempts integer)': [
    'authenticated',
  ],
  'public.mark_sent(p_message_id uuid, p_wa_message_id text)': ['authenticated'],
  'public.mark_media_failed(p_message_id uuid, p_error text, p_retryable boolean, p_max_attempts integer)': [
    'authenticated',
  ],
  'public.mark_media_stored(p_message_id uuid, p_media jsonb)': ['authenticated'],
  'public.media_to_fetch(p_channel_id uuid, p_limit integer, p_pending_age_seconds integer)': [
    'authenticated',
  ],
  'public.outbox_chats(p_channel_id uuid, p_conversation_ids uuid[])': ['authenticated'],
  'public.record_ack(p_channel_id uuid, p_wa_message_id text, p_status message_status)': ['authenticated'],
  'public.record_edit(p_channel_id uuid, p_wa_message_id text, p_body text, p_edited_at timestamp with time zone)':
    ['authenticated'],
  'public.record_revoke(p_channel_id uuid, p_wa_message_id text, p_revoked_at timestamp with time zone)': [
    'authenticated',
  ],
  'public.set_channel_status(p_channel_id uuid, p_status channel_status, p_qr text, p_qr_expires_at timestamp with time zone, p_phone text)':
    ['authenticated'],
}

const API_ROLES: ApiRole[] = ['anon', 'authenticated']
const OWN_SCHEMAS = ['public', 'private']

describe.each(backends)('catalog decisions on $kind', (backend) => {
  const db = suiteDatabase(backend)

  async function tableGrants(): Promise<
    { table: string; rls: boolean; role: ApiRole; commands: Command[] }[]
  > {
    // Column grants count: an UPDATE on some columns is still an UPDATE (DELETE has no column form).
    const { rows } = await db.query<{ table: string; rls: boolean; role: ApiRole; commands: Command[] }>(
      `select c.relname as table, c.relrowsecurity as rls, r.role,
         array(select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) as p
               where has_table_privilege(r.role, c.oid, p)
                  or (p <> 'DELETE' and has_any_column_privilege(r.role, c.oid, p))) as commands
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       cross join unnest($1::text[]) as r(role)
       where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
       order by 1, 3`,
      [API_ROLES],
    )
    return rows
  }

  it('every table of public is on the list, with exactly the grants decided for each API role', async () => {
    const grants = await tableGrants()
    expect([...new Set(grants.map((g) => g.table))].sort()).toEqual(Object.keys(TABLE_DECISIONS).sort())
    for (const grant of grants) {
      expect({ table: grant.table, role: grant.role, commands: grant.commands }).toEqual({
        table: grant.table,
        role: grant.role,
        commands: TABLE_DECISIONS[grant.table]?.[grant.role] ?? [],
      })
    }
  })

  it('every table of public has RLS on and a policy for each command an API role is granted', async () => {
    const { rows: policies } = await db.query<{ table: string; cmd: string; roles: string[] }>(
      `select tablename as table, cmd, roles::text[] as roles from pg_policies where schemaname = 'public'`,
    )
    const grants = await tableGrants()
    expect(grants.filter((g) => !g.rls).map((g) => g.table)).toEqual([])
    const missing = grants.flatMap((g) =>
      g.commands
        .filter(
          (command) =>
            !policies.some(
              (p) =>
                p.table === g.table &&
                (p.cmd === command || p.cmd === 'ALL') &&
                (p.roles.includes(g.role) || p.roles.includes('public')),
            ),
        )
        .map((command) => `${g.table} ${command} for ${g.role}`),
    )
    expect(missing).toEqual([])
  })

  it('every function an API role may execute is on the list, with the role that may call it', async () => {
    const { rows } = await db.query<{ fn: string; anon: boolean; authenticated: boolean }>(
      `select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as fn,
         has_function_privilege('anon', p.oid, 'execute') as anon,
         has_function_privilege('authenticated', p.oid, 'execute') as authenticated
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1::text[])`,
      [OWN_SCHEMAS],
    )
    const executable = Object.fromEntries(
      rows
        .map((r) => [r.fn, API_ROLES.filter((role) => r[role])] as const)
        .filter(([, roles]) => roles.length > 0),
    )
    expect(executable).toEqual(FUNCTION_DECISIONS)
  })

  it('a new table, sequence or function is closed to anon and authenticated until a migration opens it', async () => {
    const probe = await db
      .transaction(async (tx) => {
        await tx.query('create table public.undecided (id bigint generated always as identity primary key)')
        await tx.query('create function public.undecided_fn() returns int language sql as $$ select 1 $$')
        await tx.query(
          'create function private.undecided_helper() returns int language sql as $$ select 1 $$',
        )
        const { rows } = await tx.query<{ role: string; access: boolean[] }>(
          `select r.role, array[
             has_table_privilege(r.role, 'public.undecided', 'SELECT, INSERT, UPDATE, DELETE'),
             has_sequence_privilege(r.role, 'public.undecided_id_seq', 'USAGE, SELECT, UPDATE'),
             has_function_privilege(r.role, 'public.undecided_fn()', 'EXECUTE'),
             has_function_privilege(r.role, 'private.undecided_helper()', 'EXECUTE')] as access
           from unnest($1::text[]) as r(role)`,
          [API_ROLES],
        )
        throw Object.assign(new Error('rollback'), { rows })
      })
      .catch((error: { rows?: unknown }) => error.rows)
    expect(probe).toEqual(API_ROLES.map((role) => ({ role, access: [false, false, false, false] })))
  })
})

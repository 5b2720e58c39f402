-- Relevo's data: tenants, agents, WhatsApp channels, conversations, messages (inbox and
-- outbox in one table), AI decisions and the audit log. Every row carries tenant_id.

create schema if not exists private;
revoke all on schema private from public;

create type public.agent_role as enum ('admin', 'agent');
create type public.channel_kind as enum ('whatsapp_web', 'cloud_api');
create type public.channel_status as enum ('starting', 'qr', 'ready', 'disconnected', 'logged_out');
create type public.conversation_mode as enum ('ai', 'human');
create type public.conversation_status as enum ('open', 'closed');
create type public.message_direction as enum ('in', 'out');
create type public.message_author as enum ('customer', 'ai', 'agent', 'phone', 'system');
create type public.message_status as enum (
  'received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled'
);
create type public.ai_provider as enum ('openai', 'http');

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  ai_provider public.ai_provider not null default 'openai',
  ai_model text not null default 'gpt-4o-mini' check (length(ai_model) <= 100),
  ai_http_url text check (ai_http_url is null or ai_http_url ~ '^https?://'),
  system_prompt text not null default '' check (length(system_prompt) <= 20000),
  language text not null default 'es' check (language in ('es', 'en')),
  debounce_seconds integer not null default 4 check (debounce_seconds between 0 and 120),
  context_messages integer not null default 20 check (context_messages between 1 and 100),
  auto_return_minutes integer check (auto_return_minutes is null or auto_return_minutes between 1 and 10080),
  handoff_keywords text[] not null default array[
    'humano', 'persona', 'agente', 'asesor', 'hablar con alguien',
    'human', 'person', 'agent', 'talk to someone', 'representative'
  ],
  fallback_text text not null default 'Te comunico con una persona de nuestro equipo. Te responderemos muy pronto.'
    check (length(fallback_text) between 1 and 1000),
  shopify_shop_domain text check (shopify_shop_domain is null or shopify_shop_domain ~ '^[a-z0-9][a-z0-9-]*\.myshopify\.com$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.tenants is 'One business. AI settings are readable by its agents; secrets live in private.tenant_secrets.';

create table public.agents (
  user_id uuid primary key references auth.users (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  display_name text not null check (length(display_name) between 1 and 100),
  email text not null,
  role public.agent_role not null default 'agent',
  active boolean not null default true,
  created_at timestamptz not null default now()
);
comment on table public.agents is 'A person on the dashboard: one auth user, one tenant, a role. Inactive agents lose access at once.';

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  kind public.channel_kind not null default 'whatsapp_web',
  name text not null default 'WhatsApp',
  phone text,
  status public.channel_status not null default 'starting',
  qr text,
  qr_expires_at timestamptz,
  last_heartbeat_at timestamptz,
  status_changed_at timestamptz not null default now(),
  relink_requested_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.channels is 'One WhatsApp number of a tenant; the connector serving it keeps status, QR and heartbeat current.';

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  wa_chat_id text not null,
  customer_name text,
  customer_phone text,
  mode public.conversation_mode not null default 'ai',
  assigned_agent_id uuid references public.agents (user_id) on delete set null,
  status public.conversation_status not null default 'open',
  needs_attention boolean not null default false,
  attention_reason text,
  unread_count integer not null default 0 check (unread_count >= 0),
  last_message_at timestamptz,
  last_message_preview text,
  last_customer_message_at timestamptz,
  last_agent_activity_at timestamptz,
  mode_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (channel_id, wa_chat_id)
);
comment on table public.conversations is 'One WhatsApp chat. mode decides who answers: ai, or human (the AI never sends then).';
comment on column public.conversations.wa_chat_id is 'WhatsApp chat id as the transport reports it (e.g. 5215512345678@c.us or …@lid).';

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  direction public.message_direction not null,
  author public.message_author not null,
  agent_id uuid references public.agents (user_id) on delete set null,
  body text not null default '' check (length(body) <= 65536),
  type text not null default 'text' check (type in ('text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'event', 'note', 'unsupported')),
  media jsonb,
  private boolean not null default false,
  status public.message_status not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  lease_expires_at timestamptz,
  leased_by text,
  error text,
  wa_message_id text,
  wa_timestamp timestamptz,
  in_reply_to uuid references public.messages (id) on delete set null,
  client_ref text check (client_ref is null or length(client_ref) <= 100),
  -- The wall clock at insert, not now(): messages of one chat stored in one transaction (a batch)
  -- keep the order in which they were stored instead of sharing one time.
  created_at timestamptz not null default clock_timestamp(),
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  deleted_at timestamptz,
  edited_at timestamptz,
  unique (channel_id, wa_message_id),
  unique (conversation_id, client_ref),
  check (direction = 'in' or author <> 'customer'),
  check (not private or status = 'received')
);
comment on column public.messages.wa_timestamp is
  'When WhatsApp says the message was sent (the phone''s clock); created_at is when Relevo stored it and orders the thread.';
comment on column public.messages.deleted_at is
  'When the sender deleted the message for everyone on WhatsApp; body and media are cleared then.';
comment on column public.messages.edited_at is
  'When the sender last edited the message on WhatsApp; body holds the edited text.';
comment on table public.messages is
  'Every message of a chat. direction in = from the customer; out with status queued..read is the outbox the connector sends. '
  'private rows (agent notes, system events) are never sent and keep status received.';

create table public.ai_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  trigger_message_id uuid references public.messages (id) on delete set null,
  reply_message_id uuid references public.messages (id) on delete set null,
  provider text not null,
  model text,
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  latency_ms integer not null default 0,
  tools jsonb not null default '[]'::jsonb,
  outcome text not null check (outcome in ('replied', 'handoff', 'dropped', 'failed', 'skipped')),
  reason text,
  created_at timestamptz not null default now()
);
comment on table public.ai_runs is 'One AI decision: what it was asked, which tools it used, what it cost and what came of it.';

create table public.audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  actor_id uuid,
  actor_kind text not null check (actor_kind in ('agent', 'ai', 'phone', 'system', 'connector')),
  action text not null,
  conversation_id uuid references public.conversations (id) on delete set null,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table public.audit_log is 'Who did what: takeovers, handbacks, assignments, sends, settings changes, invitations.';

create table public.canned_replies (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  shortcut text not null check (shortcut ~ '^[a-z0-9_-]{1,32}$'),
  body text not null check (length(body) between 1 and 4096),
  created_at timestamptz not null default now(),
  unique (tenant_id, shortcut)
);

-- Secrets never sit in rows that agents can read: this schema is not exposed by the API.
create table private.tenant_secrets (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  openai_api_key text,
  shopify_access_token text,
  ai_http_secret text,
  updated_at timestamptz not null default now()
);

-- Configuration of outgoing database webhooks (URL and shared secret per hook name).
create table private.webhook_config (
  name text primary key,
  url text not null,
  secret text not null
);

-- Indexes for the dashboard's and connector's hot queries, and every foreign key.
create index conversations_tenant_last_message_idx on public.conversations (tenant_id, last_message_at desc nulls last);
create index conversations_channel_idx on public.conversations (channel_id);
create index conversations_assigned_idx on public.conversations (assigned_agent_id) where assigned_agent_id is not null;
create index messages_conversation_created_idx on public.messages (conversation_id, created_at);
create index messages_outbox_idx on public.messages (channel_id, status, next_attempt_at)
  where status in ('queued', 'sending');
create index messages_tenant_created_idx on public.messages (tenant_id, created_at);
create index messages_in_reply_to_idx on public.messages (in_reply_to) where in_reply_to is not null;
create index messages_agent_idx on public.messages (agent_id) where agent_id is not null;
create index agents_tenant_idx on public.agents (tenant_id);
create index channels_tenant_idx on public.channels (tenant_id);
create index ai_runs_tenant_created_idx on public.ai_runs (tenant_id, created_at);
create index ai_runs_conversation_idx on public.ai_runs (conversation_id);
create index ai_runs_trigger_idx on public.ai_runs (trigger_message_id);
create index ai_runs_reply_idx on public.ai_runs (reply_message_id);
create index audit_log_tenant_created_idx on public.audit_log (tenant_id, created_at desc);
create index audit_log_conversation_idx on public.audit_log (conversation_id);

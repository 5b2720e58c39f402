-- Events out (issue 20, ADR 090): signed webhooks to the tenant's own systems.
-- Every change that a tenant's CRM or ERP listens to writes an event row IN THE SAME TRANSACTION
-- as the change (an outbox), and one delivery row per matching active endpoint. The functions
-- deliver them (a Durable Object per endpoint), woken by a database webhook, the sweeper as fallback.

-- ---------------------------------------------------------------- tables
create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  url text not null check (length(url) <= 2048),
  events text[] not null check (
    cardinality(events) between 1 and 7 and events <@ array['message_received', 'message_sent', 'message_status',
      'mode_changed', 'conversation_assigned', 'conversation_closed', 'handoff_requested']),
  description text check (length(description) <= 200),
  active boolean not null default true,
  paused_reason text,
  -- First failed attempt since the last delivered one; a day of failures pauses the endpoint.
  failing_since timestamptz,
  created_by uuid references public.agents (user_id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.webhook_endpoints is
  'Where a tenant wants its events POSTed. The signing secret is in private.webhook_endpoint_secrets.';

-- The signing secret, readable by the service role only; admins see it once (create, rotate).
create table private.webhook_endpoint_secrets (
  endpoint_id uuid primary key references public.webhook_endpoints (id) on delete cascade,
  secret text not null,
  rotated_at timestamptz not null default now()
);

create table public.webhook_events (
  id uuid primary key default gen_random_uuid(),
  -- Commit order within the tenant, numbered as the writing transaction commits (private.number_event):
  -- once an event is visible, every event with a lower seq is visible too. Null only inside that transaction.
  seq bigint unique,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  type text not null check (type in ('message_received', 'message_sent', 'message_status', 'mode_changed',
    'conversation_assigned', 'conversation_closed', 'handoff_requested', 'webhook_test')),
  conversation_id uuid references public.conversations (id) on delete cascade,
  -- Set only for a test event: it goes to that endpoint alone.
  endpoint_id uuid references public.webhook_endpoints (id) on delete cascade,
  data jsonb not null,
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.webhook_events is 'The event outbox: one row per change a tenant''s endpoints asked for.';

create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  endpoint_id uuid not null references public.webhook_endpoints (id) on delete cascade,
  event_id uuid not null references public.webhook_events (id) on delete cascade,
  event_seq bigint,
  event_type text not null,
  conversation_id uuid,
  status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_expires_at timestamptz,
  leased_by text,
  last_status_code integer,
  last_error text,
  last_latency_ms integer,
  delivered_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default now(),
  unique (endpoint_id, event_id)
);
comment on table public.webhook_deliveries is
  'One event to one endpoint: attempts, outcome, next retry. Ordered per conversation by event_seq.';

create index webhook_endpoints_tenant on public.webhook_endpoints (tenant_id);
create index webhook_endpoints_created_by on public.webhook_endpoints (created_by);
create index webhook_events_tenant on public.webhook_events (tenant_id, created_at desc);
create index webhook_events_conversation on public.webhook_events (conversation_id);
create index webhook_events_endpoint on public.webhook_events (endpoint_id);
create index webhook_deliveries_event on public.webhook_deliveries (event_id);
create index webhook_deliveries_tenant on public.webhook_deliveries (tenant_id);
create index webhook_deliveries_recent on public.webhook_deliveries (endpoint_id, created_at desc);
-- The deliverer's queue: unfinished rows per endpoint and conversation, in event order.
create index webhook_deliveries_open on public.webhook_deliveries (endpoint_id, conversation_id, event_seq)
  where status in ('pending', 'sending');

-- ---------------------------------------------------------------- emitting events
-- The JSON of a message in an event: no private fields (lease, worker), media descriptor as stored.
create function private.event_message(p_message public.messages) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'id', p_message.id, 'conversation_id', p_message.conversation_id, 'channel_id', p_message.channel_id,
    'direction', p_message.direction, 'author', p_message.author, 'agent_id', p_message.agent_id,
    'type', p_message.type, 'body', p_message.body, 'media', p_message.media,
    'transcript', p_message.media ->> 'transcript', 'status', p_message.status,
    'wa_message_id', p_message.wa_message_id, 'in_reply_to', p_message.in_reply_to,
    'created_at', p_message.created_at, 'sent_at', p_message.sent_at)
$$;

create function private.event_conversation(p_conversation_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'channel_id', c.channel_id, 'customer_name', c.customer_name,
    'customer_phone', c.customer_phone, 'mode', c.mode, 'status', c.status, 'assigned_agent_id', c.assigned_agent_id)
  from public.conversations c where c.id = p_conversation_id
$$;

-- Wakes the functions' deliverer of an endpoint, once per transaction and endpoint: a burst of
-- changes in one transaction is one wake-up. Not configured (no 'event_delivery' hook): the sweeper delivers.
create function private.wake_deliverer(p_tenant_id uuid, p_endpoint_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  woken text := coalesce(current_setting('relevo.woken_endpoints', true), '');
begin
  if position(p_endpoint_id::text in woken) > 0 then
    return;
  end if;
  perform set_config('relevo.woken_endpoints', woken || p_endpoint_id::text || ',', true);
  perform private.dispatch_webhook('event_delivery', jsonb_build_object('type', 'INSERT',
    'table', 'webhook_deliveries', 'schema', 'public', 'old_record', null,
    'record', jsonb_build_object('endpoint_id', p_endpoint_id, 'tenant_id', p_tenant_id)));
end
$$;

-- Writes one event and its deliveries, in the caller's transaction (numbered at its commit, below).
-- Nothing is written when no active endpoint of the tenant wants the type. No lock is taken here: a
-- trigger of an update on messages runs under that row's lock, and taking the conversation's too
-- would invert the order in which ingest_message takes them (a deadlock).
create function private.emit_event(p_tenant_id uuid, p_type text, p_conversation_id uuid, p_data jsonb)
returns void language plpgsql security definer set search_path = '' as $$
declare
  event public.webhook_events;
  endpoint uuid;
begin
  if not exists (select 1 from public.webhook_endpoints e
                 where e.tenant_id = p_tenant_id and e.active and p_type = any (e.events)) then
    return;
  end if;
  insert into public.webhook_events (tenant_id, type, conversation_id, data)
  values (p_tenant_id, p_type, p_conversation_id, p_data) returning * into event;
  for endpoint in
    insert into public.webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, conversation_id)
    select p_tenant_id, e.id, event.id, event.type, p_conversation_id
    from public.webhook_endpoints e
    where e.tenant_id = p_tenant_id and e.active and p_type = any (e.events)
    returning endpoint_id
  loop
    perform private.wake_deliverer(p_tenant_id, endpoint);
  end loop;
end
$$;

-- Numbers an event as its transaction commits (a deferred trigger runs at commit), one transaction
-- of the tenant at a time: the tenant's advisory lock is held until the commit ends, so seq follows
-- commit order and the deliverer never sends a later event of a chat before an earlier one became
-- visible. Only committing transactions wait for this lock, each takes one, and the rows it updates
-- are its own uncommitted ones: no lock cycle with the rules' row locks is possible.
create sequence private.webhook_event_seq;
create function private.number_event() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  n bigint;
begin
  perform pg_advisory_xact_lock(hashtextextended('relevo.webhook_events:' || new.tenant_id::text, 0));
  n := nextval('private.webhook_event_seq');
  update public.webhook_events set seq = n where id = new.id;
  update public.webhook_deliveries set event_seq = n where event_id = new.id;
  return null;
end
$$;
create constraint trigger webhook_events_number after insert on public.webhook_events
  deferrable initially deferred for each row execute function private.number_event();

-- message_received (customer), message_sent (handed to WhatsApp: it has a WhatsApp id),
-- message_status (delivered, read, failed). Private rows (notes, events) never leave.
create function private.message_events() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  data jsonb;
begin
  if new.private then
    return null;
  end if;
  data := jsonb_build_object('message', private.event_message(new),
    'conversation', private.event_conversation(new.conversation_id));
  if tg_op = 'INSERT' and new.direction = 'in' then
    perform private.emit_event(new.tenant_id, 'message_received', new.conversation_id, data);
  elsif new.direction = 'out' and new.wa_message_id is not null
        and (tg_op = 'INSERT' or old.wa_message_id is null) then
    perform private.emit_event(new.tenant_id, 'message_sent', new.conversation_id, data);
  elsif tg_op = 'UPDATE' and new.direction = 'out' and new.status is distinct from old.status
        and new.status in ('delivered', 'read', 'failed') then
    perform private.emit_event(new.tenant_id, 'message_status', new.conversation_id, jsonb_build_object(
      'message_id', new.id, 'conversation_id', new.conversation_id, 'status', new.status,
      'previous_status', old.status, 'error', case when new.status = 'failed' then new.error end,
      'wa_message_id', new.wa_message_id));
  end if;
  return null;
end
$$;
create trigger messages_events after insert or update on public.messages
  for each row execute function private.message_events();

-- conversation_assigned (it gets an agent, also by a takeover) and conversation_closed.
create function private.conversation_events() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.assigned_agent_id is not null and new.assigned_agent_id is distinct from old.assigned_agent_id then
    perform private.emit_event(new.tenant_id, 'conversation_assigned', new.id, jsonb_build_object(
      'conversation', private.event_conversation(new.id),
      'agent', (select jsonb_build_object('id', a.user_id, 'name', a.display_name)
                from public.agents a where a.user_id = new.assigned_agent_id),
      'previous_agent_id', old.assigned_agent_id, 'by_agent_id', (select auth.uid())));
  end if;
  if new.status = 'closed' and old.status <> 'closed' then
    perform private.emit_event(new.tenant_id, 'conversation_closed', new.id, jsonb_build_object(
      'conversation', private.event_conversation(new.id), 'by_agent_id', (select auth.uid())));
  end if;
  return null;
end
$$;
create trigger conversations_events after update of assigned_agent_id, status on public.conversations
  for each row execute function private.conversation_events();

-- mode_changed (who and why) and handoff_requested, from the audit row every mode change writes
-- (private.record_event): a takeover of a chat that was already human changes no mode.
create function private.audit_events() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  conv jsonb := private.event_conversation(new.conversation_id);
  previous text := coalesce(new.details ->> 'previous_mode', 'ai');
begin
  if new.action not in ('takeover', 'handback', 'handoff', 'auto_return') or conv is null
     or previous = conv ->> 'mode' then
    return null;
  end if;
  perform private.emit_event(new.tenant_id, 'mode_changed', new.conversation_id, jsonb_build_object(
    'conversation', conv, 'from', previous, 'to', conv ->> 'mode', 'reason', new.action,
    'actor', jsonb_build_object('kind', new.actor_kind, 'id', new.actor_id, 'name', new.details ->> 'agent_name'),
    'handoff_reason', new.details ->> 'reason'));
  if new.action = 'handoff' then
    perform private.emit_event(new.tenant_id, 'handoff_requested', new.conversation_id, jsonb_build_object(
      'conversation', conv, 'reason', new.details ->> 'reason'));
  end if;
  return null;
end
$$;
create trigger audit_log_events after insert on public.audit_log
  for each row execute function private.audit_events();

-- ---------------------------------------------------------------- RLS
alter table public.webhook_endpoints enable row level security;
alter table public.webhook_events enable row level security;
alter table public.webhook_deliveries enable row level security;
create policy "admins read their webhook endpoints" on public.webhook_endpoints
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins read their webhook events" on public.webhook_events
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins read their webhook deliveries" on public.webhook_deliveries
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
grant select on public.webhook_endpoints, public.webhook_events, public.webhook_deliveries to authenticated;
grant all on public.webhook_endpoints, public.webhook_events, public.webhook_deliveries to service_role;

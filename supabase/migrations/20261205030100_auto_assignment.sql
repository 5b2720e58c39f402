-- Auto-assignment (issue 18, item 5; ADR 095) and the after-hours answers (item 4; ADR 094).
-- A chat that needs a person (an AI handoff, or a customer message in an unassigned human chat)
-- goes round-robin to an online agent under the tenant's capacity; with nobody free it waits in
-- the queue (open, human, unassigned), which the sweeper drains every minute, and where it also
-- returns the chats of agents offline for longer than the tenant's minutes. Admins turn it off.
-- With the AI off, a customer message moves an AI chat to the people, and outside hours the
-- customer gets the away text once per closed stretch.

-- Section - Settings

alter table public.tenants
  add column ai_enabled boolean not null default true,
  add column auto_assign boolean not null default true,
  add column agent_capacity integer not null default 5 check (agent_capacity between 1 and 100),
  add column offline_requeue_minutes integer not null default 10
    check (offline_requeue_minutes between 1 and 1440);
comment on column public.tenants.ai_enabled is
  'Whether the AI answers. Off: a customer message moves the chat to the people (and outside hours gets away_text).';
comment on column public.tenants.auto_assign is 'Chats that need a person are assigned round-robin to online agents.';
comment on column public.tenants.agent_capacity is 'Open human chats an agent holds before auto-assignment skips them.';
comment on column public.tenants.offline_requeue_minutes is
  'An agent offline this long (no desk heartbeat) has their open chats returned to the queue.';

alter table public.conversations add column away_sent_at timestamptz;
comment on column public.conversations.away_sent_at is 'When the away text was last queued (once per closed stretch).';

-- Whose turn it is: the agent assigned longest ago goes first. Private so that a turn taken does
-- not broadcast the agent row to every desk (the feed carries agents).
create table private.assignment_turns (
  user_id uuid primary key references public.agents (user_id) on delete cascade,
  last_assigned_at timestamptz not null
);

-- Counting an agent's load is one index probe per candidate (the decision's < 5 ms budget).
create index conversations_open_held_idx on public.conversations (assigned_agent_id)
  where status = 'open' and mode = 'human';
create index conversations_waiting_idx on public.conversations (tenant_id, mode_changed_at)
  where status = 'open' and mode = 'human' and assigned_agent_id is null;

-- Section - Assignment

-- Online = seen by touch_presence within PRESENCE_ONLINE_SECONDS (@relevo/supabase/limits; ADR 111).
create function private.presence_online_seconds() returns integer
language sql immutable set search_path = '' as $$ select 60 $$;

-- The next agent for a chat of p_tenant_id: online, active, under capacity, longest since their
-- last assignment (never assigned first), ties by id. Null when nobody is free.
create function private.next_assignee(p_tenant_id uuid) returns public.agents
language sql stable security definer set search_path = '' as $$
  select a.* from public.agents a
  join public.tenants t on t.id = a.tenant_id
  left join private.assignment_turns turn on turn.user_id = a.user_id
  where a.tenant_id = p_tenant_id and a.active
    and a.last_seen_at > now() - make_interval(secs => private.presence_online_seconds())
    and (select count(*) from public.conversations c
         where c.assigned_agent_id = a.user_id and c.status = 'open' and c.mode = 'human') < t.agent_capacity
  order by turn.last_assigned_at nulls first, a.user_id
  limit 1
$$;

-- Assigns a waiting chat (open, human, unassigned) when the tenant auto-assigns and someone is
-- free; otherwise returns it unchanged. One decision per tenant at a time, so that two chats
-- arriving together never both count the same free seat.
create function private.auto_assign(p_conv public.conversations) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := p_conv;
  assignee public.agents;
begin
  if conv.status <> 'open' or conv.mode <> 'human' or conv.assigned_agent_id is not null
     or not (select t.auto_assign from public.tenants t where t.id = conv.tenant_id) then
    return conv;
  end if;
  perform pg_advisory_xact_lock(hashtextextended('relevo.assign.' || conv.tenant_id::text, 0));
  assignee := private.next_assignee(conv.tenant_id);
  if assignee.user_id is null then
    return conv;
  end if;
  update public.conversations set assigned_agent_id = assignee.user_id
  where id = conv.id and assigned_agent_id is null returning * into conv;
  if conv.id is null then
    return p_conv; -- assigned meanwhile by someone else
  end if;
  insert into private.assignment_turns (user_id, last_assigned_at) values (assignee.user_id, clock_timestamp())
  on conflict (user_id) do update set last_assigned_at = excluded.last_assigned_at;
  perform private.record_event(conv, 'system', null, 'assign', jsonb_build_object(
    'assignee_id', assignee.user_id, 'assignee_name', assignee.display_name, 'auto', true));
  return conv;
end
$$;

-- For the sweeper (every minute): returns the open human chats of agents offline longer than
-- their tenant's minutes to the queue, then assigns what waits, oldest wait first.
create function public.assign_waiting_chats() returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  requeued integer := 0;
  assigned integer := 0;
begin
  for conv in
    select c.* from public.conversations c
    join public.tenants t on t.id = c.tenant_id and t.auto_assign
    join public.agents a on a.user_id = c.assigned_agent_id
    where c.status = 'open' and c.mode = 'human'
      and coalesce(a.last_seen_at, '-infinity') < now() - make_interval(mins => t.offline_requeue_minutes)
    for update of c skip locked
  loop
    update public.conversations set assigned_agent_id = null where id = conv.id returning * into conv;
    perform private.record_event(conv, 'system', null, 'assign', jsonb_build_object(
      'assignee_id', null, 'previous_agent_id', conv.assigned_agent_id, 'reason', 'agent_offline'));
    requeued := requeued + 1;
  end loop;
  for conv in
    select c.* from public.conversations c
    join public.tenants t on t.id = c.tenant_id and t.auto_assign
    where c.status = 'open' and c.mode = 'human' and c.assigned_agent_id is null
    order by c.mode_changed_at, c.id
    for update of c skip locked
  loop
    if (private.auto_assign(conv)).assigned_agent_id is not null then
      assigned := assigned + 1;
    end if;
  end loop;
  return jsonb_build_object('requeued', requeued, 'assigned', assigned);
end
$$;

-- Section - Automatic messages (through the outbox, like every message the customer gets)

create function private.queue_system_message(p_conv public.conversations, p_body text) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  -- clock_timestamp: after the customer message of this same transaction, in the thread's order.
  sent_at timestamptz := clock_timestamp();
begin
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status,
    next_attempt_at, created_at)
  values (p_conv.tenant_id, p_conv.channel_id, p_conv.id, 'out', 'system', p_body, 'queued', sent_at, sent_at);
  update public.conversations set last_message_at = sent_at, last_message_preview = left(p_body, 120)
  where id = p_conv.id returning * into conv;
  return conv;
end
$$;

-- A customer message arrived (ingest set last_customer_message_at): the AI-off and after-hours
-- rules, then the queue.
create function private.route_customer_message() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := new;
  tenant public.tenants;
begin
  select * into tenant from public.tenants where id = conv.tenant_id;
  if tenant.ai_enabled then
    if conv.mode = 'human' and conv.assigned_agent_id is null then
      perform private.auto_assign(conv);
    end if;
    return null;
  end if;
  if conv.mode = 'ai' then
    update public.conversations
    set mode = 'human', mode_changed_at = now(), assigned_agent_id = null,
        needs_attention = true, attention_reason = 'ai_off'
    where id = conv.id returning * into conv;
    perform private.record_event(conv, 'system', null, 'handoff', jsonb_build_object('reason', 'ai_off'));
  end if;
  if not private.is_open_at(conv.tenant_id, now())
     and (conv.away_sent_at is null or private.next_opening(conv.tenant_id, conv.away_sent_at) <= now())
     and private.service_window_closes_at(conv) > now() then
    conv := private.queue_system_message(conv, private.fill_next_open(conv.tenant_id, tenant.away_text, now()));
    update public.conversations set away_sent_at = now() where id = conv.id returning * into conv;
  end if;
  if conv.assigned_agent_id is null then
    perform private.auto_assign(conv);
  end if;
  return null;
end
$$;
create trigger conversations_route_customer_message
  after update of last_customer_message_at on public.conversations
  for each row when (new.last_customer_message_at is distinct from old.last_customer_message_at)
  execute function private.route_customer_message();

-- ai_handoff as before (20261203070200), except that outside hours the customer gets the tenant's
-- after-hours text with the next opening, and the chat is auto-assigned when someone is free.
create or replace function public.ai_handoff(p_conversation_id uuid, p_reason text) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := private.lock_conversation(p_conversation_id, null);
  tenant public.tenants;
begin
  if coalesce(btrim(p_reason), '') = '' then
    perform private.fail(400, 'invalid_argument', 'A handoff needs a reason');
  end if;
  if conv.mode = 'human' then
    update public.conversations set needs_attention = true, attention_reason = left(p_reason, 500)
    where id = conv.id returning * into conv;
    return conv;
  end if;
  perform private.cancel_ai_outbox(conv.id);
  update public.conversations
  set mode = 'human', mode_changed_at = now(), assigned_agent_id = null,
      needs_attention = true, attention_reason = left(p_reason, 500)
  where id = conv.id returning * into conv;
  if private.service_window_closes_at(conv) > now() then
    select * into tenant from public.tenants t where t.id = conv.tenant_id;
    conv := private.queue_system_message(conv, case when private.is_open_at(conv.tenant_id, now())
      then tenant.fallback_text else private.fill_next_open(conv.tenant_id, tenant.after_hours_handoff_text, now()) end);
  end if;
  perform private.record_event(conv, 'ai', null, 'handoff', jsonb_build_object('reason', left(p_reason, 500)));
  return private.auto_assign(conv);
end
$$;

-- Section - Access

grant update (ai_enabled, auto_assign, agent_capacity, offline_requeue_minutes) on public.tenants to authenticated;
revoke all on private.assignment_turns from public, anon, authenticated;
revoke execute on function private.presence_online_seconds(), private.next_assignee(uuid),
  private.auto_assign(public.conversations), private.queue_system_message(public.conversations, text),
  private.route_customer_message() from public, anon, authenticated;
revoke execute on function public.assign_waiting_chats() from public, anon, authenticated;
grant execute on function public.assign_waiting_chats() to service_role;

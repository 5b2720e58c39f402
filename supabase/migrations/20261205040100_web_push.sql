-- Web Push (issue 18, item 8; ADR 097): alerts that reach a closed desk. Each agent's browser
-- subscribes once (one push_subscriptions row); when a chat needs a person, or a customer writes in
-- a chat assigned to an agent, the database webhook asks the functions to push to the agents
-- concerned, who turned alerts on (agents.push_alerts).

-- Section - Rows

alter table public.agents add column push_alerts boolean not null default false;
comment on column public.agents.push_alerts is 'Push alerts to this agent''s subscribed browsers, even when the desk is closed.';

create table public.push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references public.agents (user_id) on delete cascade,
  -- The push service's URL for this browser (RFC 8030). Plain http only for a loopback test service.
  endpoint text not null unique check (length(endpoint) <= 2000
    and (endpoint ~ '^https://' or endpoint ~ '^http://(127\.0\.0\.1|localhost)(:[0-9]+)?/')),
  -- The browser's P-256 public key (65 bytes) and auth secret (16 bytes), base64url (RFC 8291).
  p256dh text not null check (p256dh ~ '^[A-Za-z0-9_-]{87}$'),
  auth text not null check (auth ~ '^[A-Za-z0-9_-]{22}$'),
  user_agent text check (length(user_agent) <= 300),
  created_at timestamptz not null default now(),
  last_sent_at timestamptz,
  failures integer not null default 0
);
comment on table public.push_subscriptions is 'One row per agent''s browser that accepts Web Push alerts.';
create index push_subscriptions_user on public.push_subscriptions (user_id);

alter table public.push_subscriptions enable row level security;
create policy "agents read their own browsers" on public.push_subscriptions
  for select to authenticated using (user_id = (select auth.uid()));
revoke all on public.push_subscriptions from anon, authenticated;
grant select on public.push_subscriptions to authenticated;
grant all on public.push_subscriptions to service_role;

-- Section - The desk's functions

-- This browser subscribed: store it (a browser another agent used before becomes this agent's)
-- and turn the agent's push alerts on.
create function public.save_push_subscription(p_endpoint text, p_p256dh text, p_auth text, p_user_agent text default null)
returns uuid language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  saved uuid;
begin
  if p_endpoint is null or p_p256dh is null or p_auth is null then
    perform private.fail(400, 'invalid_argument', 'A push subscription needs endpoint, p256dh and auth',
      'Pass PushSubscription.toJSON(): {endpoint, keys: {p256dh, auth}}');
  end if;
  begin
    insert into public.push_subscriptions (tenant_id, user_id, endpoint, p256dh, auth, user_agent)
    values (me.tenant_id, me.user_id, p_endpoint, p_p256dh, p_auth, left(p_user_agent, 300))
    on conflict (endpoint) do update set tenant_id = excluded.tenant_id, user_id = excluded.user_id,
      p256dh = excluded.p256dh, auth = excluded.auth, user_agent = excluded.user_agent, failures = 0
    returning id into saved;
  exception when check_violation then
    perform private.fail(400, 'invalid_subscription', 'Not a Web Push subscription',
      'The endpoint must be https, p256dh 65 bytes and auth 16 bytes, both base64url');
  end;
  update public.agents set push_alerts = true where user_id = me.user_id;
  return saved;
end
$$;

-- The agent's switch for all their browsers.
create function public.set_push_alerts(p_on boolean) returns boolean
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if p_on is null then
    perform private.fail(400, 'invalid_argument', 'p_on must be true or false');
  end if;
  update public.agents set push_alerts = p_on where user_id = me.user_id;
  return p_on;
end
$$;

-- Section - What to push, to whom

-- The agents a push of this kind reaches: everyone on for a chat that needs a person, the
-- assignee for a customer's message.
create function private.push_recipients(p_conv public.conversations, p_kind text) returns setof uuid
language sql stable security definer set search_path = '' as $$
  select a.user_id from public.agents a
  where a.tenant_id = p_conv.tenant_id and a.active and a.push_alerts
    and (p_kind = 'needs_person' or a.user_id = p_conv.assigned_agent_id)
    and exists (select 1 from public.push_subscriptions s where s.user_id = a.user_id)
$$;

-- Asks the functions to push (the same signed hook as incoming messages). Nothing is sent for a
-- tenant where nobody concerned has push on, so stores without it pay one lookup.
create function private.dispatch_push(p_conv public.conversations, p_kind text, p_message_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from private.push_recipients(p_conv, p_kind)) then
    perform private.dispatch_webhook('incoming_message', jsonb_build_object('type', 'INSERT',
      'table', 'push_alerts', 'schema', 'public', 'old_record', null,
      'record', jsonb_build_object('conversation_id', p_conv.id, 'kind', p_kind, 'message_id', p_message_id)));
  end if;
end
$$;

create function private.push_on_needs_person() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.dispatch_push(new, 'needs_person', null);
  return null;
end
$$;
create trigger conversations_push_needs_person after update of needs_attention on public.conversations
  for each row when (new.needs_attention and not old.needs_attention)
  execute function private.push_on_needs_person();

create function private.push_on_customer_message() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
begin
  select * into conv from public.conversations where id = new.conversation_id;
  if conv.assigned_agent_id is not null then
    perform private.dispatch_push(conv, 'customer_message', new.id);
  end if;
  return null;
end
$$;
-- A rating (CSAT answer) is not news for the agent.
create trigger messages_push_customer after insert on public.messages
  for each row when (new.direction = 'in' and new.author = 'customer' and new.csat is null)
  execute function private.push_on_customer_message();

-- For the functions (service role): each browser to push to, with the notification it shows.
-- The text is in the tenant's language; the message's words only for a customer's message.
create function public.push_targets(p_conversation_id uuid, p_kind text, p_message_id uuid default null)
returns table (subscription_id uuid, endpoint text, p256dh text, auth text, notification jsonb)
language plpgsql stable security definer set search_path = '' as $$
declare
  conv public.conversations;
  lang text;
  who text;
  body text;
begin
  if p_kind is null or p_kind not in ('needs_person', 'customer_message') then
    perform private.fail(400, 'invalid_argument', 'kind must be needs_person or customer_message');
  end if;
  select * into conv from public.conversations where id = p_conversation_id;
  if not found then
    perform private.fail(404, 'conversation_not_found', 'No conversation with that id');
  end if;
  select t.language into lang from public.tenants t where t.id = conv.tenant_id;
  who := coalesce(conv.customer_name, conv.customer_phone, conv.wa_chat_id);
  if p_kind = 'needs_person' then
    body := case lang when 'en' then 'Needs a person' else 'Necesita una persona' end
      || coalesce(': ' || left(conv.attention_reason, 120), '');
  else
    select left(coalesce(nullif(btrim(m.body), ''), '[' || m.type || ']'), 120) into body
    from public.messages m where m.id = p_message_id and m.conversation_id = conv.id;
    body := coalesce(body, case lang when 'en' then 'New message' else 'Mensaje nuevo' end);
  end if;
  return query
    select s.id, s.endpoint, s.p256dh, s.auth, jsonb_build_object('title', who, 'body', body,
      'url', '/inbox/' || conv.id, 'tag', 'relevo-' || conv.id || '-' || p_kind, 'kind', p_kind)
    from public.push_subscriptions s
    where s.user_id in (select private.push_recipients(conv, p_kind));
end
$$;

-- The push service's answer: a gone subscription (404, 410) is deleted, others are counted.
create function public.finish_push(p_subscription_id uuid, p_status integer) returns void
language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_id(p_subscription_id, 'subscription id');
  if p_status in (404, 410) then
    delete from public.push_subscriptions where id = p_subscription_id;
  elsif p_status between 200 and 299 then
    update public.push_subscriptions set last_sent_at = now(), failures = 0 where id = p_subscription_id;
  else
    update public.push_subscriptions set failures = failures + 1 where id = p_subscription_id;
  end if;
end
$$;

-- Section - Grants

revoke execute on function public.save_push_subscription(text, text, text, text), public.set_push_alerts(boolean),
  public.push_targets(uuid, text, uuid), public.finish_push(uuid, integer) from public, anon, authenticated;
grant execute on function public.save_push_subscription(text, text, text, text), public.set_push_alerts(boolean)
  to authenticated;
grant execute on function public.save_push_subscription(text, text, text, text), public.set_push_alerts(boolean),
  public.push_targets(uuid, text, uuid), public.finish_push(uuid, integer) to service_role;
revoke execute on function private.push_recipients(public.conversations, text),
  private.dispatch_push(public.conversations, text, uuid), private.push_on_needs_person(),
  private.push_on_customer_message() from public, anon, authenticated;

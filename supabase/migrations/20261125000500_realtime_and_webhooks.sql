-- How changes leave the database: per-tenant private broadcast topics for the dashboard,
-- a per-channel outbox topic for the connector, and the database webhook for new
-- incoming messages (pg_net on Supabase, a NOTIFY queue for the local stand-in).

-- Tenant feed: every change of a conversation, message, channel, agent or AI run is
-- broadcast on the private topic tenant:<tenant_id> (Supabase's scalable path, ADR 002).
create function private.broadcast_tenant_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  tenant uuid := coalesce(new.tenant_id, old.tenant_id);
begin
  perform realtime.broadcast_changes('tenant:' || tenant::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end
$$;
create trigger conversations_broadcast after insert or update on public.conversations
  for each row execute function private.broadcast_tenant_change();
create trigger messages_broadcast after insert or update on public.messages
  for each row execute function private.broadcast_tenant_change();
create trigger channels_broadcast after insert or update on public.channels
  for each row execute function private.broadcast_tenant_change();
create trigger agents_broadcast after insert or update on public.agents
  for each row execute function private.broadcast_tenant_change();
create trigger ai_runs_broadcast after insert or update on public.ai_runs
  for each row execute function private.broadcast_tenant_change();

-- Connector wake-up: a queued outgoing message is announced on channel:<channel_id>.
-- The connector also polls, so a missed broadcast only delays a send.
create function private.announce_outbox() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object('message_id', new.id), 'outbox', 'channel:' || new.channel_id::text, true);
  return null;
end
$$;
create trigger messages_announce_outbox after insert or update of status on public.messages
  for each row when (new.direction = 'out' and new.status = 'queued' and not new.private)
  execute function private.announce_outbox();

-- Channels also in the publication, for clients that prefer postgres_changes (QR screen).
alter publication supabase_realtime add table public.channels;

-- Outgoing webhook requests when pg_net is absent (local stand-in delivers them).
create table private.webhook_requests (
  id bigserial primary key,
  url text not null,
  headers jsonb not null,
  body jsonb not null,
  timeout_ms integer not null default 5000,
  created_at timestamptz not null default now()
);
create table private.webhook_responses (
  request_id bigint primary key references private.webhook_requests (id) on delete cascade,
  status_code integer,
  content text,
  error_msg text,
  timed_out boolean not null default false,
  attempts integer not null default 1,
  created_at timestamptz not null default now()
);

-- Sends a Supabase-style database webhook to the hook configured in private.webhook_config.
-- On Supabase this goes through pg_net (sent after commit); elsewhere it is queued and NOTIFYed.
create function private.dispatch_webhook(p_name text, p_body jsonb) returns void
language plpgsql security definer set search_path = '' as $$
declare
  hook private.webhook_config;
  headers jsonb;
  request_id bigint;
begin
  select * into hook from private.webhook_config where name = p_name;
  if not found then
    return; -- not configured (e.g. migrations applied without a functions URL): the sweeper covers it
  end if;
  headers := jsonb_build_object('Content-Type', 'application/json', 'X-Relevo-Webhook-Secret', hook.secret);
  if to_regprocedure('net.http_post(text,jsonb,jsonb,jsonb,integer)') is not null then
    execute 'select net.http_post(url => $1, body => $2, params => $3, headers => $4, timeout_milliseconds => $5)'
      using hook.url, p_body, '{}'::jsonb, headers, 5000;
  else
    insert into private.webhook_requests (url, headers, body) values (hook.url, headers, p_body)
    returning id into request_id;
    perform pg_notify('relevo_webhooks', request_id::text);
  end if;
end
$$;

create function private.dispatch_incoming_webhook(p_message public.messages) returns void
language sql security definer set search_path = '' as $$
  select private.dispatch_webhook('incoming_message', jsonb_build_object(
    'type', 'INSERT', 'table', 'messages', 'schema', 'public', 'record', to_jsonb(p_message), 'old_record', null
  ))
$$;

create function private.on_incoming_message() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.dispatch_incoming_webhook(new);
  return null;
end
$$;
create trigger messages_incoming_webhook after insert on public.messages
  for each row when (new.direction = 'in') execute function private.on_incoming_message();

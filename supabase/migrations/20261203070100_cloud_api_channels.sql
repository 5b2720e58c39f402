-- The official WhatsApp Cloud API as a second kind of channel (ADR 120). Meta calls the functions'
-- webhook and the functions send through the Graph API, so a cloud_api channel has no connector:
-- its configuration routes webhooks (phone_number_id, unique across tenants), its secrets sign and
-- authorize the traffic, and the same SQL functions as the connector's store its messages.

-- Section - Tables

create table public.cloud_api_channels (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  phone_number_id text not null unique check (phone_number_id ~ '^[0-9]{5,32}$'),
  waba_id text not null check (waba_id ~ '^[0-9]{5,32}$'),
  messages_per_second integer not null default 80 check (messages_per_second between 1 and 1000),
  display_phone_number text,
  verified_name text,
  quality_rating text,
  checked_at timestamptz,
  last_error text,
  updated_at timestamptz not null default now()
);
comment on table public.cloud_api_channels is
  'Routing and pacing of a cloud_api channel: Meta''s phone number id and WhatsApp Business Account id, the send '
  'rate, and what the Graph API last said about the number. Nothing secret: the secrets are in private.cloud_api_secrets.';

-- Admin-write-only, service-read secrets, beside private.tenant_secrets and kept apart from it so
-- that both can move to Vault together.
create table private.cloud_api_secrets (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  access_token text not null check (length(access_token) between 1 and 2000),
  app_secret text not null check (length(app_secret) between 1 and 200),
  verify_token text not null check (length(verify_token) between 1 and 200),
  updated_at timestamptz not null default now()
);

alter table public.messages add column template jsonb
  check (template is null or (jsonb_typeof(template) = 'object' and template ? 'name' and template ? 'language'));
comment on column public.messages.template is
  'A WhatsApp template message (Cloud API only): {name, language, parameters[]}; body holds the text the agent saw.';

create index cloud_api_channels_tenant_idx on public.cloud_api_channels (tenant_id);
create index cloud_api_secrets_tenant_idx on private.cloud_api_secrets (tenant_id);
create index cloud_api_secrets_verify_token_idx on private.cloud_api_secrets (verify_token);

-- Section - Admin functions

-- Adds (p_channel_id null) or changes a Cloud API number. Secrets are write-only: null or '' keeps
-- the stored one; a new number needs all three. A new access token clears an error state.
create function public.save_cloud_api_channel(
  p_channel_id uuid, p_name text, p_phone_number_id text, p_waba_id text,
  p_access_token text default null, p_app_secret text default null, p_verify_token text default null,
  p_messages_per_second integer default null
) returns public.channels language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  v_token text := nullif(btrim(coalesce(p_access_token, '')), '');
  v_app_secret text := nullif(btrim(coalesce(p_app_secret, '')), '');
  v_verify text := nullif(btrim(coalesce(p_verify_token, '')), '');
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can add or change a WhatsApp number');
  end if;
  if coalesce(p_phone_number_id, '') !~ '^[0-9]{5,32}$' or coalesce(p_waba_id, '') !~ '^[0-9]{5,32}$' then
    perform private.fail(400, 'invalid_argument', 'The phone number id and WhatsApp Business Account id are digits',
      'Copy both from Meta''s App Dashboard: WhatsApp → API Setup');
  end if;
  if p_messages_per_second is not null and p_messages_per_second not between 1 and 1000 then
    perform private.fail(400, 'invalid_argument', 'The send rate must be 1 to 1000 messages per second',
      'Meta''s default throughput is 80 messages per second per number');
  end if;
  if exists (select 1 from public.cloud_api_channels c where c.phone_number_id = p_phone_number_id
             and c.channel_id is distinct from p_channel_id) then
    perform private.fail(409, 'phone_number_id_taken', 'Another channel already uses this phone number id',
      'Each Cloud API number is routed by its phone number id, so it can belong to one channel only');
  end if;
  if p_channel_id is null then
    if v_token is null or v_app_secret is null or v_verify is null then
      perform private.fail(400, 'invalid_argument', 'A new Cloud API number needs its access token, app secret and verify token');
    end if;
    insert into public.channels (tenant_id, kind, name, status)
    values (me.tenant_id, 'cloud_api', coalesce(nullif(btrim(p_name), ''), 'WhatsApp Cloud API'), 'ready')
    returning * into chan;
    insert into public.cloud_api_channels (channel_id, tenant_id, phone_number_id, waba_id, messages_per_second)
    values (chan.id, chan.tenant_id, p_phone_number_id, p_waba_id, coalesce(p_messages_per_second, 80));
    insert into private.cloud_api_secrets (channel_id, tenant_id, access_token, app_secret, verify_token)
    values (chan.id, chan.tenant_id, v_token, v_app_secret, v_verify);
  else
    update public.channels
    set name = coalesce(nullif(btrim(p_name), ''), name),
        status = case when v_token is not null and status = 'error' then 'ready' else status end,
        status_changed_at = case when v_token is not null and status = 'error' then now() else status_changed_at end
    where id = p_channel_id and tenant_id = me.tenant_id and kind = 'cloud_api' returning * into chan;
    if chan.id is null then
      perform private.fail(404, 'channel_not_found', 'No Cloud API channel with that id in your tenant');
    end if;
    update public.cloud_api_channels
    set phone_number_id = p_phone_number_id, waba_id = p_waba_id,
        messages_per_second = coalesce(p_messages_per_second, messages_per_second),
        last_error = case when v_token is not null then null else last_error end, updated_at = now()
    where channel_id = chan.id;
    update private.cloud_api_secrets
    set access_token = coalesce(v_token, access_token), app_secret = coalesce(v_app_secret, app_secret),
        verify_token = coalesce(v_verify, verify_token), updated_at = now()
    where channel_id = chan.id;
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'cloud_api_channel_saved', jsonb_build_object(
    'channel_id', chan.id, 'created', p_channel_id is null, 'phone_number_id', p_phone_number_id,
    'access_token', v_token is not null, 'app_secret', v_app_secret is not null, 'verify_token', v_verify is not null));
  return chan;
end
$$;

-- Which secrets of a Cloud API number are set (never their values), for the Connection screen.
create function public.cloud_api_secrets_status(p_channel_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  s private.cloud_api_secrets;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can see which secrets are set');
  end if;
  select * into s from private.cloud_api_secrets where channel_id = p_channel_id and tenant_id = me.tenant_id;
  return jsonb_build_object('access_token', s.access_token is not null, 'app_secret', s.app_secret is not null,
    'verify_token', s.verify_token is not null);
end
$$;

-- Section - Service functions (the functions app, service role)

-- Everything the functions need to serve one Cloud API number, secrets included.
create function private.cloud_api_config(p_where_channel uuid, p_where_number text) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('channel_id', c.channel_id, 'tenant_id', c.tenant_id, 'status', ch.status,
    'phone_number_id', c.phone_number_id, 'waba_id', c.waba_id, 'messages_per_second', c.messages_per_second,
    'access_token', s.access_token, 'app_secret', s.app_secret)
  from public.cloud_api_channels c
  join public.channels ch on ch.id = c.channel_id
  join private.cloud_api_secrets s on s.channel_id = c.channel_id
  where (p_where_channel is null or c.channel_id = p_where_channel)
    and (p_where_number is null or c.phone_number_id = p_where_number)
$$;

create function public.cloud_api_channel(p_channel_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select private.cloud_api_config(private.require_id(p_channel_id, 'channel id'), null)
$$;

-- Webhook routing: Meta names the number by its phone_number_id in every change.
create function public.cloud_api_channel_for_number(p_phone_number_id text) returns jsonb
language sql stable security definer set search_path = '' as $$
  select private.cloud_api_config(null, p_phone_number_id) where coalesce(p_phone_number_id, '') <> ''
$$;

-- Meta's verification request names no number: any channel's verify token is accepted.
create function public.cloud_api_verify_token_known(p_verify_token text) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from private.cloud_api_secrets where verify_token = p_verify_token)
$$;

-- What the Graph API says about the number (the Connection screen's Test): stored for the screen;
-- a working token also ends an error state.
create function public.record_cloud_api_check(
  p_channel_id uuid, p_display_phone_number text, p_verified_name text, p_quality_rating text
) returns void language plpgsql security definer set search_path = '' as $$
begin
  update public.cloud_api_channels
  set display_phone_number = p_display_phone_number, verified_name = p_verified_name,
      quality_rating = p_quality_rating, checked_at = now(), last_error = null
  where channel_id = private.require_id(p_channel_id, 'channel id');
  update public.channels
  set status = 'ready', status_changed_at = case when status <> 'ready' then now() else status_changed_at end,
      phone = coalesce(p_display_phone_number, phone)
  where id = p_channel_id and status <> 'ready';
end
$$;

-- The Graph API refused the channel's access token (error 190): the number is in error until an
-- admin saves a new token. The status change reaches the desks' alerts through the tenant feed.
create function public.set_cloud_api_error(p_channel_id uuid, p_error text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update public.cloud_api_channels set last_error = left(coalesce(p_error, 'unknown error'), 500), updated_at = now()
  where channel_id = private.require_id(p_channel_id, 'channel id');
  update public.channels set status = 'error', status_changed_at = now()
  where id = p_channel_id and status <> 'error';
  if found then
    insert into public.audit_log (tenant_id, actor_kind, action, details)
    select tenant_id, 'system', 'channel_error', jsonb_build_object('channel_id', id, 'error', left(p_error, 500))
    from public.channels where id = p_channel_id;
  end if;
end
$$;

-- The outbox of a Cloud API number, claimed like the connector's (claim_outbox: lease, SKIP
-- LOCKED), with the recipient the Graph API needs.
create function public.claim_cloud_outbox(
  p_channel_id uuid, p_worker text, p_limit integer default 100, p_lease_seconds integer default 60
) returns table (id uuid, conversation_id uuid, recipient text, body text, template jsonb, attempts integer)
language sql security definer set search_path = '' as $$
  select m.id, m.conversation_id, c.wa_chat_id, m.body, m.template, m.attempts
  from public.claim_outbox(p_channel_id, p_worker, p_limit, p_lease_seconds) m
  join public.conversations c on c.id = m.conversation_id
  order by m.created_at, m.id
$$;

-- When the outbox of a channel next has work: a queued row's attempt time or a lease's expiry.
create function public.next_outbox_due(p_channel_id uuid) returns timestamptz
language sql stable security definer set search_path = '' as $$
  select min(case when m.status = 'queued' then coalesce(m.next_attempt_at, m.created_at) else m.lease_expires_at end)
  from public.messages m
  where m.channel_id = p_channel_id and m.direction = 'out' and not m.private and m.wa_message_id is null
    and m.status in ('queued', 'sending')
$$;

-- For the sweeper: Cloud API channels with outbox work due (a dropped database webhook).
create function public.cloud_channels_with_due_outbox() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select c.channel_id from public.cloud_api_channels c
  where exists (select 1 from public.messages m
    where m.channel_id = c.channel_id and m.direction = 'out' and not m.private and m.wa_message_id is null
      and ((m.status = 'queued' and coalesce(m.next_attempt_at, m.created_at) <= now())
        or (m.status = 'sending' and m.lease_expires_at < now())))
$$;

-- A delivery that failed after Meta accepted it (a statuses[] item with status failed): the
-- error code and title go on the message for the desk.
create function public.record_delivery_failure(p_channel_id uuid, p_wa_message_id text, p_error text)
returns boolean language plpgsql security definer set search_path = '' as $$
declare
  changed integer;
begin
  perform private.require_id(p_channel_id, 'channel id');
  if coalesce(p_wa_message_id, '') = '' then
    perform private.fail(400, 'invalid_argument', 'A delivery failure needs the WhatsApp message id');
  end if;
  update public.messages set status = 'failed', error = left(coalesce(p_error, 'delivery failed'), 1000),
    lease_expires_at = null
  where channel_id = p_channel_id and wa_message_id = p_wa_message_id and direction = 'out'
    and status in ('sending', 'sent', 'delivered');
  get diagnostics changed = row_count;
  return changed > 0;
end
$$;

-- Section - Database webhook for the Cloud API outbox

-- A queued outgoing message of a cloud_api channel is announced to the functions (which send it)
-- through the same hook as incoming messages: one URL and one secret to configure.
create function private.on_cloud_outbox() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.channels c where c.id = new.channel_id and c.kind = 'cloud_api') then
    perform private.dispatch_webhook('incoming_message', jsonb_build_object(
      'type', tg_op, 'table', 'messages', 'schema', 'public', 'old_record', null,
      'record', jsonb_build_object('id', new.id, 'direction', new.direction, 'status', new.status,
        'conversation_id', new.conversation_id, 'channel_id', new.channel_id)));
  end if;
  return null;
end
$$;
create trigger messages_cloud_outbox_webhook after insert or update of status on public.messages
  for each row when (new.direction = 'out' and new.status = 'queued' and not new.private)
  execute function private.on_cloud_outbox();

-- Section - RLS policies

alter table public.cloud_api_channels enable row level security;
create policy "agents read their Cloud API numbers" on public.cloud_api_channels
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));

-- Section - Grants

revoke all on public.cloud_api_channels from anon, authenticated;
grant select on public.cloud_api_channels to authenticated;
grant all on public.cloud_api_channels to service_role;
revoke execute on function private.cloud_api_config(uuid, text), private.on_cloud_outbox()
  from public, anon, authenticated;
revoke execute on function public.save_cloud_api_channel(uuid, text, text, text, text, text, text, integer),
  public.cloud_api_secrets_status(uuid), public.cloud_api_channel(uuid), public.cloud_api_channel_for_number(text),
  public.cloud_api_verify_token_known(text), public.record_cloud_api_check(uuid, text, text, text),
  public.set_cloud_api_error(uuid, text), public.claim_cloud_outbox(uuid, text, integer, integer),
  public.next_outbox_due(uuid), public.cloud_channels_with_due_outbox(),
  public.record_delivery_failure(uuid, text, text)
  from public, anon, authenticated;
grant execute on function public.save_cloud_api_channel(uuid, text, text, text, text, text, text, integer),
  public.cloud_api_secrets_status(uuid) to authenticated;
grant execute on function public.cloud_api_channel(uuid), public.cloud_api_channel_for_number(text),
  public.cloud_api_verify_token_known(text), public.record_cloud_api_check(uuid, text, text, text),
  public.set_cloud_api_error(uuid, text), public.claim_cloud_outbox(uuid, text, integer, integer),
  public.next_outbox_due(uuid), public.cloud_channels_with_due_outbox(),
  public.record_delivery_failure(uuid, text, text) to service_role;

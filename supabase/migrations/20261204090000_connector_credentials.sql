-- A connector holds only its own channel's keys (ADR 074). Until now every connector carried the
-- service role key: one stolen container opened every tenant. Now an admin issues a credential for
-- one channel: an Auth user of its own (no agent row, so RLS shows it no table row), signed in with
-- a one-time secret. The SQL functions a connector calls (messages, outbox, acks, status, and the
-- media functions of 20261203020000) check that a connector acts only for its own channel, and
-- Storage lets it write only its own channel's chat folders in the bucket media; the service role
-- (the Worker, local development) may still act for any channel.

create table public.connector_credentials (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  -- The Auth user the connector signs in as; deleted (so null here) when the credential is revoked.
  user_id uuid unique references auth.users (id) on delete set null,
  label text not null default '' check (length(label) <= 100),
  created_by uuid references public.agents (user_id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references public.agents (user_id) on delete set null
);
comment on table public.connector_credentials is
  'Credentials of the connectors of a tenant, one channel each; the secret is only shown once, to the admin who issued it.';
create index connector_credentials_tenant_idx on public.connector_credentials (tenant_id, created_at desc);
create index connector_credentials_channel_idx on public.connector_credentials (channel_id);
create index connector_credentials_created_by_idx on public.connector_credentials (created_by);
create index connector_credentials_revoked_by_idx on public.connector_credentials (revoked_by);

-- The channel the calling connector serves, or null when the caller is not a live connector.
create function private.connector_channel_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select channel_id from public.connector_credentials where user_id = (select auth.uid()) and revoked_at is null
$$;

-- Who may act for a channel: the service role (or a direct database session without API claims:
-- migrations, tests, cron), and a live connector credential of that very channel. Anyone else gets
-- a 401 (no or a revoked credential) or a 403 (another channel's credential).
create function private.require_channel_actor(p_channel_id uuid) returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  role text := coalesce((select auth.role()), '');
  mine uuid;
begin
  if role in ('', 'service_role') then
    return;
  end if;
  mine := private.connector_channel_id();
  if mine is null then
    perform private.fail(401, 'connector_credential_invalid', 'Only a channel''s connector may do this',
      'Give the connector a live CONNECTOR_KEY (an admin issues one with issue_connector_credential)');
  end if;
  if p_channel_id is distinct from mine then
    perform private.fail(403, 'wrong_channel', 'This connector credential may act only for its own channel',
      'Set CHANNEL_ID to the channel the CONNECTOR_KEY was issued for');
  end if;
end
$$;

-- Outbox rows by id: another channel's row is as unknown as a missing one (404).
create or replace function private.require_outbox_message(p_message_id uuid) returns public.messages
language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
begin
  perform private.require_id(p_message_id, 'message id');
  select * into msg from public.messages where id = p_message_id and direction = 'out' and not private for update;
  if not found or (coalesce((select auth.role()), '') not in ('', 'service_role')
                   and msg.channel_id is distinct from private.connector_channel_id()) then
    perform private.fail(404, 'message_not_found', 'No outgoing message with that id');
  end if;
  return msg;
end
$$;

-- The rules stay where they are: each channel function moves to private unchanged, and public
-- gets a same-named entry point that checks the caller first (ingest_messages calls
-- public.ingest_message per element, so a batch is checked element by element).
alter function public.ingest_message(uuid, text, text, boolean, text, text, text, text, jsonb, timestamptz)
  set schema private;
alter function public.claim_outbox(uuid, text, integer, integer) set schema private;
alter function public.record_ack(uuid, text, public.message_status) set schema private;
alter function public.record_revoke(uuid, text, timestamptz) set schema private;
alter function public.record_edit(uuid, text, text, timestamptz) set schema private;
alter function public.set_channel_status(uuid, public.channel_status, text, timestamptz, text) set schema private;
alter function public.channel_heartbeat(uuid) set schema private;

create function public.ingest_message(
  p_channel_id uuid, p_wa_message_id text, p_wa_chat_id text, p_from_me boolean, p_body text,
  p_customer_name text default null, p_customer_phone text default null,
  p_type text default 'text', p_media jsonb default null, p_sent_at timestamptz default null
) returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.ingest_message(p_channel_id, p_wa_message_id, p_wa_chat_id, p_from_me, p_body,
    p_customer_name, p_customer_phone, p_type, p_media, p_sent_at);
end
$$;

create function public.claim_outbox(
  p_channel_id uuid, p_worker text, p_limit integer default 10, p_lease_seconds integer default 60
) returns setof public.messages language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return query select * from private.claim_outbox(p_channel_id, p_worker, p_limit, p_lease_seconds);
end
$$;

create function public.record_ack(p_channel_id uuid, p_wa_message_id text, p_status public.message_status)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.record_ack(p_channel_id, p_wa_message_id, p_status);
end
$$;

create function public.record_revoke(p_channel_id uuid, p_wa_message_id text, p_revoked_at timestamptz default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.record_revoke(p_channel_id, p_wa_message_id, p_revoked_at);
end
$$;

create function public.record_edit(
  p_channel_id uuid, p_wa_message_id text, p_body text, p_edited_at timestamptz default null
) returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.record_edit(p_channel_id, p_wa_message_id, p_body, p_edited_at);
end
$$;

create function public.set_channel_status(
  p_channel_id uuid, p_status public.channel_status, p_qr text default null,
  p_qr_expires_at timestamptz default null, p_phone text default null
) returns public.channels language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.set_channel_status(p_channel_id, p_status, p_qr, p_qr_expires_at, p_phone);
end
$$;

create function public.channel_heartbeat(p_channel_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return private.channel_heartbeat(p_channel_id);
end
$$;

-- The chats of claimed outbox rows (a connector reads no table directly).
create function public.outbox_chats(p_channel_id uuid, p_conversation_ids uuid[])
returns table (conversation_id uuid, wa_chat_id text)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return query select c.id, c.wa_chat_id from public.conversations c
    where c.channel_id = p_channel_id and c.id = any(coalesce(p_conversation_ids, '{}'));
end
$$;

-- The media functions (20261203020000) by message id: a message of another channel is as unknown
-- as a missing one (404), like outbox rows; without a live credential the caller gets the 401 of
-- require_channel_actor.
create function private.require_message_actor(p_message_id uuid) returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  mine uuid;
begin
  if coalesce((select auth.role()), '') in ('', 'service_role') then
    return;
  end if;
  mine := private.connector_channel_id();
  if mine is null then
    perform private.require_channel_actor(null); -- fails with 401 connector_credential_invalid
  end if;
  if not exists (select 1 from public.messages m where m.id = p_message_id and m.channel_id = mine) then
    perform private.fail(404, 'message_not_found', 'No message with a file under that id');
  end if;
end
$$;

alter function public.mark_media_stored(uuid, jsonb) set schema private;
alter function public.mark_media_failed(uuid, text, boolean, integer) set schema private;
alter function public.media_to_fetch(uuid, integer, integer) set schema private;

create function public.mark_media_stored(p_message_id uuid, p_media jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_message_actor(private.require_id(p_message_id, 'message id'));
  return private.mark_media_stored(p_message_id, p_media);
end
$$;

create function public.mark_media_failed(
  p_message_id uuid, p_error text, p_retryable boolean default true, p_max_attempts integer default 5
) returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_message_actor(private.require_id(p_message_id, 'message id'));
  return private.mark_media_failed(p_message_id, p_error, p_retryable, p_max_attempts);
end
$$;

create function public.media_to_fetch(
  p_channel_id uuid, p_limit integer default 20, p_pending_age_seconds integer default 60
) returns table (message_id uuid, tenant_id uuid, conversation_id uuid, wa_message_id text, type text,
  media jsonb, media_status text, media_attempts integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_channel_actor(p_channel_id);
  return query select * from private.media_to_fetch(p_channel_id, p_limit, p_pending_age_seconds);
end
$$;

-- Storage: a connector keeps incoming files under <tenant>/<conversation>/ of its own channel's
-- chats (the only place mark_media_stored accepts) and reads its tenant's outgoing/ folder (files
-- agents send). Everything else in the bucket, and every other bucket, stays closed to it.
create function private.connector_media_folder(p_name text) returns boolean
language sql stable security definer set search_path = '' as $$
  select cardinality(storage.foldername(p_name)) = 2 and exists (
    select 1 from public.conversations c
    where c.channel_id = private.connector_channel_id()
      and c.tenant_id::text = (storage.foldername(p_name))[1] and c.id::text = (storage.foldername(p_name))[2])
$$;

create function private.connector_outgoing_folder(p_name text) returns boolean
language sql stable security definer set search_path = '' as $$
  select (storage.foldername(p_name))[2] = 'outgoing' and exists (
    select 1 from public.connector_credentials k
    where k.user_id = (select auth.uid()) and k.revoked_at is null and k.tenant_id::text = (storage.foldername(p_name))[1])
$$;

create policy connector_media_read on storage.objects for select to authenticated
  using (bucket_id = 'media' and (private.connector_media_folder(name) or private.connector_outgoing_folder(name)));
create policy connector_media_upload on storage.objects for insert to authenticated
  with check (bucket_id = 'media' and private.connector_media_folder(name));
create policy connector_media_replace on storage.objects for update to authenticated
  using (bucket_id = 'media' and private.connector_media_folder(name))
  with check (bucket_id = 'media' and private.connector_media_folder(name));
create policy connector_media_remove on storage.objects for delete to authenticated
  using (bucket_id = 'media' and private.connector_media_folder(name));

-- The media size limits are for agents (20261203010000 let every signed-in user read them): a
-- connector, which reads no table, learns them from its own configuration.
drop policy media_limits_read on public.media_limits;
create policy media_limits_read on public.media_limits for select to authenticated
  using ((select private.current_tenant_id()) is not null);

-- A connector's login is never an agent: neither create_tenant nor an invitation may turn it into
-- one (it would then read a tenant's tables with a key kept in a container).
create function private.refuse_connector_agent() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.connector_credentials where user_id = new.user_id) then
    perform private.fail(403, 'connector_not_agent', 'A connector credential cannot become an agent',
      'Sign in with a person''s account');
  end if;
  return new;
end
$$;
create trigger agents_refuse_connector before insert or update of user_id on public.agents
  for each row execute function private.refuse_connector_agent();

-- The calling admin; for the operator (the service role, or the SQL editor: no API claims) an
-- empty agent row, which may act on every tenant.
create function private.require_admin_or_operator(p_refusal text) returns public.agents
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents;
begin
  if coalesce((select auth.role()), '') in ('', 'service_role') then
    return me;
  end if;
  me := private.require_agent();
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', p_refusal);
  end if;
  return me;
end
$$;

-- An admin (or the operator) issues a credential for one of its tenant's channels. Returns the key once:
-- `<credential id>.<secret>`; the connector signs in as <credential id>@connector.relevo.invalid.
create function public.issue_connector_credential(p_channel_id uuid, p_label text default '') returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin_or_operator('Only admins can issue connector credentials');
  chan public.channels;
  credential public.connector_credentials;
  secret text := encode(extensions.gen_random_bytes(24), 'hex');
  credential_id uuid := gen_random_uuid();
  login_user uuid := gen_random_uuid();
  login_email text := credential_id::text || '@connector.relevo.invalid';
begin
  if length(coalesce(p_label, '')) > 100 then
    perform private.fail(400, 'invalid_argument', 'A label has at most 100 characters');
  end if;
  select * into chan from public.channels where id = private.require_id(p_channel_id, 'channel id')
    and (me.user_id is null or tenant_id = me.tenant_id);
  if not found then
    perform private.fail(404, 'channel_not_found', 'Channel not found');
  end if;
  if chan.kind <> 'whatsapp_web' then
    perform private.fail(409, 'channel_has_no_connector', 'Only a WhatsApp Web channel has a connector',
      'A Cloud API number is served by the functions; it needs no connector credential');
  end if;
  -- The Auth user first (the credential row refers to it). Token columns are '' rather than NULL:
  -- GoTrue cannot sign in a user whose tokens are NULL (supabase/auth#1940).
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, confirmation_token, recovery_token, email_change_token_new, email_change)
  values ('00000000-0000-0000-0000-000000000000', login_user, 'authenticated', 'authenticated', login_email,
    extensions.crypt(secret, extensions.gen_salt('bf', 10)), now(),
    jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
    jsonb_build_object('connector_channel_id', chan.id), '', '', '', '');
  insert into auth.identities (provider_id, user_id, identity_data, provider)
  values (login_user::text, login_user, jsonb_build_object('sub', login_user::text, 'email', login_email), 'email');
  insert into public.connector_credentials (id, tenant_id, channel_id, user_id, label, created_by)
  values (credential_id, chan.tenant_id, chan.id, login_user, coalesce(p_label, ''), me.user_id)
  returning * into credential;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (chan.tenant_id, me.user_id, case when me.user_id is null then 'system' else 'agent' end,
    'connector_credential_issued',
    jsonb_build_object('credential_id', credential.id, 'channel_id', chan.id));
  return jsonb_build_object('id', credential.id, 'channel_id', chan.id, 'key', credential.id::text || '.' || secret);
end
$$;

-- Revoking deletes the credential's Auth user (its sessions and refresh tokens go with it); every
-- channel function refuses it at once, whatever access token it still holds.
create function public.revoke_connector_credential(p_credential_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin_or_operator('Only admins can revoke connector credentials');
  credential public.connector_credentials;
begin
  update public.connector_credentials set revoked_at = now(), revoked_by = me.user_id
  where id = private.require_id(p_credential_id, 'credential id') and (me.user_id is null or tenant_id = me.tenant_id)
    and revoked_at is null
  returning * into credential;
  if credential.id is null then
    perform private.fail(404, 'credential_not_found', 'No live connector credential with that id in your tenant');
  end if;
  delete from auth.users where id = credential.user_id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (credential.tenant_id, me.user_id, case when me.user_id is null then 'system' else 'agent' end,
    'connector_credential_revoked',
    jsonb_build_object('credential_id', credential.id, 'channel_id', credential.channel_id));
end
$$;

alter table public.connector_credentials enable row level security;
create policy "admins read their connector credentials" on public.connector_credentials
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));

-- A connector hears its own channel's wake-ups (outbox, ai_composing) and nothing else.
create policy "connectors receive their channel's wake-ups" on realtime.messages
  for select to authenticated
  using (topic = (select realtime.topic()) and topic = 'channel:' || (select private.connector_channel_id())::text);

revoke all on public.connector_credentials from anon, authenticated;
grant select on public.connector_credentials to authenticated;
grant all on public.connector_credentials to service_role;

revoke execute on function private.ingest_message(uuid, text, text, boolean, text, text, text, text, jsonb, timestamptz),
  private.claim_outbox(uuid, text, integer, integer), private.record_ack(uuid, text, public.message_status),
  private.record_revoke(uuid, text, timestamptz), private.record_edit(uuid, text, text, timestamptz),
  private.set_channel_status(uuid, public.channel_status, text, timestamptz, text), private.channel_heartbeat(uuid),
  private.require_channel_actor(uuid), private.require_outbox_message(uuid), private.require_admin_or_operator(text),
  private.mark_media_stored(uuid, jsonb), private.mark_media_failed(uuid, text, boolean, integer),
  private.media_to_fetch(uuid, integer, integer), private.require_message_actor(uuid),
  private.refuse_connector_agent()
  from public, anon, authenticated, service_role;
-- Storage evaluates its policies as the caller.
revoke execute on function private.connector_media_folder(text), private.connector_outgoing_folder(text)
  from public, anon;
grant execute on function private.connector_media_folder(text), private.connector_outgoing_folder(text)
  to authenticated;
revoke execute on function private.connector_channel_id() from public, anon;
grant execute on function private.connector_channel_id() to authenticated;

-- The connector's functions: its credential (authenticated, checked inside) or the service role.
revoke execute on function public.ingest_message(uuid, text, text, boolean, text, text, text, text, jsonb, timestamptz),
  public.claim_outbox(uuid, text, integer, integer), public.record_ack(uuid, text, public.message_status),
  public.record_revoke(uuid, text, timestamptz), public.record_edit(uuid, text, text, timestamptz),
  public.set_channel_status(uuid, public.channel_status, text, timestamptz, text), public.channel_heartbeat(uuid),
  public.outbox_chats(uuid, uuid[]), public.issue_connector_credential(uuid, text),
  public.revoke_connector_credential(uuid), public.mark_media_stored(uuid, jsonb),
  public.mark_media_failed(uuid, text, boolean, integer), public.media_to_fetch(uuid, integer, integer)
  from public, anon;
grant execute on function public.ingest_message(uuid, text, text, boolean, text, text, text, text, jsonb, timestamptz),
  public.ingest_messages(jsonb), public.claim_outbox(uuid, text, integer, integer),
  public.mark_sent(uuid, text), public.mark_failed(uuid, text, boolean, integer),
  public.record_ack(uuid, text, public.message_status), public.record_revoke(uuid, text, timestamptz),
  public.record_edit(uuid, text, text, timestamptz),
  public.set_channel_status(uuid, public.channel_status, text, timestamptz, text), public.channel_heartbeat(uuid),
  public.outbox_chats(uuid, uuid[]), public.mark_media_stored(uuid, jsonb),
  public.mark_media_failed(uuid, text, boolean, integer), public.media_to_fetch(uuid, integer, integer)
  to authenticated, service_role;
grant execute on function public.issue_connector_credential(uuid, text), public.revoke_connector_credential(uuid)
  to authenticated, service_role;

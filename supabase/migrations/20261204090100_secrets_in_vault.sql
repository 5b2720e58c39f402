-- Secrets at rest (ADR 075). Tenant secrets (OpenAI key, Shopify token, coordinator secret), the
-- WhatsApp Cloud API secrets of each number (access token, app secret, verify token: 20261203070100),
-- the signing secrets of the tenants' event endpoints (20261203030000) and the database webhooks'
-- signing secrets move from plaintext columns into Vault:
-- Supabase Vault on Supabase, the compatible vault schema of sql/bootstrap.sql elsewhere. Admins
-- can only write them; the service role reads a tenant's secrets decrypted through
-- get_tenant_secrets alone. The webhook no longer carries its secret in every queued request: each
-- request carries a signature of its own body and time instead (the incoming_message hook, the Cloud
-- API outbox announcement and the events-out wake-up event_delivery alike).

do $$
begin
  -- Supabase ships Vault; plain Postgres gets the vault schema from the bootstrap instead.
  if exists (select from pg_available_extensions where name = 'supabase_vault') then
    create extension if not exists supabase_vault;
  end if;
end $$;

-- The kinds of tenant secret; a new kind (say a Cloud API token) is a new element here.
create function private.tenant_secret_kinds() returns text[]
language sql immutable set search_path = '' as $$
  select array['openai_api_key', 'shopify_access_token', 'ai_http_secret']
$$;

create function private.tenant_secret_name(p_tenant_id uuid, p_kind text) returns text
language sql immutable set search_path = '' as $$
  select 'tenant:' || p_tenant_id::text || ':' || p_kind
$$;

-- Creates or replaces one secret in Vault under its name.
create function private.put_secret(p_name text, p_value text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  existing uuid;
begin
  select id into existing from vault.secrets where name = p_name;
  if existing is null then
    perform vault.create_secret(p_value, p_name, 'Relevo');
  else
    perform vault.update_secret(existing, p_value);
  end if;
end
$$;

-- Deletes every secret whose name starts with p_prefix (a tenant's, a channel's, an endpoint's).
create function private.forget_secrets(p_prefix text) returns void
language sql security definer set search_path = '' as $$
  delete from vault.secrets where starts_with(name, p_prefix)
$$;

-- Existing plaintext moves into Vault, then the plaintext table goes.
select private.put_secret(private.tenant_secret_name(s.tenant_id, v.kind), v.value)
from private.tenant_secrets s
cross join lateral (values ('openai_api_key', s.openai_api_key), ('shopify_access_token', s.shopify_access_token),
  ('ai_http_secret', s.ai_http_secret)) as v(kind, value)
where v.value is not null;
drop table private.tenant_secrets;

select private.put_secret('webhook:' || name, secret) from private.webhook_config;
alter table private.webhook_config drop column secret;
comment on table private.webhook_config is
  'Where database webhooks go; each one''s signing secret is in Vault as webhook:<name>.';

-- A deleted tenant's secrets go with it (Vault rows have no foreign key to tenants).
create function private.forget_tenant_secrets() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.forget_secrets('tenant:' || old.id::text || ':');
  return null;
end
$$;
create trigger tenants_forget_secrets after delete on public.tenants
  for each row execute function private.forget_tenant_secrets();

-- Write-only for admins: a null argument leaves that secret as it was.
create or replace function public.set_tenant_secrets(
  p_openai_api_key text default null, p_shopify_access_token text default null, p_ai_http_secret text default null
) returns void language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  given jsonb := jsonb_strip_nulls(jsonb_build_object('openai_api_key', p_openai_api_key,
    'shopify_access_token', p_shopify_access_token, 'ai_http_secret', p_ai_http_secret));
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can change secrets');
  end if;
  perform private.put_secret(private.tenant_secret_name(me.tenant_id, g.key), g.value)
  from jsonb_each_text(given) g;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'secrets_changed', (
    select jsonb_object_agg(k, given ? k) from unnest(private.tenant_secret_kinds()) k));
end
$$;

-- Which secrets are set (never their values), for the settings screen.
create or replace function public.tenant_secrets_status() returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_object_agg(k, exists (select 1 from vault.secrets s
                                     where s.name = private.tenant_secret_name(me.tenant_id, k)))
  from (select private.current_tenant_id() as tenant_id) me
  cross join unnest(private.tenant_secret_kinds()) k
  where me.tenant_id is not null
$$;

-- The one way to read a tenant's secrets decrypted: for the Worker (service role only).
create or replace function public.get_tenant_secrets(p_tenant_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_object_agg(k, d.decrypted_secret) filter (where d.decrypted_secret is not null), '{}')
  from unnest(private.tenant_secret_kinds()) k
  left join vault.decrypted_secrets d on d.name = private.tenant_secret_name(p_tenant_id, k)
$$;

-- Database webhooks are signed the way Relevo signs its calls to a coordinator (ADR 073): header
-- X-Relevo-Timestamp (Unix seconds) and X-Relevo-Signature `v1=` hex HMAC-SHA256 of
-- `<timestamp>.<body>`. The body is signed as body::text, the exact bytes pg_net and the stand-in
-- send. A queued request holds this signature, which is good for that body within the receiver's
-- replay window, and never the secret.
create or replace function private.dispatch_webhook(p_name text, p_body jsonb) returns void
language plpgsql security definer set search_path = '' as $$
declare
  hook private.webhook_config;
  secret text;
  stamp text := floor(extract(epoch from clock_timestamp()))::bigint::text;
  headers jsonb;
  request_id bigint;
begin
  select * into hook from private.webhook_config where name = p_name;
  select decrypted_secret into secret from vault.decrypted_secrets where name = 'webhook:' || p_name;
  if hook.name is null or secret is null then
    return; -- not configured (e.g. migrations applied without a functions URL): the sweeper covers it
  end if;
  headers := jsonb_build_object('Content-Type', 'application/json', 'X-Relevo-Timestamp', stamp,
    'X-Relevo-Signature', 'v1=' || encode(extensions.hmac(stamp || '.' || p_body::text, secret, 'sha256'), 'hex'));
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

-- Sets (or replaces) a database webhook's target and signing secret; run once per deployment.
create function private.configure_webhook(p_name text, p_url text, p_secret text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  insert into private.webhook_config (name, url) values (p_name, p_url)
  on conflict (name) do update set url = excluded.url;
  perform private.put_secret('webhook:' || p_name, p_secret);
end
$$;

revoke execute on function private.tenant_secret_kinds(), private.tenant_secret_name(uuid, text),
  private.put_secret(text, text), private.forget_tenant_secrets(), private.configure_webhook(text, text, text)
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------- WhatsApp Cloud API secrets
-- Per number, named cloud_api:<channel id>:<kind>; they leave Vault with their channel (and so with
-- their tenant, whose channels cascade).
create function private.cloud_api_secret_name(p_channel_id uuid, p_kind text) returns text
language sql immutable set search_path = '' as $$
  select 'cloud_api:' || p_channel_id::text || ':' || p_kind
$$;

create function private.cloud_api_secret(p_channel_id uuid, p_kind text) returns text
language sql stable security definer set search_path = '' as $$
  select decrypted_secret from vault.decrypted_secrets where name = private.cloud_api_secret_name(p_channel_id, p_kind)
$$;

select private.put_secret(private.cloud_api_secret_name(s.channel_id, v.kind), v.value)
from private.cloud_api_secrets s
cross join lateral (values ('access_token', s.access_token), ('app_secret', s.app_secret),
  ('verify_token', s.verify_token)) as v(kind, value);
drop table private.cloud_api_secrets;

create function private.forget_channel_secrets() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.forget_secrets('cloud_api:' || old.id::text || ':');
  return null;
end
$$;
create trigger channels_forget_secrets after delete on public.channels
  for each row when (old.kind = 'cloud_api') execute function private.forget_channel_secrets();

-- save_cloud_api_channel as in 20261203070100, the secrets written to Vault: write-only, null or ''
-- keeps the stored one, a new number needs all three, a new access token clears an error state.
create or replace function public.save_cloud_api_channel(
  p_channel_id uuid, p_name text, p_phone_number_id text, p_waba_id text,
  p_access_token text default null, p_app_secret text default null, p_verify_token text default null,
  p_messages_per_second integer default null
) returns public.channels language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  v_secrets jsonb := jsonb_strip_nulls(jsonb_build_object(
    'access_token', nullif(btrim(coalesce(p_access_token, '')), ''),
    'app_secret', nullif(btrim(coalesce(p_app_secret, '')), ''),
    'verify_token', nullif(btrim(coalesce(p_verify_token, '')), '')));
  v_new_token boolean := v_secrets ? 'access_token';
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
  if length(v_secrets ->> 'access_token') > 2000 or length(v_secrets ->> 'app_secret') > 200
     or length(v_secrets ->> 'verify_token') > 200 then
    perform private.fail(400, 'invalid_argument',
      'The access token has at most 2000 characters, the app secret and verify token at most 200');
  end if;
  if exists (select 1 from public.cloud_api_channels c where c.phone_number_id = p_phone_number_id
             and c.channel_id is distinct from p_channel_id) then
    perform private.fail(409, 'phone_number_id_taken', 'Another channel already uses this phone number id',
      'Each Cloud API number is routed by its phone number id, so it can belong to one channel only');
  end if;
  if p_channel_id is null then
    if not v_secrets ?& array['access_token', 'app_secret', 'verify_token'] then
      perform private.fail(400, 'invalid_argument', 'A new Cloud API number needs its access token, app secret and verify token');
    end if;
    insert into public.channels (tenant_id, kind, name, status)
    values (me.tenant_id, 'cloud_api', coalesce(nullif(btrim(p_name), ''), 'WhatsApp Cloud API'), 'ready')
    returning * into chan;
    insert into public.cloud_api_channels (channel_id, tenant_id, phone_number_id, waba_id, messages_per_second)
    values (chan.id, chan.tenant_id, p_phone_number_id, p_waba_id, coalesce(p_messages_per_second, 80));
  else
    update public.channels
    set name = coalesce(nullif(btrim(p_name), ''), name),
        status = case when v_new_token and status = 'error' then 'ready' else status end,
        status_changed_at = case when v_new_token and status = 'error' then now() else status_changed_at end
    where id = p_channel_id and tenant_id = me.tenant_id and kind = 'cloud_api' returning * into chan;
    if chan.id is null then
      perform private.fail(404, 'channel_not_found', 'No Cloud API channel with that id in your tenant');
    end if;
    update public.cloud_api_channels
    set phone_number_id = p_phone_number_id, waba_id = p_waba_id,
        messages_per_second = coalesce(p_messages_per_second, messages_per_second),
        last_error = case when v_new_token then null else last_error end, updated_at = now()
    where channel_id = chan.id;
  end if;
  perform private.put_secret(private.cloud_api_secret_name(chan.id, g.key), g.value) from jsonb_each_text(v_secrets) g;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'cloud_api_channel_saved', jsonb_build_object(
    'channel_id', chan.id, 'created', p_channel_id is null, 'phone_number_id', p_phone_number_id,
    'access_token', v_new_token, 'app_secret', v_secrets ? 'app_secret', 'verify_token', v_secrets ? 'verify_token'));
  return chan;
end
$$;

create or replace function public.cloud_api_secrets_status(p_channel_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  mine boolean;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can see which secrets are set');
  end if;
  mine := exists (select 1 from public.channels where id = p_channel_id and tenant_id = me.tenant_id);
  return (select jsonb_object_agg(k, mine and exists (
            select 1 from vault.secrets s where s.name = private.cloud_api_secret_name(p_channel_id, k)))
          from unnest(array['access_token', 'app_secret', 'verify_token']) k);
end
$$;

create or replace function private.cloud_api_config(p_where_channel uuid, p_where_number text) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('channel_id', c.channel_id, 'tenant_id', c.tenant_id, 'status', ch.status,
    'phone_number_id', c.phone_number_id, 'waba_id', c.waba_id, 'messages_per_second', c.messages_per_second,
    'access_token', private.cloud_api_secret(c.channel_id, 'access_token'),
    'app_secret', private.cloud_api_secret(c.channel_id, 'app_secret'))
  from public.cloud_api_channels c
  join public.channels ch on ch.id = c.channel_id
  where (p_where_channel is null or c.channel_id = p_where_channel)
    and (p_where_number is null or c.phone_number_id = p_where_number)
$$;

create or replace function public.cloud_api_verify_token_known(p_verify_token text) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(p_verify_token, '') <> '' and exists (
    select 1 from public.cloud_api_channels c
    where private.cloud_api_secret(c.channel_id, 'verify_token') = p_verify_token)
$$;

-- ---------------------------------------------------------------- Event endpoint signing secrets
-- Per endpoint, named webhook_endpoint:<endpoint id>; they leave Vault with their endpoint.
select private.put_secret('webhook_endpoint:' || endpoint_id::text, secret) from private.webhook_endpoint_secrets;
drop table private.webhook_endpoint_secrets;
comment on table public.webhook_endpoints is
  'Where a tenant wants its events POSTed. The signing secret is in Vault as webhook_endpoint:<id>.';

create function private.forget_endpoint_secret() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.forget_secrets('webhook_endpoint:' || old.id::text);
  return null;
end
$$;
create trigger webhook_endpoints_forget_secret after delete on public.webhook_endpoints
  for each row execute function private.forget_endpoint_secret();

create or replace function private.new_signing_secret(p_endpoint_id uuid) returns text
language plpgsql security definer set search_path = '' as $$
declare
  secret text := 'whsec_' || encode(extensions.gen_random_bytes(24), 'hex');
begin
  perform private.put_secret('webhook_endpoint:' || p_endpoint_id::text, secret);
  return secret;
end
$$;

create or replace function public.webhook_endpoint_target(p_endpoint_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'tenant_id', e.tenant_id, 'url', e.url, 'active', e.active,
    'secret', d.decrypted_secret)
  from public.webhook_endpoints e
  join vault.decrypted_secrets d on d.name = 'webhook_endpoint:' || e.id::text
  where e.id = p_endpoint_id
$$;

revoke execute on function private.forget_secrets(text), private.cloud_api_secret_name(uuid, text),
  private.cloud_api_secret(uuid, text), private.forget_channel_secrets(), private.forget_endpoint_secret()
  from public, anon, authenticated, service_role;

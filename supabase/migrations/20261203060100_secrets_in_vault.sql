-- Secrets at rest (ADR 075). Tenant secrets (OpenAI key, Shopify token, coordinator secret, and
-- later kinds) and the database webhook's signing secret move from plaintext columns into Vault:
-- Supabase Vault on Supabase, the compatible vault schema of sql/bootstrap.sql elsewhere. Admins
-- can only write them; the service role reads a tenant's secrets decrypted through
-- get_tenant_secrets alone. The webhook no longer carries its secret in every queued request: each
-- request carries a signature of its own body and time instead.

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
  delete from vault.secrets where name like 'tenant:' || old.id::text || ':%';
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

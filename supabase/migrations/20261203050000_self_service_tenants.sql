-- A store sets itself up (ADR 110): a signed-up person with no tenant calls create_tenant, which
-- makes the tenant, its first WhatsApp channel and the caller its admin in one transaction.
-- A deployment may close self-service (invite-only): accounts can still be created, because
-- invitees need one, but create_tenant refuses. The mode is a row here, not a client setting,
-- so a client that skips the dashboard's form is refused all the same.

-- Tables --------------------------------------------------------------------------------------

alter table public.tenants
  add column timezone text not null default 'America/Mexico_City' check (length(timezone) between 1 and 64);
comment on column public.tenants.timezone is 'IANA time zone of the business (pg_timezone_names), for its people and reports.';

create table private.deployment_settings (
  id boolean primary key default true check (id),
  signup text not null default 'open' check (signup in ('open', 'invite-only')),
  updated_at timestamptz not null default now()
);
comment on table private.deployment_settings is
  'One row of deployment-wide switches. signup = invite-only closes create_tenant (RELEVO_SIGNUP on the stand-in; SQL on Supabase).';
insert into private.deployment_settings default values;

create table private.tenant_creations (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  tenant_id uuid,
  created_at timestamptz not null default now()
);
comment on table private.tenant_creations is
  'Every tenant a user created, kept after the tenant or the user is gone: create_tenant''s per-user rate limit counts these.';
create index tenant_creations_user_created_idx on private.tenant_creations (user_id, created_at desc);

-- Functions -----------------------------------------------------------------------------------

-- 'open' or 'invite-only'. Callable without a session: the sign-up page needs it before anyone
-- signs up, and it says nothing a visitor could not learn by trying.
create function public.signup_mode() returns text
language sql stable security definer set search_path = '' as $$
  select coalesce((select signup from private.deployment_settings), 'open')
$$;

create function private.is_timezone(p_name text) returns boolean
language sql stable set search_path = '' as $$
  select p_name is not null and exists (select 1 from pg_catalog.pg_timezone_names z where z.name = p_name)
$$;

-- Settings may change the time zone too; a CHECK cannot read the catalog, a trigger can.
create function private.check_tenant_timezone() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not private.is_timezone(new.timezone) then
    perform private.fail(400, 'invalid_timezone', 'That is not a time zone name', 'Use an IANA name such as America/Mexico_City');
  end if;
  return new;
end
$$;
create trigger tenants_check_timezone before insert or update of timezone on public.tenants
  for each row execute function private.check_tenant_timezone();

-- At most this many tenants per user per day. A refused call writes nothing (its transaction
-- rolls back), so only creations count; someone whose store was deleted may start again, a
-- script that deletes and recreates stores may not.
create function private.tenant_creation_limit() returns integer
language sql immutable set search_path = '' as $$ select 3 $$;

create function public.create_tenant(
  p_name text, p_language text default 'es', p_timezone text default 'America/Mexico_City'
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me uuid := (select auth.uid());
  me_email text;
  me_name text;
  v_name text := btrim(coalesce(p_name, ''));
  tenant public.tenants;
  channel public.channels;
begin
  if me is null then
    perform private.fail(401, 'not_signed_in', 'Sign up or sign in first, then create your business');
  end if;
  if public.signup_mode() = 'invite-only' then
    perform private.fail(403, 'signup_closed', 'This deployment does not let new businesses sign up',
      'Ask an admin of your store for an invitation');
  end if;
  if v_name = '' or length(v_name) > 200 then
    perform private.fail(400, 'invalid_business_name', 'A business name needs 1 to 200 characters');
  end if;
  if p_language is null or p_language not in ('es', 'en') then
    perform private.fail(400, 'invalid_language', 'The language must be es or en');
  end if;
  if not private.is_timezone(p_timezone) then
    perform private.fail(400, 'invalid_timezone', 'That is not a time zone name', 'Use an IANA name such as America/Mexico_City');
  end if;
  -- One creation at a time per user: the lock makes the membership check and the count exact.
  select u.email, coalesce(nullif(btrim(u.raw_user_meta_data ->> 'display_name'), ''), split_part(u.email, '@', 1))
  into me_email, me_name from auth.users u where u.id = me for update;
  if not found then
    perform private.fail(401, 'not_signed_in', 'Your account no longer exists', 'Sign up again');
  end if;
  if exists (select 1 from public.agents where user_id = me) then
    perform private.fail(409, 'already_agent', 'This account already belongs to a business',
      'Sign up with another email address to create a second business');
  end if;
  if (select count(*) from private.tenant_creations
      where user_id = me and created_at > now() - interval '1 day') >= private.tenant_creation_limit() then
    perform private.fail(429, 'rate_limited', 'Too many businesses created from this account today',
      'Try again tomorrow');
  end if;

  insert into public.tenants (name, language, timezone, fallback_text)
  values (v_name, p_language, p_timezone, case p_language
    when 'en' then 'Let me connect you with a person from our team. We will answer very soon.'
    else 'Te comunico con una persona de nuestro equipo. Te responderemos muy pronto.' end)
  returning * into tenant;
  insert into public.channels (tenant_id, name) values (tenant.id, 'WhatsApp') returning * into channel;
  insert into public.agents (user_id, tenant_id, display_name, email, role)
  values (me, tenant.id, left(me_name, 100), lower(me_email), 'admin');
  insert into private.tenant_creations (user_id, tenant_id) values (me, tenant.id);
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (tenant.id, me, 'agent', 'tenant_created', jsonb_build_object('channel_id', channel.id));
  return jsonb_build_object('tenant_id', tenant.id, 'channel_id', channel.id);
end
$$;

-- Grants --------------------------------------------------------------------------------------

grant update (timezone) on public.tenants to authenticated;
revoke all on private.deployment_settings, private.tenant_creations from public, anon, authenticated;
grant all on private.deployment_settings, private.tenant_creations to service_role;
revoke execute on function public.signup_mode(), private.tenant_creation_limit(), private.is_timezone(text),
  private.check_tenant_timezone(),
  public.create_tenant(text, text, text) from public, anon, authenticated;
grant execute on function public.signup_mode() to anon, authenticated, service_role;
grant execute on function public.create_tenant(text, text, text) to authenticated, service_role;

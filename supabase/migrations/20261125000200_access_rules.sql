-- Who may see and change what: tenant membership helpers, RLS on every table, grants.

-- Errors raised by Relevo's functions: HTTP status through PostgREST's PTxxx convention,
-- a stable machine code in DETAIL and the next step in HINT.
create function private.fail(p_status integer, p_code text, p_message text, p_hint text default null)
returns void language plpgsql set search_path = '' as $$
begin
  -- RAISE rejects a null option (SQLSTATE 22004), so the hint is only given when there is one.
  if p_hint is null then
    raise exception using errcode = 'PT' || p_status::text, message = p_message, detail = p_code;
  end if;
  raise exception using errcode = 'PT' || p_status::text, message = p_message, detail = p_code, hint = p_hint;
end
$$;

-- A required id argument: null is a 400 with DETAIL invalid_argument, never a silent no-op or a 404.
create function private.require_id(p_value uuid, p_name text) returns uuid
language plpgsql set search_path = '' as $$
begin
  if p_value is null then
    perform private.fail(400, 'invalid_argument', p_name || ' is required');
  end if;
  return p_value;
end
$$;

create function private.current_tenant_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select tenant_id from public.agents where user_id = (select auth.uid()) and active
$$;

-- The caller's tenant when the caller is an active admin, else null. Policies compare
-- tenant_id with (select …) of these two, which Postgres evaluates once per query (an
-- initPlan) and can then use the tenant indexes; a per-row helper call would scan.
create function private.current_admin_tenant_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select tenant_id from public.agents where user_id = (select auth.uid()) and active and role = 'admin'
$$;

create function private.is_tenant_member(p_tenant_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.agents where user_id = (select auth.uid()) and active and tenant_id = p_tenant_id
  )
$$;

create function private.is_tenant_admin(p_tenant_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.agents
    where user_id = (select auth.uid()) and active and tenant_id = p_tenant_id and role = 'admin'
  )
$$;

-- The calling agent, or a 403 with a next step. Used by every dashboard function.
create function private.require_agent() returns public.agents
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents;
begin
  select * into me from public.agents where user_id = (select auth.uid()) and active;
  if not found then
    perform private.fail(403, 'not_an_agent', 'You are not an active agent of any tenant',
      'Sign in with an agent account or ask your admin to (re)activate you');
  end if;
  return me;
end
$$;

-- Loads and locks a conversation of the caller's tenant; 404 for anything else, so that
-- other tenants' ids are indistinguishable from unknown ones.
create function private.lock_conversation(p_conversation_id uuid, p_tenant_id uuid) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
begin
  if p_conversation_id is null then
    perform private.fail(400, 'invalid_argument', 'conversation id is required');
  end if;
  select * into conv from public.conversations
  where id = p_conversation_id and (p_tenant_id is null or tenant_id = p_tenant_id)
  for update;
  if not found then
    perform private.fail(404, 'conversation_not_found', 'Conversation not found',
      'Reload the inbox: the conversation may belong to another tenant or have been deleted');
  end if;
  return conv;
end
$$;

-- Agents can never move themselves or anyone to another tenant, nor change their own role
-- or deactivate themselves (a tenant must not lose its last admin by accident).
create function private.guard_agent_update() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.tenant_id <> old.tenant_id or new.user_id <> old.user_id then
    perform private.fail(403, 'agent_tenant_immutable', 'An agent cannot move to another tenant');
  end if;
  if old.user_id = (select auth.uid()) and (new.role <> old.role or new.active <> old.active) then
    perform private.fail(403, 'own_role_immutable', 'You cannot change your own role or deactivate yourself',
      'Ask another admin to do it');
  end if;
  return new;
end
$$;
create trigger agents_guard before update on public.agents
  for each row execute function private.guard_agent_update();

-- Row level security: agents see only their tenant; anon sees nothing.
alter table public.tenants enable row level security;
alter table public.agents enable row level security;
alter table public.channels enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.ai_runs enable row level security;
alter table public.audit_log enable row level security;
alter table public.canned_replies enable row level security;

create policy "agents read their tenant" on public.tenants
  for select to authenticated using (id = (select private.current_tenant_id()));
create policy "admins change their tenant settings" on public.tenants
  for update to authenticated using (id = (select private.current_admin_tenant_id())) with check (id = (select private.current_admin_tenant_id()));

create policy "agents read their colleagues" on public.agents
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "admins change agents of their tenant" on public.agents
  for update to authenticated
  using (tenant_id = (select private.current_admin_tenant_id())) with check (tenant_id = (select private.current_admin_tenant_id()));

create policy "agents read their channels" on public.channels
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "agents read their conversations" on public.conversations
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "agents read their messages" on public.messages
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "agents read their AI runs" on public.ai_runs
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "admins read their audit log" on public.audit_log
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));

create policy "agents read canned replies" on public.canned_replies
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "agents add canned replies" on public.canned_replies
  for insert to authenticated with check (tenant_id = (select private.current_tenant_id()));
create policy "agents edit canned replies" on public.canned_replies
  for update to authenticated
  using (tenant_id = (select private.current_tenant_id())) with check (tenant_id = (select private.current_tenant_id()));
create policy "agents delete canned replies" on public.canned_replies
  for delete to authenticated using (tenant_id = (select private.current_tenant_id()));

-- Private topics: an agent may join and track presence on its own tenant's topic only.
-- The row's own topic must be the joined one too, so that no other tenant's broadcast rows
-- are readable through the table (Realtime probes with rows of the joined topic).
create policy "agents receive their tenant feed" on realtime.messages
  for select to authenticated
  using (topic = (select realtime.topic()) and topic = 'tenant:' || (select private.current_tenant_id())::text);
create policy "agents share presence in their tenant" on realtime.messages
  for insert to authenticated
  with check (topic = (select realtime.topic()) and topic = 'tenant:' || (select private.current_tenant_id())::text);

-- Grants: writes from the dashboard go through functions; direct writes only where RLS says.
revoke all on all tables in schema public from anon, authenticated;
grant select on all tables in schema public to authenticated;
grant update (name, ai_provider, ai_model, ai_http_url, system_prompt, language, debounce_seconds, context_messages,
  auto_return_minutes, handoff_keywords, fallback_text, shopify_shop_domain, updated_at)
  on public.tenants to authenticated;
grant update (display_name, role, active) on public.agents to authenticated;
grant insert, update, delete on public.canned_replies to authenticated;
grant all on all tables in schema public to service_role;
grant usage on schema private to service_role;

revoke execute on all functions in schema private from public, anon, authenticated;
grant usage on schema private to authenticated;
grant execute on function private.is_tenant_member(uuid), private.is_tenant_admin(uuid), private.current_tenant_id(),
  private.current_admin_tenant_id() to authenticated;

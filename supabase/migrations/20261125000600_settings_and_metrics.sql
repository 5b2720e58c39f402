-- Admin settings (audited, secrets write-only) and the dashboard's metrics.

create function private.audit_tenant_settings() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  changed text[];
begin
  select array_agg(n.key order by n.key) into changed
  from jsonb_each(to_jsonb(new)) n join jsonb_each(to_jsonb(old)) o using (key)
  where n.value is distinct from o.value and n.key <> 'updated_at';
  if changed is not null then
    new.updated_at := now();
    insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
    values (new.id, (select auth.uid()), case when (select auth.uid()) is null then 'system' else 'agent' end,
      'settings_changed', jsonb_build_object('fields', changed));
  end if;
  return new;
end
$$;
create trigger tenants_audit before update on public.tenants
  for each row execute function private.audit_tenant_settings();

create function private.audit_agent_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if (select auth.uid()) is not null and (new.role, new.active) is distinct from (old.role, old.active) then
    insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
    values (new.tenant_id, (select auth.uid()), 'agent', 'agent_updated',
      jsonb_build_object('agent_id', new.user_id, 'role', new.role, 'active', new.active));
  end if;
  return null;
end
$$;
create trigger agents_audit after update on public.agents
  for each row execute function private.audit_agent_change();

-- Secrets are write-only for admins: set here, never selectable by agents.
create function public.set_tenant_secrets(
  p_openai_api_key text default null, p_shopify_access_token text default null, p_ai_http_secret text default null
) returns void language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can change secrets');
  end if;
  insert into private.tenant_secrets (tenant_id, openai_api_key, shopify_access_token, ai_http_secret)
  values (me.tenant_id, p_openai_api_key, p_shopify_access_token, p_ai_http_secret)
  on conflict (tenant_id) do update set
    openai_api_key = coalesce(excluded.openai_api_key, private.tenant_secrets.openai_api_key),
    shopify_access_token = coalesce(excluded.shopify_access_token, private.tenant_secrets.shopify_access_token),
    ai_http_secret = coalesce(excluded.ai_http_secret, private.tenant_secrets.ai_http_secret),
    updated_at = now();
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'secrets_changed', jsonb_build_object(
    'openai_api_key', p_openai_api_key is not null, 'shopify_access_token', p_shopify_access_token is not null,
    'ai_http_secret', p_ai_http_secret is not null));
end
$$;

-- Which secrets are set (never their values), for the settings screen.
create function public.tenant_secrets_status() returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'openai_api_key', coalesce(s.openai_api_key is not null, false),
    'shopify_access_token', coalesce(s.shopify_access_token is not null, false),
    'ai_http_secret', coalesce(s.ai_http_secret is not null, false))
  from (select private.current_tenant_id() as tenant_id) me
  left join private.tenant_secrets s on s.tenant_id = me.tenant_id
  where me.tenant_id is not null
$$;

-- For functions (service role): a tenant's secrets.
create function public.get_tenant_secrets(p_tenant_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select coalesce((select to_jsonb(s) - 'tenant_id' - 'updated_at' from private.tenant_secrets s
                   where s.tenant_id = p_tenant_id), '{}'::jsonb)
$$;

-- The dashboard's metrics for the caller's tenant over [p_from, p_to).
create function public.dashboard_metrics(p_from timestamptz, p_to timestamptz) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if p_from is null or p_to is null or p_from >= p_to then
    perform private.fail(400, 'invalid_argument', 'from must be before to');
  end if;
  return jsonb_build_object(
    'open_conversations', (select count(*) from public.conversations where tenant_id = me.tenant_id and status = 'open'),
    'needs_attention', (select count(*) from public.conversations
                        where tenant_id = me.tenant_id and status = 'open' and needs_attention),
    'replies_by_author', (select coalesce(jsonb_object_agg(author, n), '{}') from (
        select author, count(*) n from public.messages
        where tenant_id = me.tenant_id and direction = 'out' and not private and status <> 'cancelled'
          and created_at >= p_from and created_at < p_to group by author) a),
    'handoffs_by_reason', (select coalesce(jsonb_object_agg(reason, n), '{}') from (
        select coalesce(details ->> 'reason', 'unknown') reason, count(*) n from public.audit_log
        where tenant_id = me.tenant_id and action = 'handoff' and created_at >= p_from and created_at < p_to
        group by 1) h),
    'takeovers', (select count(*) from public.audit_log where tenant_id = me.tenant_id and action = 'takeover'
                  and created_at >= p_from and created_at < p_to),
    'median_first_response_seconds', (select coalesce(jsonb_object_agg(author, secs), '{}') from (
        select r.author, percentile_cont(0.5) within group (order by extract(epoch from r.created_at - i.created_at)) secs
        from public.messages i
        join lateral (
          select o.author, o.created_at from public.messages o
          where o.conversation_id = i.conversation_id and o.direction = 'out' and not o.private
            and o.author in ('ai', 'agent', 'phone') and o.created_at > i.created_at
          order by o.created_at limit 1) r on true
        where i.tenant_id = me.tenant_id and i.direction = 'in' and i.created_at >= p_from and i.created_at < p_to
          and not exists (select 1 from public.messages p where p.conversation_id = i.conversation_id
            and p.direction = 'in' and p.created_at < i.created_at
            and p.created_at > coalesce((select max(q.created_at) from public.messages q
              where q.conversation_id = i.conversation_id and q.direction = 'out' and not q.private
                and q.created_at < i.created_at), '-infinity'))
        group by r.author) f),
    'messages_per_hour', (select coalesce(jsonb_agg(jsonb_build_object('hour', hour, 'author', author, 'count', n)
                            order by hour, author), '[]') from (
        select date_trunc('hour', created_at) as hour, author, count(*) as n from public.messages
        where tenant_id = me.tenant_id and not private and created_at >= p_from and created_at < p_to
        group by 1, 2) m),
    'failed_deliveries', (select count(*) from public.messages where tenant_id = me.tenant_id and status = 'failed'
                          and created_at >= p_from and created_at < p_to),
    'ai_tokens_per_day', (select coalesce(jsonb_agg(jsonb_build_object('day', day, 'prompt', p, 'completion', c)
                            order by day), '[]') from (
        select date_trunc('day', created_at) as day, sum(prompt_tokens) as p, sum(completion_tokens) as c from public.ai_runs
        where tenant_id = me.tenant_id and created_at >= p_from and created_at < p_to group by 1) t)
  );
end
$$;

-- Function privileges: dashboard functions for agents, delivery and AI functions for the service role.
revoke execute on all functions in schema public from public, anon, authenticated;
grant execute on function public.takeover(uuid), public.handback(uuid), public.send_agent_message(uuid, text, text),
  public.add_note(uuid, text), public.assign_conversation(uuid, uuid),
  public.set_conversation_status(uuid, public.conversation_status), public.mark_conversation_read(uuid),
  public.retry_message(uuid), public.request_relink(uuid), public.set_tenant_secrets(text, text, text),
  public.tenant_secrets_status(), public.dashboard_metrics(timestamptz, timestamptz)
  to authenticated;
grant execute on all functions in schema public to service_role;
-- Private helpers of all migrations so far: only what RLS policies call is executable by agents.
-- (Per-schema default privileges cannot revoke PUBLIC's default EXECUTE, so this is explicit.)
revoke execute on all functions in schema private from public, anon, authenticated;
grant execute on function private.is_tenant_member(uuid), private.is_tenant_admin(uuid), private.current_tenant_id(),
  private.current_admin_tenant_id() to authenticated;

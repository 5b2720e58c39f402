-- The store's coordinator as it is (issue 17 item 4, ADR 115): the `http` provider may speak an
-- existing endpoint's own contract. `ai_http_mapping` holds a request body template with
-- placeholders, extra headers, and dotted paths to the reply text and to a handoff flag and
-- reason in the answer; null keeps Relevo's own v1 contract. The functions and the dashboard
-- validate it with the same zod schema (@relevo/supabase/coordinator-mapping); this CHECK holds
-- the shape the Worker relies on, whoever writes the row.

alter table public.tenants
  add column ai_http_mapping jsonb
    constraint tenants_ai_http_mapping_shape check (
      ai_http_mapping is null or (
        jsonb_typeof(ai_http_mapping) = 'object'
        and ai_http_mapping - array['body', 'headers', 'reply_path', 'handoff_path', 'reason_path'] = '{}'::jsonb
        and jsonb_typeof(ai_http_mapping -> 'body') = 'string'
        and length(ai_http_mapping ->> 'body') between 2 and 20000
        and jsonb_typeof(ai_http_mapping -> 'headers') = 'object'
        and jsonb_array_length(jsonb_path_query_array(ai_http_mapping -> 'headers', '$.keyvalue()')) <= 10
        and not jsonb_path_exists(ai_http_mapping -> 'headers',
          '$.keyvalue() ? (!(@.key like_regex "^[A-Za-z0-9-]{1,64}$") || @.value.type() != "string")')
        and not jsonb_path_exists(ai_http_mapping -> 'headers', '$.* ? (@ like_regex "[\\r\\n]")')
        and coalesce(ai_http_mapping ->> 'reply_path', '') ~ '^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,9}$'
        and coalesce(ai_http_mapping ->> 'handoff_path', 'x') ~ '^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,9}$'
        and coalesce(ai_http_mapping ->> 'reason_path', 'x') ~ '^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,9}$'
      )
    );
comment on column public.tenants.ai_http_mapping is
  'How the http provider speaks to the coordinator: {body (JSON template with {{placeholders}}), headers, reply_path, handoff_path, reason_path}; null = Relevo''s v1 contract (ADR 115).';
grant update (ai_http_mapping) on public.tenants to authenticated;

-- A token the coordinator expects in a header (`Authorization: Bearer {{secret}}`): a secret of its
-- own, sent as the tenant wrote it, unlike ai_http_secret, which only signs and is never sent.
create or replace function private.tenant_secret_kinds() returns text[]
language sql immutable set search_path = '' as $$
  select array['openai_api_key', 'shopify_access_token', 'ai_http_secret', 'ai_http_header_secret']
$$;

drop function public.set_tenant_secrets(text, text, text);
-- Write-only for admins: a null argument leaves that secret as it was.
create function public.set_tenant_secrets(
  p_openai_api_key text default null, p_shopify_access_token text default null, p_ai_http_secret text default null,
  p_ai_http_header_secret text default null
) returns void language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  given jsonb := jsonb_strip_nulls(jsonb_build_object('openai_api_key', p_openai_api_key,
    'shopify_access_token', p_shopify_access_token, 'ai_http_secret', p_ai_http_secret,
    'ai_http_header_secret', p_ai_http_header_secret));
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
revoke execute on function public.set_tenant_secrets(text, text, text, text) from public, anon;
grant execute on function public.set_tenant_secrets(text, text, text, text) to authenticated;
revoke execute on function private.tenant_secret_kinds() from public, anon, authenticated, service_role;

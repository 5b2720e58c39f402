-- Events out (ADR 090): what admins do with their endpoints (dashboard, Admin → Integrations)
-- and what the functions' deliverer calls with the service role.

-- ---------------------------------------------------------------- admins
create function private.require_admin() returns public.agents
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins manage integrations', 'Ask an admin of your store');
  end if;
  return me;
end
$$;

create function private.check_endpoint_url(p_url text) returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  url text := btrim(coalesce(p_url, ''));
  problem text := private.outbound_url_problem(url);
begin
  if url = '' or length(url) > 2048 then
    perform private.fail(400, 'invalid_argument', 'An endpoint needs a URL of at most 2048 characters');
  end if;
  if problem is not null and coalesce(current_setting('relevo.allow_private_urls', true), '') <> 'on' then
    perform private.fail(400, 'private_url', 'The endpoint URL cannot be called: ' || problem,
      'Use the endpoint''s public https URL, or allow private URLs on a private deployment (RELEVO_ALLOW_PRIVATE_URLS=1 and relevo.allow_private_urls)');
  end if;
  return url;
end
$$;

create function private.check_event_types(p_events text[]) returns text[]
language plpgsql immutable set search_path = '' as $$
declare
  known text[] := array['message_received', 'message_sent', 'message_status', 'mode_changed',
    'conversation_assigned', 'conversation_closed', 'handoff_requested'];
  wanted text[] := array(select distinct unnest(p_events) order by 1);
begin
  if cardinality(wanted) = 0 or not wanted <@ known then
    perform private.fail(400, 'invalid_argument', 'Choose one or more events among ' || array_to_string(known, ', '));
  end if;
  return wanted;
end
$$;

create function private.lock_endpoint(p_endpoint_id uuid, p_tenant_id uuid) returns public.webhook_endpoints
language plpgsql security definer set search_path = '' as $$
declare
  endpoint public.webhook_endpoints;
begin
  perform private.require_id(p_endpoint_id, 'endpoint id');
  select * into endpoint from public.webhook_endpoints where id = p_endpoint_id and tenant_id = p_tenant_id for update;
  if not found then
    perform private.fail(404, 'endpoint_not_found', 'No webhook endpoint with that id in your store');
  end if;
  return endpoint;
end
$$;

create function private.new_signing_secret(p_endpoint_id uuid) returns text
language plpgsql security definer set search_path = '' as $$
declare
  secret text := 'whsec_' || encode(extensions.gen_random_bytes(24), 'hex');
begin
  insert into private.webhook_endpoint_secrets (endpoint_id, secret) values (p_endpoint_id, secret)
  on conflict (endpoint_id) do update set secret = excluded.secret, rotated_at = now();
  return secret;
end
$$;

-- The secret is returned here and by rotate_webhook_secret only: it is never readable again.
create function public.create_webhook_endpoint(p_url text, p_events text[], p_description text default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  endpoint public.webhook_endpoints;
begin
  insert into public.webhook_endpoints (tenant_id, url, events, description, created_by)
  values (me.tenant_id, private.check_endpoint_url(p_url), private.check_event_types(p_events),
    nullif(left(btrim(coalesce(p_description, '')), 200), ''), me.user_id)
  returning * into endpoint;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'webhook_endpoint_created', jsonb_build_object('endpoint_id', endpoint.id));
  return jsonb_build_object('endpoint', to_jsonb(endpoint), 'secret', private.new_signing_secret(endpoint.id));
end
$$;

-- Null arguments leave a field as it is. Activating clears the failure streak and the pause reason.
create function public.update_webhook_endpoint(
  p_endpoint_id uuid, p_url text default null, p_events text[] default null, p_active boolean default null,
  p_description text default null
) returns public.webhook_endpoints language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  endpoint public.webhook_endpoints := private.lock_endpoint(p_endpoint_id, me.tenant_id);
begin
  update public.webhook_endpoints set
    url = case when p_url is null then url else private.check_endpoint_url(p_url) end,
    events = case when p_events is null then events else private.check_event_types(p_events) end,
    description = case when p_description is null then description
                  else nullif(left(btrim(p_description), 200), '') end,
    active = coalesce(p_active, active),
    paused_reason = case when p_active is null then paused_reason when p_active then null else 'paused by an admin' end,
    failing_since = case when p_active then null else failing_since end,
    updated_at = now()
  where id = endpoint.id returning * into endpoint;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'webhook_endpoint_updated', jsonb_build_object('endpoint_id', endpoint.id,
    'active', endpoint.active));
  if endpoint.active then
    perform private.wake_deliverer(endpoint.tenant_id, endpoint.id);
  end if;
  return endpoint;
end
$$;

create function public.delete_webhook_endpoint(p_endpoint_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  endpoint public.webhook_endpoints := private.lock_endpoint(p_endpoint_id, me.tenant_id);
begin
  delete from public.webhook_endpoints where id = endpoint.id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'webhook_endpoint_deleted', jsonb_build_object('endpoint_id', endpoint.id,
    'url', endpoint.url));
end
$$;

create function public.rotate_webhook_secret(p_endpoint_id uuid) returns text
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  endpoint public.webhook_endpoints := private.lock_endpoint(p_endpoint_id, me.tenant_id);
begin
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'webhook_secret_rotated', jsonb_build_object('endpoint_id', endpoint.id));
  return private.new_signing_secret(endpoint.id);
end
$$;

-- Sends one delivery again from its first try (same event id: the receiver can tell it is a repeat).
create function public.resend_webhook_delivery(p_delivery_id uuid) returns public.webhook_deliveries
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  delivery public.webhook_deliveries;
begin
  perform private.require_id(p_delivery_id, 'delivery id');
  update public.webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(),
    lease_expires_at = null, leased_by = null, updated_at = now()
  where id = p_delivery_id and tenant_id = me.tenant_id and status <> 'sending'
  returning * into delivery;
  if not found then
    perform private.fail(404, 'delivery_not_found', 'No finished delivery with that id in your store',
      'A delivery being sent right now cannot be resent; wait for its outcome');
  end if;
  perform private.wake_deliverer(delivery.tenant_id, delivery.endpoint_id);
  return delivery;
end
$$;

-- A webhook_test event to one active endpoint, whatever events it chose.
create function public.send_test_webhook_event(p_endpoint_id uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  endpoint public.webhook_endpoints := private.lock_endpoint(p_endpoint_id, me.tenant_id);
  event public.webhook_events;
begin
  if not endpoint.active then
    perform private.fail(409, 'endpoint_paused', 'A paused endpoint receives nothing', 'Activate it first');
  end if;
  insert into public.webhook_events (tenant_id, type, endpoint_id, data)
  values (me.tenant_id, 'webhook_test', endpoint.id, jsonb_build_object('endpoint_id', endpoint.id,
    'sent_by', jsonb_build_object('id', me.user_id, 'name', me.display_name)))
  returning * into event;
  insert into public.webhook_deliveries (tenant_id, endpoint_id, event_id, event_type)
  values (me.tenant_id, endpoint.id, event.id, event.type);
  perform private.wake_deliverer(endpoint.tenant_id, endpoint.id);
  return event.id;
end
$$;

-- ---------------------------------------------------------------- the deliverer (service role)
-- Where and how to sign: the only way the secret leaves the database.
create function public.webhook_endpoint_target(p_endpoint_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('id', e.id, 'tenant_id', e.tenant_id, 'url', e.url, 'active', e.active, 'secret', s.secret)
  from public.webhook_endpoints e join private.webhook_endpoint_secrets s on s.endpoint_id = e.id
  where e.id = p_endpoint_id
$$;

-- Due deliveries of an active endpoint, with a lease. Only the head of each conversation's queue
-- (nothing earlier unfinished): the next event of a chat waits until the one before is delivered
-- or has failed for good, so a receiver sees every chat in order (event_seq is commit order).
create function public.claim_webhook_deliveries(
  p_endpoint_id uuid, p_worker text, p_limit integer default 20, p_lease_seconds integer default 60
) returns table (delivery_id uuid, event_id uuid, event_type text, conversation_id uuid, attempts integer, body jsonb)
language plpgsql security definer set search_path = '' as $$
begin
  if p_endpoint_id is null or coalesce(p_worker, '') = '' then
    perform private.fail(400, 'invalid_argument', 'endpoint id and worker name are required');
  end if;
  if p_limit is null or p_lease_seconds is null or p_limit not between 1 and 100
     or p_lease_seconds not between 5 and 3600 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..100 and lease 5..3600 seconds');
  end if;
  return query
  with due as (
    select d.id from public.webhook_deliveries d
    join public.webhook_endpoints e on e.id = d.endpoint_id and e.active
    where d.endpoint_id = p_endpoint_id
      and ((d.status = 'pending' and d.next_attempt_at <= now())
        or (d.status = 'sending' and d.lease_expires_at < now()))
      and not exists (
        select 1 from public.webhook_deliveries b
        where b.endpoint_id = d.endpoint_id and b.conversation_id = d.conversation_id
          and b.status in ('pending', 'sending') and b.event_seq < d.event_seq)
    order by d.event_seq
    limit p_limit
    for update of d skip locked
  ), claimed as (
    update public.webhook_deliveries d
    set status = 'sending', attempts = d.attempts + 1, leased_by = p_worker,
        lease_expires_at = now() + make_interval(secs => p_lease_seconds), updated_at = now()
    from due where d.id = due.id
    returning d.*
  )
  select c.id, c.event_id, c.event_type, c.conversation_id, c.attempts,
    jsonb_build_object('id', ev.id, 'type', ev.type, 'created_at', ev.created_at, 'tenant_id', ev.tenant_id,
      'data', ev.data)
  from claimed c join public.webhook_events ev on ev.id = c.event_id
  order by c.event_seq;
end
$$;

-- 10 tries: 5 s, 10 s, 20 s … capped at 5 minutes between them (about 21 minutes in all).
create function private.webhook_retry_delay(p_attempts integer) returns interval
language sql immutable set search_path = '' as $$
  select make_interval(secs => least(300, 5 * power(2, greatest(p_attempts, 1) - 1)))
$$;

-- Records one attempt: 2xx = delivered; otherwise retried with backoff, failed after 10 tries.
-- An endpoint whose attempts have failed for a day (none delivered) is paused, audited and announced
-- on the admins' private topic admins:<tenant_id> (ADR 071), which admin screens follow.
create function public.finish_webhook_attempt(
  p_delivery_id uuid, p_worker text, p_latency_ms integer, p_status_code integer default null,
  p_error text default null
) returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  delivery public.webhook_deliveries;
  endpoint public.webhook_endpoints;
  ok boolean := coalesce(p_status_code between 200 and 299, false);
begin
  perform private.require_id(p_delivery_id, 'delivery id');
  select * into delivery from public.webhook_deliveries where id = p_delivery_id for update;
  if not found or delivery.status <> 'sending' or delivery.leased_by is distinct from p_worker then
    return jsonb_build_object('recorded', false);
  end if;
  update public.webhook_deliveries set
    status = case when ok then 'delivered' when attempts >= 10 then 'failed' else 'pending' end,
    next_attempt_at = case when ok then next_attempt_at else now() + private.webhook_retry_delay(attempts) end,
    delivered_at = case when ok then now() end,
    lease_expires_at = null, leased_by = null, last_status_code = p_status_code,
    last_latency_ms = p_latency_ms, last_error = case when ok then null else left(coalesce(p_error,
      'HTTP ' || p_status_code::text), 500) end,
    updated_at = now()
  where id = delivery.id returning * into delivery;
  -- Written only when the streak starts or ends: a burst of deliveries does not queue on this row.
  update public.webhook_endpoints set failing_since = case when ok then null else now() end
  where id = delivery.endpoint_id and (failing_since is null) <> ok;
  select * into endpoint from public.webhook_endpoints where id = delivery.endpoint_id;
  if not ok and endpoint.active and endpoint.failing_since < now() - interval '1 day' then
    perform private.pause_failing_endpoint(endpoint);
    endpoint.active := false;
  end if;
  return jsonb_build_object('recorded', true, 'status', delivery.status, 'next_attempt_at',
    case when delivery.status = 'pending' then delivery.next_attempt_at end, 'endpoint_active', endpoint.active);
end
$$;

create function private.pause_failing_endpoint(p_endpoint public.webhook_endpoints) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update public.webhook_endpoints set active = false, updated_at = now(),
    paused_reason = 'every delivery failed since ' || to_char(p_endpoint.failing_since at time zone 'UTC',
      'YYYY-MM-DD HH24:MI "UTC"')
  where id = p_endpoint.id;
  insert into public.audit_log (tenant_id, actor_kind, action, details)
  values (p_endpoint.tenant_id, 'system', 'webhook_endpoint_paused',
    jsonb_build_object('endpoint_id', p_endpoint.id, 'url', p_endpoint.url, 'failing_since', p_endpoint.failing_since));
  perform realtime.send(jsonb_build_object('endpoint_id', p_endpoint.id, 'url', p_endpoint.url),
    'webhook_endpoint_paused', 'admins:' || p_endpoint.tenant_id::text, true);
end
$$;

-- When the deliverer of an endpoint should look again: its earliest retry or lease expiry.
create function public.next_webhook_attempt(p_endpoint_id uuid) returns timestamptz
language sql stable security definer set search_path = '' as $$
  select min(case when d.status = 'pending' then d.next_attempt_at else d.lease_expires_at end)
  from public.webhook_deliveries d join public.webhook_endpoints e on e.id = d.endpoint_id and e.active
  where d.endpoint_id = p_endpoint_id and d.status in ('pending', 'sending')
$$;

-- The sweeper's list: active endpoints with something due now (a lost wake-up, an evicted object).
create function public.due_webhook_endpoints(p_limit integer default 100) returns setof uuid
language sql stable security definer set search_path = '' as $$
  select distinct d.endpoint_id from public.webhook_deliveries d
  join public.webhook_endpoints e on e.id = d.endpoint_id and e.active
  where (d.status = 'pending' and d.next_attempt_at <= now())
     or (d.status = 'sending' and d.lease_expires_at < now())
  limit least(greatest(coalesce(p_limit, 100), 1), 1000)
$$;

-- ---------------------------------------------------------------- grants
revoke execute on function private.require_admin(), private.check_endpoint_url(text),
  private.check_event_types(text[]), private.lock_endpoint(uuid, uuid), private.new_signing_secret(uuid),
  private.webhook_retry_delay(integer), private.number_event(), private.pause_failing_endpoint(public.webhook_endpoints),
  private.event_message(public.messages), private.event_conversation(uuid), private.wake_deliverer(uuid, uuid),
  private.emit_event(uuid, text, uuid, jsonb), private.message_events(), private.conversation_events(),
  private.audit_events()
  from public, anon, authenticated;
grant execute on function public.create_webhook_endpoint(text, text[], text),
  public.update_webhook_endpoint(uuid, text, text[], boolean, text), public.delete_webhook_endpoint(uuid),
  public.rotate_webhook_secret(uuid), public.resend_webhook_delivery(uuid), public.send_test_webhook_event(uuid)
  to authenticated;
grant execute on function public.webhook_endpoint_target(uuid),
  public.claim_webhook_deliveries(uuid, text, integer, integer),
  public.finish_webhook_attempt(uuid, text, integer, integer, text), public.next_webhook_attempt(uuid),
  public.due_webhook_endpoints(integer)
  to service_role;

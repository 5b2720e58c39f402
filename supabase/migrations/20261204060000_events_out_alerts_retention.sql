-- Events out, finished (issue 20, ADR 091): an endpoint paused by a day of failures alerts its admins
-- in the dashboard header, the Integrations screen follows deliveries live, and old events are pruned.

-- ---------------------------------------------------------------- paused by failures
-- Set only when private.pause_failing_endpoint pauses it, cleared when an admin activates it again:
-- the header's alert lists the endpoints with this set (an admin's own pause is no alert).
alter table public.webhook_endpoints add column auto_paused_at timestamptz;
comment on column public.webhook_endpoints.auto_paused_at is
  'When a day of failed deliveries paused the endpoint; null once it is active again or an admin paused it.';

create or replace function private.pause_failing_endpoint(p_endpoint public.webhook_endpoints) returns void
language plpgsql security definer set search_path = '' as $$
begin
  -- The row's change reaches the admins' topic through webhook_endpoints_broadcast (below): that
  -- broadcast is the alert, so nothing else is sent.
  update public.webhook_endpoints set active = false, auto_paused_at = now(), updated_at = now(),
    paused_reason = 'every delivery failed since ' || to_char(p_endpoint.failing_since at time zone 'UTC',
      'YYYY-MM-DD HH24:MI "UTC"')
  where id = p_endpoint.id;
  insert into public.audit_log (tenant_id, actor_kind, action, details)
  values (p_endpoint.tenant_id, 'system', 'webhook_endpoint_paused',
    jsonb_build_object('endpoint_id', p_endpoint.id, 'url', p_endpoint.url, 'failing_since', p_endpoint.failing_since));
end
$$;

-- The alert lasts while the endpoint stays as the pause left it: an admin activating it, or pausing it
-- with their own reason, ends it.
create function private.clear_auto_pause() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.auto_paused_at is not distinct from old.auto_paused_at
     and (new.active is distinct from old.active or new.paused_reason is distinct from old.paused_reason) then
    new.auto_paused_at := null;
  end if;
  return new;
end
$$;
create trigger webhook_endpoints_clear_auto_pause before update on public.webhook_endpoints
  for each row execute function private.clear_auto_pause();

-- ---------------------------------------------------------------- live on the admins' topic
-- Endpoints and deliveries change on their own (retries, a pause): their rows go to the admins'
-- private topic admins:<tenant_id> (ADR 071) like the link QR, never to the tenant feed that agents
-- read. The header's alert and Admin -> Integrations follow them. Deletions are not sent: the screen
-- reloads after its own delete, and pruned history is a month old.
create trigger webhook_endpoints_broadcast after insert or update on public.webhook_endpoints
  for each row execute function private.broadcast_admin_change();
create trigger webhook_deliveries_broadcast after insert or update of status, attempts on public.webhook_deliveries
  for each row execute function private.broadcast_admin_change();

-- ---------------------------------------------------------------- retention
-- Events and their deliveries are kept 30 days (Stripe keeps events 30 days; Svix's default
-- retention is 90, its shortest 30), then the sweeper deletes them, oldest first, p_limit per call.
-- Everything older goes, delivered, failed, or still pending on an endpoint paused for a month: a
-- month-old event is not worth sending. One being sent right now (a live lease) waits for its outcome.
create index webhook_events_created on public.webhook_events (created_at);

create function public.prune_webhook_history(p_limit integer default 500) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  pruned integer;
begin
  if p_limit is null or p_limit not between 1 and 10000 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..10000');
  end if;
  with old as (
    select ev.id from public.webhook_events ev
    where ev.created_at < now() - interval '30 days'
      and not exists (select 1 from public.webhook_deliveries d
                      where d.event_id = ev.id and d.status = 'sending' and d.lease_expires_at > now())
    order by ev.created_at
    limit p_limit
    for update skip locked
  )
  delete from public.webhook_events ev using old where ev.id = old.id;
  get diagnostics pruned = row_count;
  return pruned;
end
$$;

revoke execute on function private.clear_auto_pause() from public, anon, authenticated;
revoke execute on function public.prune_webhook_history(integer) from public, anon, authenticated;
grant execute on function public.prune_webhook_history(integer) to service_role;

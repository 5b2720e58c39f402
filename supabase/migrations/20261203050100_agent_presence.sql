-- Which agents are online (the monitoring API's ?action=agents): each open desk calls
-- touch_presence every PRESENCE_TOUCH_SECONDS (types/limits.ts), which keeps agents.last_seen_at;
-- an agent seen within PRESENCE_ONLINE_SECONDS is online. Realtime presence says the same to the
-- desks, but a server without a websocket (the Worker) needs a row it can read.

-- Tables --------------------------------------------------------------------------------------

alter table public.agents add column last_seen_at timestamptz;
comment on column public.agents.last_seen_at is 'When this agent''s desk was last open (touch_presence), null if never.';

-- A heartbeat every 20 s per agent must not wake every desk of the tenant: the feed broadcasts an
-- agent's change only when something besides last_seen_at changed.
drop trigger agents_broadcast on public.agents;
create trigger agents_broadcast_insert after insert on public.agents
  for each row execute function private.broadcast_tenant_change();
create trigger agents_broadcast_update after update on public.agents
  for each row when ((to_jsonb(new) - 'last_seen_at') is distinct from (to_jsonb(old) - 'last_seen_at'))
  execute function private.broadcast_tenant_change();

-- Functions -----------------------------------------------------------------------------------

-- The caller's desk is open now. Returns the recorded time.
create function public.touch_presence() returns timestamptz
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  seen timestamptz := now();
begin
  update public.agents set last_seen_at = seen where user_id = me.user_id;
  return seen;
end
$$;

-- Grants --------------------------------------------------------------------------------------

revoke execute on function public.touch_presence() from public, anon, authenticated;
grant execute on function public.touch_presence() to authenticated, service_role;

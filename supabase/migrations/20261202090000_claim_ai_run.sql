-- The claim of an AI run as one rule in SQL, like the other rules. Every run first records a
-- claim (ai_runs row: outcome skipped, reason claimed); the earliest live claim for a trigger
-- wins, and a finished reply or handoff always wins. A claim older than live_claim_seconds()
-- was abandoned (its Worker died): it no longer blocks a new run, and the sweeper hands the
-- chat to a person if no agent re-drove it.

create function private.live_claim_seconds() returns integer
language sql immutable set search_path = '' as $$ select 300 $$;
comment on function private.live_claim_seconds() is
  'How long a claimed AI run counts as live: longer than the worst run (model and tools budget), shorter than the Durable Object alarm limit.';

create function public.claim_ai_run(p_trigger_message_id uuid, p_provider text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  trig public.messages;
  mine public.ai_runs;
  beaten boolean;
begin
  if p_trigger_message_id is null or coalesce(p_provider, '') = '' then
    perform private.fail(400, 'invalid_argument', 'trigger message id and provider are required');
  end if;
  select * into trig from public.messages where id = p_trigger_message_id;
  if not found or trig.direction <> 'in' then
    perform private.fail(404, 'message_not_found', 'No incoming message with that id');
  end if;
  -- Claims of one trigger take turns: the second claimer waits here for the first to commit, and
  -- its next statement (read committed) sees the first claim, so two claims never both win.
  perform pg_advisory_xact_lock(hashtextextended('claim_ai_run:' || trig.id::text, 0));
  insert into public.ai_runs (tenant_id, conversation_id, trigger_message_id, provider, outcome, reason)
  values (trig.tenant_id, trig.conversation_id, trig.id, p_provider, 'skipped', 'claimed')
  returning * into mine;
  select exists (
    select 1 from public.ai_runs r
    where r.trigger_message_id = trig.id and r.id <> mine.id
      and (r.outcome in ('replied', 'handoff')
           or (r.reason = 'claimed' and r.created_at > clock_timestamp() - make_interval(secs => private.live_claim_seconds())))
  ) into beaten;
  return jsonb_build_object('run_id', mine.id, 'won', not beaten);
end
$$;

-- For the sweeper: claims nobody finished or re-drove within the live window.
create function public.abandoned_ai_runs(p_limit integer default 50)
returns table (run_id uuid, conversation_id uuid, provider text)
language sql stable security definer set search_path = '' as $$
  select r.id, r.conversation_id, r.provider from public.ai_runs r
  where r.outcome = 'skipped' and r.reason = 'claimed'
    and r.created_at < clock_timestamp() - make_interval(secs => private.live_claim_seconds())
  order by r.created_at
  limit least(greatest(coalesce(p_limit, 50), 1), 500)
$$;

revoke execute on function private.live_claim_seconds() from public, anon, authenticated;
revoke execute on function public.claim_ai_run(uuid, text) from public, anon, authenticated;
revoke execute on function public.abandoned_ai_runs(integer) from public, anon, authenticated;
grant execute on function public.claim_ai_run(uuid, text) to service_role;
grant execute on function public.abandoned_ai_runs(integer) to service_role;

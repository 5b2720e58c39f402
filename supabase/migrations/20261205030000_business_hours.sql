-- Business hours (issue 18, item 4; ADR 094): a tenant's weekly schedule and holidays, in its
-- own time zone. is_open_at / next_opening / business_seconds read them with Postgres' time zone
-- support, so a DST change moves the UTC instants of 09:00 and the hour that does not exist or
-- happens twice is Postgres' rule, not ours. A tenant without any schedule row is always open
-- (nothing configured = nothing changes). First-response metrics count business time only.

-- Section - Tables

create table public.business_hours (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- 0 = Sunday … 6 = Saturday, as extract(dow) counts.
  weekday smallint not null check (weekday between 0 and 6),
  opens_at time not null,
  -- '24:00' closes at midnight; a span past midnight is two rows (22:00–24:00 and 00:00–02:00).
  closes_at time not null check (closes_at > opens_at),
  created_at timestamptz not null default now()
);
comment on table public.business_hours is
  'A tenant''s weekly opening spans in its local time (tenants.timezone); no row at all = always open.';
create index business_hours_tenant_idx on public.business_hours (tenant_id, weekday);

create table public.business_holidays (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  day date not null,
  name text not null default '' check (length(name) <= 100),
  primary key (tenant_id, day)
);
comment on table public.business_holidays is 'Local dates on which the tenant is closed all day.';

alter table public.tenants
  add column away_text text not null
    default 'Gracias por escribirnos. Estamos fuera de horario; te responderemos {{next_open}}.'
    check (length(btrim(away_text)) between 1 and 1000),
  add column after_hours_handoff_text text not null
    default 'Te comunico con una persona de nuestro equipo. Estamos fuera de horario; te atenderán {{next_open}}.'
    check (length(btrim(after_hours_handoff_text)) between 1 and 1000);
comment on column public.tenants.away_text is
  'Sent once per closed stretch to a customer who writes outside hours while the AI is off; {{next_open}} = next opening.';
comment on column public.tenants.after_hours_handoff_text is
  'Sent instead of fallback_text when the AI hands off outside hours; {{next_open}} = next opening.';

-- Two spans of one day that overlap would count their shared time twice in business_seconds.
create function private.check_business_hours_overlap() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.business_hours h
             where h.tenant_id = new.tenant_id and h.weekday = new.weekday and h.id <> new.id
               and h.opens_at < new.closes_at and new.opens_at < h.closes_at) then
    perform private.fail(409, 'hours_overlap', 'That span overlaps another one of the same day',
      'Join the two spans into one or change one of them');
  end if;
  return new;
end
$$;
create trigger business_hours_no_overlap before insert or update on public.business_hours
  for each row execute function private.check_business_hours_overlap();

-- Open desks see schedule changes like any other setting.
create trigger business_hours_broadcast after insert or update or delete on public.business_hours
  for each row execute function private.broadcast_tenant_change();
create trigger business_holidays_broadcast after insert or update or delete on public.business_holidays
  for each row execute function private.broadcast_tenant_change();

-- Section - Computation (private: the trusted callers pass a tenant id)

-- The spans of the local days [p_from_day, p_to_day] as instants, holidays left out. A local
-- date plus a local time, "at time zone", is the instant Postgres gives that wall-clock time.
create function private.opening_spans(p_tenant_id uuid, p_from_day date, p_to_day date)
returns table (opens timestamptz, closes timestamptz)
language sql stable security definer set search_path = '' as $$
  select (d.day + h.opens_at) at time zone t.timezone, (d.day + h.closes_at) at time zone t.timezone
  from public.tenants t
  cross join lateral generate_series(p_from_day::timestamp, p_to_day::timestamp, interval '1 day') d(day)
  join public.business_hours h on h.tenant_id = t.id and h.weekday = extract(dow from d.day)
  where t.id = p_tenant_id
    and not exists (select 1 from public.business_holidays x where x.tenant_id = t.id and x.day = d.day::date)
$$;

create function private.has_schedule(p_tenant_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.business_hours where tenant_id = p_tenant_id)
$$;

create function private.local_day(p_tenant_id uuid, p_at timestamptz) returns date
language sql stable security definer set search_path = '' as $$
  select (p_at at time zone t.timezone)::date from public.tenants t where t.id = p_tenant_id
$$;

create function private.is_open_at(p_tenant_id uuid, p_at timestamptz) returns boolean
language sql stable security definer set search_path = '' as $$
  select not private.has_schedule(p_tenant_id) or exists (
    -- The day before too: its span may end after midnight of a DST-shifted day.
    select 1 from private.opening_spans(p_tenant_id, private.local_day(p_tenant_id, p_at) - 1,
                                        private.local_day(p_tenant_id, p_at)) s
    where s.opens <= p_at and p_at < s.closes)
$$;

-- p_at itself when open; otherwise the next span's opening within a year and a bit (null when
-- the schedule is empty of opening days for that long, e.g. every day a holiday).
create function private.next_opening(p_tenant_id uuid, p_at timestamptz) returns timestamptz
language sql stable security definer set search_path = '' as $$
  select case when private.is_open_at(p_tenant_id, p_at) then p_at else (
    select min(s.opens) from private.opening_spans(p_tenant_id, private.local_day(p_tenant_id, p_at),
                                                   private.local_day(p_tenant_id, p_at) + 400) s
    where s.opens > p_at) end
$$;

-- Open time between two instants: what a customer waited in business time.
create function private.business_seconds(p_tenant_id uuid, p_from timestamptz, p_to timestamptz) returns double precision
language sql stable security definer set search_path = '' as $$
  select case
    when p_to <= p_from then 0::double precision
    when not private.has_schedule(p_tenant_id) then extract(epoch from p_to - p_from)::double precision
    else coalesce((
      select sum(extract(epoch from least(s.closes, p_to) - greatest(s.opens, p_from)))::double precision
      from private.opening_spans(p_tenant_id, private.local_day(p_tenant_id, p_from) - 1,
                                 private.local_day(p_tenant_id, p_to)) s
      where s.opens < p_to and s.closes > p_from), 0) end
$$;

-- "today at 09:00", "el lunes a las 09:00", "on 2026-12-28 at 09:00", in the tenant's language.
create function private.format_opening(p_tenant_id uuid, p_opening timestamptz, p_now timestamptz) returns text
language sql stable security definer set search_path = '' as $$
  select case
    when p_opening is null then case t.language when 'en' then 'as soon as we can' else 'lo antes posible' end
    else
      case (local.opening::date - local.now::date)
        when 0 then case t.language when 'en' then 'today' else 'hoy' end
        when 1 then case t.language when 'en' then 'tomorrow' else 'mañana' end
        else case when local.opening::date - local.now::date < 7
          then case t.language
            when 'en' then 'on ' || (array['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
              'Saturday'])[extract(dow from local.opening)::int + 1]
            else 'el ' || (array['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes',
              'sábado'])[extract(dow from local.opening)::int + 1] end
          else case t.language when 'en' then 'on ' else 'el ' end || to_char(local.opening, 'YYYY-MM-DD') end
      end || case t.language when 'en' then ' at ' else ' a las ' end || to_char(local.opening, 'HH24:MI')
  end
  from public.tenants t
  cross join lateral (select p_opening at time zone t.timezone as opening, p_now at time zone t.timezone as now) local
  where t.id = p_tenant_id
$$;

-- A tenant's text with {{next_open}} filled in from p_now.
create function private.fill_next_open(p_tenant_id uuid, p_text text, p_now timestamptz) returns text
language sql stable security definer set search_path = '' as $$
  select replace(p_text, '{{next_open}}',
    private.format_opening(p_tenant_id, private.next_opening(p_tenant_id, p_now), p_now))
$$;

-- Section - Public functions

-- The callers: the service role for any tenant, an agent for their own (another tenant is unknown).
create function private.require_tenant_reader(p_tenant_id uuid) returns void
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_id(p_tenant_id, 'tenant id');
  if coalesce((select auth.role()), '') not in ('', 'service_role')
     and p_tenant_id is distinct from private.current_tenant_id() then
    perform private.fail(404, 'tenant_not_found', 'Tenant not found', 'Use your own tenant''s id');
  end if;
end
$$;

create function public.is_open_at(p_tenant_id uuid, p_at timestamptz default now()) returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_tenant_reader(p_tenant_id);
  return private.is_open_at(p_tenant_id, coalesce(p_at, now()));
end
$$;

create function public.next_opening(p_tenant_id uuid, p_at timestamptz default now()) returns timestamptz
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_tenant_reader(p_tenant_id);
  return private.next_opening(p_tenant_id, coalesce(p_at, now()));
end
$$;

-- Section - Metrics

-- Each first response of [p_from, p_to): the customer message that opened a wait (no earlier
-- unanswered customer message) and the first answer of the AI, an agent or the phone after it.
create function private.first_responses(p_tenant_id uuid, p_from timestamptz, p_to timestamptz)
returns table (author public.message_author, asked_at timestamptz, answered_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select r.author, i.created_at, r.created_at
  from public.messages i
  join lateral (
    select o.author, o.created_at from public.messages o
    where o.conversation_id = i.conversation_id and o.direction = 'out' and not o.private
      and o.author in ('ai', 'agent', 'phone') and o.created_at > i.created_at
    order by o.created_at limit 1) r on true
  where i.tenant_id = p_tenant_id and i.direction = 'in' and i.created_at >= p_from and i.created_at < p_to
    and not exists (select 1 from public.messages p where p.conversation_id = i.conversation_id
      and p.direction = 'in' and p.created_at < i.created_at
      and p.created_at > coalesce((select max(q.created_at) from public.messages q
        where q.conversation_id = i.conversation_id and q.direction = 'out' and not q.private
          and q.created_at < i.created_at), '-infinity'))
$$;

-- dashboard_metrics as before (20261125000600), except that the median first response counts
-- business time (a night's wait for Monday 09:00 is not a slow answer) and the wall-clock median
-- stays beside it.
create or replace function public.dashboard_metrics(p_from timestamptz, p_to timestamptz) returns jsonb
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
    'waiting_for_agent', (select count(*) from public.conversations
                          where tenant_id = me.tenant_id and status = 'open' and mode = 'human'
                            and assigned_agent_id is null),
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
        select f.author, percentile_cont(0.5) within group (
          order by private.business_seconds(me.tenant_id, f.asked_at, f.answered_at)) secs
        from private.first_responses(me.tenant_id, p_from, p_to) f group by f.author) b),
    'median_first_response_wall_seconds', (select coalesce(jsonb_object_agg(author, secs), '{}') from (
        select f.author, percentile_cont(0.5) within group (order by extract(epoch from f.answered_at - f.asked_at)) secs
        from private.first_responses(me.tenant_id, p_from, p_to) f group by f.author) w),
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

-- Section - Access

alter table public.business_hours enable row level security;
alter table public.business_holidays enable row level security;

create policy "agents read their hours" on public.business_hours
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "admins add hours" on public.business_hours
  for insert to authenticated with check (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins edit hours" on public.business_hours
  for update to authenticated
  using (tenant_id = (select private.current_admin_tenant_id()))
  with check (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins delete hours" on public.business_hours
  for delete to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
create policy "agents read their holidays" on public.business_holidays
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "admins add holidays" on public.business_holidays
  for insert to authenticated with check (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins delete holidays" on public.business_holidays
  for delete to authenticated using (tenant_id = (select private.current_admin_tenant_id()));

-- A span keeps its tenant; a holiday is added or deleted, not edited.
grant select, insert, delete on public.business_hours, public.business_holidays to authenticated;
grant update (weekday, opens_at, closes_at) on public.business_hours to authenticated;
grant update (away_text, after_hours_handoff_text) on public.tenants to authenticated;
grant all on public.business_hours, public.business_holidays to service_role;

revoke execute on function private.check_business_hours_overlap(), private.opening_spans(uuid, date, date),
  private.has_schedule(uuid), private.local_day(uuid, timestamptz), private.is_open_at(uuid, timestamptz),
  private.next_opening(uuid, timestamptz), private.business_seconds(uuid, timestamptz, timestamptz),
  private.format_opening(uuid, timestamptz, timestamptz), private.fill_next_open(uuid, text, timestamptz),
  private.require_tenant_reader(uuid), private.first_responses(uuid, timestamptz, timestamptz)
  from public, anon, authenticated;
revoke execute on function public.is_open_at(uuid, timestamptz), public.next_opening(uuid, timestamptz)
  from public, anon;
grant execute on function public.is_open_at(uuid, timestamptz), public.next_opening(uuid, timestamptz)
  to authenticated, service_role;

-- CSAT (issue 18, item 6; ADR 096): when a person closes a chat, the customer gets the tenant's 1–5
-- question through the outbox. The customer's next message within 24 hours is parsed: a score is
-- recorded in public.csat_responses, the chat stays closed and the message never reaches the AI;
-- anything else ends the question and is treated as a normal message.

-- Section - Settings and rows

alter table public.tenants
  add column csat_enabled boolean not null default false,
  add column csat_question text check (csat_question is null or length(csat_question) between 1 and 1000);
comment on column public.tenants.csat_enabled is 'Ask the customer for a 1–5 rating when a person closes the chat.';
comment on column public.tenants.csat_question is 'The rating question; null means the default text in the tenant''s language.';
grant update (csat_enabled, csat_question) on public.tenants to authenticated;

-- Marks the two messages of a rating so the AI's context, the sweeper and the webhook leave them out.
alter table public.messages add column csat text check (csat in ('question', 'answer'));
comment on column public.messages.csat is 'question: the rating question sent on close; answer: the customer''s rating. Never shown to the AI.';

create table public.csat_responses (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  -- The person the rating is about: the chat's assignee when it was closed, else who closed it.
  agent_id uuid references public.agents (user_id) on delete set null,
  question_message_id uuid references public.messages (id) on delete set null,
  asked_at timestamptz not null default now(),
  -- null while the question waits for the customer's next message.
  outcome text check (outcome in ('answered', 'not_answered')),
  score smallint check (score between 1 and 5),
  answer_message_id uuid references public.messages (id) on delete set null,
  answered_at timestamptz,
  check ((outcome = 'answered') = (score is not null))
);
comment on table public.csat_responses is 'One row per rating question; score set when the customer answered 1–5.';
create unique index csat_responses_one_pending on public.csat_responses (conversation_id) where outcome is null;
create index csat_responses_tenant_answered on public.csat_responses (tenant_id, answered_at);

alter table public.csat_responses enable row level security;
create policy "agents read their ratings" on public.csat_responses
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
revoke all on public.csat_responses from anon, authenticated;
grant select on public.csat_responses to authenticated;
grant all on public.csat_responses to service_role;

-- Section - Parsing

-- A rating in a customer's words: "5", "5/5", "cinco", "Four!", "⭐⭐⭐⭐⭐". null when it is not one.
create function public.parse_csat(p_body text) returns smallint
language sql immutable set search_path = '' as $$
  with t as (
    -- Lower case, variation selectors and spaces out, trailing punctuation and "/5" out.
    select regexp_replace(regexp_replace(lower(btrim(coalesce(p_body, ''))), '[\s\ufe0f]+', '', 'g'),
      '(/5)?[.!]*$', '') as s
  )
  select case
    when s ~ '^[1-5]$' then s::smallint
    when s ~ '^(⭐|★){1,5}$' then char_length(s)::smallint
    else coalesce(array_position(array['uno', 'dos', 'tres', 'cuatro', 'cinco'], s),
      array_position(array['one', 'two', 'three', 'four', 'five'], s))::smallint
  end
  from t
$$;

create function private.csat_question(p_tenant public.tenants) returns text
language sql immutable set search_path = '' as $$
  select coalesce(p_tenant.csat_question, case p_tenant.language
    when 'en' then 'How would you rate the help you got? Reply with a number from 1 (bad) to 5 (excellent).'
    else '¿Cómo calificarías la atención que recibiste? Responde con un número del 1 (mala) al 5 (excelente).' end)
$$;

-- Section - Asking on close

-- A person closed the chat (set_conversation_status writes the 'close' audit row): queue the
-- question like any outgoing message. Not asked when the tenant has it off, or outside a Cloud API
-- number's service window (WhatsApp would refuse free text). A question still waiting from an
-- earlier close is ended first: one question per chat at a time.
create function private.ask_csat_on_close() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  tenant public.tenants;
  conv public.conversations;
  question text;
  msg public.messages;
begin
  select * into tenant from public.tenants where id = new.tenant_id;
  if not tenant.csat_enabled then return null; end if;
  select * into conv from public.conversations where id = new.conversation_id;
  if private.service_window_closes_at(conv) <= now() then return null; end if;
  update public.csat_responses set outcome = 'not_answered' where conversation_id = conv.id and outcome is null;
  question := private.csat_question(tenant);
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, status,
    next_attempt_at, csat)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'system', new.actor_id, question, 'queued', now(), 'question')
  returning * into msg;
  insert into public.csat_responses (tenant_id, conversation_id, agent_id, question_message_id)
  values (conv.tenant_id, conv.id, coalesce(conv.assigned_agent_id, new.actor_id), msg.id);
  update public.conversations set last_message_at = msg.created_at, last_message_preview = left(question, 120)
  where id = conv.id;
  return null;
end
$$;
create trigger audit_log_ask_csat after insert on public.audit_log
  for each row when (new.action = 'close' and new.actor_kind = 'agent' and new.conversation_id is not null)
  execute function private.ask_csat_on_close();

-- Section - The answer

-- The question waiting in a chat, if it was asked less than 24 hours ago.
create function private.pending_csat(p_conversation_id uuid) returns public.csat_responses
language sql stable security definer set search_path = '' as $$
  select * from public.csat_responses
  where conversation_id = p_conversation_id and outcome is null and asked_at > now() - interval '24 hours'
$$;

-- Before a customer message is stored: a rating for a waiting question is marked as the answer.
create function private.mark_csat_answer() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if (private.pending_csat(new.conversation_id)).id is not null and public.parse_csat(new.body) is not null then
    new.csat := 'answer';
  end if;
  return new;
end
$$;
create trigger messages_csat_answer before insert on public.messages
  for each row when (new.direction = 'in' and new.author = 'customer' and new.csat is null)
  execute function private.mark_csat_answer();

-- After it is stored: the customer's next message ends the question, with its score or without.
create function private.record_csat_answer() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.csat_responses
  set outcome = case when new.csat = 'answer' then 'answered' else 'not_answered' end,
      score = case when new.csat = 'answer' then public.parse_csat(new.body) end,
      answer_message_id = case when new.csat = 'answer' then new.id end,
      answered_at = case when new.csat = 'answer' then new.created_at end
  where id = (private.pending_csat(new.conversation_id)).id;
  return null;
end
$$;
create trigger messages_csat_record after insert on public.messages
  for each row when (new.direction = 'in' and new.author = 'customer')
  execute function private.record_csat_answer();

-- ingest_message reopens a chat and counts the message unread; an answer leaves the chat closed.
create function private.keep_closed_after_csat() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.messages m where m.conversation_id = new.id and m.csat = 'answer'
             and m.created_at = new.last_customer_message_at) then
    new.status := old.status;
    new.unread_count := old.unread_count;
  end if;
  return new;
end
$$;
create trigger conversations_keep_closed_after_csat before update on public.conversations
  for each row when (old.status = 'closed' and new.status = 'open'
    and new.last_customer_message_at is distinct from old.last_customer_message_at)
  execute function private.keep_closed_after_csat();

-- The AI is woken for customer messages only; a rating is not one.
drop trigger messages_incoming_webhook on public.messages;
create trigger messages_incoming_webhook after insert on public.messages
  for each row when (new.direction = 'in' and new.csat is null) execute function private.on_incoming_message();

-- A hand-back answers the customer's last message unless it was the rating (or the question).
create or replace function private.unanswered_customer_message(p_conversation_id uuid) returns public.messages
language sql stable security definer set search_path = '' as $$
  select m.* from public.messages m
  where m.conversation_id = p_conversation_id and not m.private and m.status <> 'cancelled' and m.csat is null
  order by m.created_at desc, m.id desc limit 1
$$;

-- Section - Metrics

-- Ratings answered in [p_from, p_to) of the caller's tenant: overall, per agent and per day (in
-- the tenant's time zone). `asked` counts questions sent in the period, for the answer rate.
create function public.csat_metrics(p_from timestamptz, p_to timestamptz) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  tz text := (select t.timezone from public.tenants t where t.id = me.tenant_id);
begin
  if p_from is null or p_to is null or p_from >= p_to then
    perform private.fail(400, 'invalid_argument', 'from must be before to');
  end if;
  return (
    with asked as (
      select * from public.csat_responses r
      where r.tenant_id = me.tenant_id and r.asked_at >= p_from and r.asked_at < p_to
    ), answered as (
      select * from public.csat_responses r
      where r.tenant_id = me.tenant_id and r.outcome = 'answered' and r.answered_at >= p_from and r.answered_at < p_to
    )
    select jsonb_build_object(
      'asked', (select count(*) from asked),
      'answered', (select count(*) from answered),
      'average', (select round(avg(score), 2) from answered),
      'by_score', (select coalesce(jsonb_object_agg(score, n), '{}') from (
          select score, count(*) n from answered group by score) s),
      'by_agent', (select coalesce(jsonb_agg(jsonb_build_object('agent_id', a.agent_id, 'name', a.name,
            'asked', a.asked, 'answered', a.answered, 'average', a.average) order by a.name), '[]') from (
          select r.agent_id, coalesce(ag.display_name, '—') as name,
            count(*) filter (where r.asked_at >= p_from and r.asked_at < p_to) as asked,
            count(*) filter (where r.outcome = 'answered' and r.answered_at >= p_from and r.answered_at < p_to) as answered,
            round(avg(r.score) filter (where r.outcome = 'answered' and r.answered_at >= p_from
              and r.answered_at < p_to), 2) as average
          from public.csat_responses r left join public.agents ag on ag.user_id = r.agent_id
          where r.tenant_id = me.tenant_id and ((r.asked_at >= p_from and r.asked_at < p_to)
            or (r.answered_at >= p_from and r.answered_at < p_to))
          group by r.agent_id, ag.display_name) a),
      'by_day', (select coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'answered', d.n, 'average', d.average)
            order by d.day), '[]') from (
          select (answered_at at time zone tz)::date as day, count(*) n, round(avg(score), 2) as average
          from answered group by 1) d)
    )
  );
end
$$;

revoke execute on function public.parse_csat(text), public.csat_metrics(timestamptz, timestamptz)
  from public, anon, authenticated;
grant execute on function public.csat_metrics(timestamptz, timestamptz) to authenticated;
grant execute on function public.parse_csat(text), public.csat_metrics(timestamptz, timestamptz) to service_role;
revoke execute on function private.csat_question(public.tenants), private.ask_csat_on_close(),
  private.pending_csat(uuid), private.mark_csat_answer(), private.record_csat_answer(),
  private.keep_closed_after_csat() from public, anon, authenticated;

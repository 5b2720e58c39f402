-- The AI hears and sees (issue 15 item 6, ADR 081/082): voice notes are transcribed by the
-- functions and the transcript is stored on the message (shown on the desk through the feed,
-- searchable, the customer's words in the AI's context); images go to the model when the
-- tenant's model accepts them; an AI reply may carry one product image, stored under the
-- tenant's `ai/` folder of the `media` bucket and sent through the outbox like an agent's file.

-- ---------------------------------------------------------------- Tenant settings
alter table public.tenants
  add column ai_accepts_images boolean not null default true,
  add column transcription_model text not null default 'gpt-4o-mini-transcribe'
    check (length(btrim(transcription_model)) between 1 and 100);
comment on column public.tenants.ai_accepts_images is
  'Whether the AI''s model takes image input: customers'' photos are then shown to it (otherwise only named).';
comment on column public.tenants.transcription_model is
  'The model of the OpenAI-compatible audio/transcriptions endpoint for voice notes (gpt-4o-mini-transcribe, whisper-1, …).';
grant update (ai_accepts_images, transcription_model) on public.tenants to authenticated;

-- ---------------------------------------------------------------- Transcripts
-- The functions transcribed a voice note or audio: the text is stored on the message (the feed
-- broadcasts the update, the search index picks it up). Idempotent; a message the customer
-- deleted for everyone meanwhile keeps no transcript ({saved: false}).
create function public.set_message_transcript(p_message_id uuid, p_transcript text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
  spoken text := btrim(coalesce(p_transcript, ''));
begin
  perform private.require_id(p_message_id, 'message id');
  if length(spoken) > 65536 then
    perform private.fail(400, 'invalid_transcript', 'A transcript has at most 65536 characters');
  end if;
  select * into msg from public.messages where id = p_message_id for update;
  if not found or msg.type <> 'audio' then
    perform private.fail(404, 'message_not_found', 'No voice note or audio under that id');
  end if;
  if msg.deleted_at is not null then
    return jsonb_build_object('saved', false, 'reason', 'deleted');
  end if;
  update public.messages set transcript = spoken where id = msg.id and transcript is distinct from spoken;
  return jsonb_build_object('saved', true);
end
$$;

-- ---------------------------------------------------------------- The AI's reply with an image
-- The file the AI attaches: an image the functions stored under the tenant's ai/ folder.
create function private.ai_media(p_tenant_id uuid, p_media jsonb) returns jsonb
language plpgsql immutable set search_path = '' as $$
declare
  path text := p_media ->> 'path';
  mimetype text := lower(coalesce(p_media ->> 'mimetype', ''));
begin
  if jsonb_typeof(p_media) <> 'object' then
    perform private.fail(400, 'invalid_media', 'p_media must be an object {path, mimetype, size, sha256}');
  end if;
  if path is null or path not like p_tenant_id::text || '/ai/_%' or path like '%..%' or path like '%//%'
     or length(path) > 512 then
    perform private.fail(400, 'media_path_outside', 'The AI''s file must be in the tenant''s ai/ folder');
  end if;
  if mimetype not in ('image/jpeg', 'image/png', 'image/webp') then
    perform private.fail(400, 'invalid_media', 'The AI sends JPEG, PNG or WebP images only');
  end if;
  if jsonb_typeof(p_media -> 'size') <> 'number' or coalesce(p_media ->> 'sha256', '') !~ '^[0-9a-f]{64}$' then
    perform private.fail(400, 'invalid_media', 'p_media needs the size and a hex sha256 of the stored file');
  end if;
  return jsonb_build_object('path', path, 'mimetype', mimetype, 'size', (p_media ->> 'size')::bigint,
    'sha256', p_media ->> 'sha256');
end
$$;

-- enqueue_ai_reply as before (20261203070200), plus an optional image (p_media) that goes out
-- with the text as its caption. A new parameter with a default instead of an overload (ADR 086):
-- PostgREST cannot choose between two functions that accept the same named arguments. A Cloud
-- API channel sends no files yet (ADR 120): there the text goes alone and `media_dropped` says so.
drop function public.enqueue_ai_reply(uuid, text);
create function public.enqueue_ai_reply(p_trigger_message_id uuid, p_body text, p_media jsonb default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  trig public.messages;
  conv public.conversations;
  body text := btrim(coalesce(p_body, ''));
  media jsonb;
  dropped boolean := false;
  msg public.messages;
begin
  if p_trigger_message_id is null then
    perform private.fail(400, 'invalid_argument', 'trigger message id is required');
  end if;
  if body = '' or length(body) > 4096 then
    perform private.fail(400, 'invalid_body', 'An AI reply needs 1 to 4096 characters');
  end if;
  select * into trig from public.messages where id = p_trigger_message_id;
  if not found or trig.direction <> 'in' then
    perform private.fail(404, 'message_not_found', 'No incoming message with that id');
  end if;
  if p_media is not null and p_media <> 'null'::jsonb then
    media := private.ai_media(trig.tenant_id, p_media);
    if exists (select 1 from public.channels c where c.id = trig.channel_id and c.kind = 'cloud_api') then
      media := null;
      dropped := true;
    end if;
  end if;
  conv := private.lock_conversation(trig.conversation_id, null);
  if trig.deleted_at is not null then
    return jsonb_build_object('enqueued', false, 'reason', 'trigger_deleted');
  end if;
  if conv.mode <> 'ai' then
    return jsonb_build_object('enqueued', false, 'reason', 'not_ai_mode');
  end if;
  if exists (select 1 from public.messages m where m.conversation_id = conv.id and m.direction = 'in'
             and m.deleted_at is null and (m.created_at, m.id) > (trig.created_at, trig.id)) then
    return jsonb_build_object('enqueued', false, 'reason', 'newer_message');
  end if;
  if exists (select 1 from public.messages m where m.conversation_id = conv.id and m.direction = 'out'
             and not m.private and m.status <> 'cancelled'
             and (m.in_reply_to = trig.id or m.created_at > trig.created_at)) then
    return jsonb_build_object('enqueued', false, 'reason', 'already_answered');
  end if;
  if private.service_window_closes_at(conv) <= now() then
    return jsonb_build_object('enqueued', false, 'reason', 'outside_service_window');
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, type, media,
    media_status, status, next_attempt_at, in_reply_to)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'ai', body, case when media is null then 'text' else 'image' end,
    media, case when media is not null then 'stored' end, 'queued', now(), trig.id)
  returning * into msg;
  update public.conversations set last_message_at = msg.created_at, last_message_preview = left(body, 120)
  where id = conv.id;
  return jsonb_build_object('enqueued', true, 'message_id', msg.id, 'media_dropped', dropped);
end
$$;

-- ---------------------------------------------------------------- Search covers transcripts
-- What search indexes and highlights of a message: its text and what its voice note says. A
-- message deleted for everyone keeps neither (its body is cleared, its transcript left out).
create function private.searchable_text(p_message public.messages) returns text
language sql immutable set search_path = '' as $$
  select concat_ws(E'\n', nullif(p_message.body, ''),
    case when p_message.deleted_at is null then p_message.transcript end)
$$;

create or replace function private.index_message_for_search() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.type = 'event' then
    return null;
  end if;
  insert into private.message_search (message_id, tenant_id, created_at, document)
  values (new.id, new.tenant_id, new.created_at, private.message_document(private.searchable_text(new)))
  on conflict (message_id) do update set document = excluded.document;
  return null;
end
$$;
drop trigger messages_search_document on public.messages;
create trigger messages_search_document after insert or update of body, transcript, deleted_at on public.messages
  for each row execute function private.index_message_for_search();

update private.message_search s set document = private.message_document(private.searchable_text(m))
from public.messages m where m.id = s.message_id and m.transcript is not null;

-- search_messages as before (20261203040000), the snippet taken from the text and the transcript.
create or replace function public.search_messages(p_query text, p_limit integer default 50)
returns table (
  conversation_id uuid,
  message_id uuid,
  created_at timestamptz,
  author public.message_author,
  private boolean,
  customer_name text,
  customer_phone text,
  snippet text,
  rank real
)
language plpgsql stable security definer set search_path = '' set plan_cache_mode = force_custom_plan as $$
#variable_conflict use_column
declare
  tenant uuid := (select private.require_agent()).tenant_id;
  q_es tsquery;
  q_en tsquery;
  options text := format('StartSel=%s, StopSel=%s, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "',
    chr(57344), chr(57345));
begin
  if p_query is null or length(btrim(p_query)) = 0 or length(p_query) > 200 then
    perform private.fail(400, 'invalid_argument', 'The search text must have 1 to 200 characters');
  end if;
  if p_limit is null or p_limit not between 1 and 200 then
    perform private.fail(400, 'invalid_argument', 'p_limit must be between 1 and 200');
  end if;
  q_es := websearch_to_tsquery('pg_catalog.spanish'::regconfig, p_query);
  q_en := websearch_to_tsquery('pg_catalog.english'::regconfig, p_query);
  return query
  with candidates as (
    select s.message_id, s.created_at, s.document
    from private.message_search s
    where s.document @@ (q_es || q_en) and s.tenant_id = tenant
    order by s.created_at desc
    limit 200
  ), hits as (
    select c.message_id, ts_rank_cd(c.document, q_es || q_en) as rank
    from candidates c
    order by rank desc, c.created_at desc
    limit p_limit
  ), matched as (
    select h.rank, m.*, private.searchable_text(m) as text
    from hits h
    join public.messages m on m.id = h.message_id and m.tenant_id = tenant
  )
  select f.conversation_id, f.id, f.created_at, f.author, f.private, c.customer_name, c.customer_phone,
    case when to_tsvector('pg_catalog.spanish'::regconfig, f.text) @@ q_es
      then ts_headline('pg_catalog.spanish'::regconfig, f.text, q_es, options)
      else ts_headline('pg_catalog.english'::regconfig, f.text, q_en, options)
    end,
    f.rank
  from matched f
  join public.conversations c on c.id = f.conversation_id and c.tenant_id = tenant
  order by f.rank desc, f.created_at desc;
end
$$;

-- ---------------------------------------------------------------- Events out
-- The message in an event carries the transcript column (it was read from media before it existed).
create or replace function private.event_message(p_message public.messages) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'id', p_message.id, 'conversation_id', p_message.conversation_id, 'channel_id', p_message.channel_id,
    'direction', p_message.direction, 'author', p_message.author, 'agent_id', p_message.agent_id,
    'type', p_message.type, 'body', p_message.body, 'media', p_message.media,
    'transcript', coalesce(p_message.transcript, p_message.media ->> 'transcript'), 'status', p_message.status,
    'wa_message_id', p_message.wa_message_id, 'in_reply_to', p_message.in_reply_to,
    'created_at', p_message.created_at, 'sent_at', p_message.sent_at)
$$;

-- ---------------------------------------------------------------- Grants
revoke execute on function private.ai_media(uuid, jsonb), private.searchable_text(public.messages)
  from public, anon, authenticated;
revoke execute on function public.set_message_transcript(uuid, text),
  public.enqueue_ai_reply(uuid, text, jsonb) from public, anon, authenticated;
grant execute on function public.set_message_transcript(uuid, text),
  public.enqueue_ai_reply(uuid, text, jsonb) to service_role;

-- Media on messages (issue 15): the connector downloads every incoming file into the private
-- Storage bucket `media` and records where it is; agents send files through the outbox.
-- A message row is stored at once with media_status 'pending' and its file follows, so a slow
-- or failed download never holds up the text, the AI or the desk. Files live in Storage under
-- `<tenant_id>/<conversation_id>/<message_id>.<ext>` (incoming) and `<tenant_id>/outgoing/…`
-- (uploaded by agents); the row keeps the path, size, type and SHA-256, never the bytes.
-- Location and contacts are no files: their structured data is the whole of `media`.

-- ---------------------------------------------------------------- Tables
alter table public.messages drop constraint messages_type_check;
alter table public.messages add constraint messages_type_check check (type in (
  'text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'event', 'note', 'unsupported'));
alter table public.messages
  add column media_status text check (media_status in ('pending', 'stored', 'failed', 'expired')),
  add column media_error text check (length(media_error) <= 1000),
  add column media_attempts integer not null default 0 check (media_attempts >= 0),
  add column media_retry_at timestamptz,
  add column transcript text check (length(transcript) <= 65536);
comment on column public.messages.media is
  'Files: {path (in bucket media), mimetype, size, sha256, filename?, duration_s?, width?, height?, voice?}; '
  'location: {latitude, longitude, name?, address?}; contacts: {contacts: [{name, phones[]}]}; '
  'events: the event details. Rows stored before media was kept hold only the metadata WhatsApp reported.';
comment on column public.messages.media_status is
  'File messages only (null otherwise): pending until the connector stored the file, stored, failed '
  '(media_error says why; retried at media_retry_at unless null), expired (removed by retention).';
comment on column public.messages.transcript is 'What a voice note or audio says, once transcribed.';

-- ---------------------------------------------------------------- Indexes
-- The connector's retry sweep: files still pending or failed, per channel, oldest first.
create index messages_media_due_idx on public.messages (channel_id, created_at)
  where media_status in ('pending', 'failed');

-- ---------------------------------------------------------------- Helpers
-- The media an agent attaches: an object the agent uploaded into its tenant's outgoing/ folder.
-- Returns the normalised descriptor and the message type it makes, or fails with a hint.
create function private.outgoing_media(p_tenant_id uuid, p_media jsonb) returns jsonb
language plpgsql immutable set search_path = '' as $$
declare
  path text := p_media ->> 'path';
  mimetype text := lower(coalesce(p_media ->> 'mimetype', ''));
  filename text := nullif(btrim(coalesce(p_media ->> 'filename', '')), '');
begin
  if jsonb_typeof(p_media) <> 'object' then
    perform private.fail(400, 'invalid_media', 'p_media must be an object {path, mimetype, filename?}');
  end if;
  if path is null or path not like p_tenant_id::text || '/outgoing/_%' or path like '%..%' or path like '%//%'
     or length(path) > 512 then
    perform private.fail(400, 'media_path_outside', 'The file must be in your tenant''s outgoing/ folder',
      'Upload it to media/' || p_tenant_id::text || '/outgoing/<name> first, then send that path');
  end if;
  if mimetype !~ '^[a-z]+/[a-z0-9][a-z0-9.+-]*$' then
    perform private.fail(400, 'invalid_media', 'The file needs a MIME type such as image/jpeg');
  end if;
  if length(filename) > 255 then
    perform private.fail(400, 'invalid_media', 'A file name has at most 255 characters');
  end if;
  return jsonb_strip_nulls(jsonb_build_object(
    'path', path, 'mimetype', mimetype, 'filename', filename,
    'voice', case when (p_media -> 'voice') = 'true'::jsonb and mimetype like 'audio/%' then true end,
    'type', case split_part(mimetype, '/', 1) when 'image' then 'image' when 'audio' then 'audio'
              when 'video' then 'video' else 'document' end));
end
$$;

-- ---------------------------------------------------------------- Ingest (connector)
-- ingest_message as before (delivery rules), plus: type contacts; a file message starts with
-- media_status pending; the result names the tenant and the media status, so the connector
-- knows where the file goes and whether it still has to fetch it (a duplicate from catch-up).
create or replace function public.ingest_message(
  p_channel_id uuid, p_wa_message_id text, p_wa_chat_id text, p_from_me boolean, p_body text,
  p_customer_name text default null, p_customer_phone text default null,
  p_type text default 'text', p_media jsonb default null, p_sent_at timestamptz default null
) returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  chan public.channels;
  conv public.conversations;
  existing public.messages;
  msg public.messages;
  preview text := left(coalesce(nullif(btrim(p_body), ''), '[' || coalesce(p_type, 'text') || ']'), 120);
begin
  if p_channel_id is null or coalesce(p_wa_message_id, '') = '' or coalesce(p_wa_chat_id, '') = '' or p_from_me is null then
    perform private.fail(400, 'invalid_argument', 'channel id, WhatsApp message id, chat id and from_me are required');
  end if;
  if length(coalesce(p_body, '')) > 65536 then
    perform private.fail(400, 'invalid_body', 'Message body longer than WhatsApp allows (65536 characters)');
  end if;
  if coalesce(p_type, 'text') not in ('text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'unsupported') then
    perform private.fail(400, 'invalid_argument', 'Unknown message type ' || p_type,
      'Map the transport''s type to text, image, audio, video, document, sticker, location, contacts or unsupported');
  end if;
  select * into chan from public.channels where id = p_channel_id;
  if not found then
    perform private.fail(404, 'channel_not_found', 'Channel not found', 'Check CHANNEL_ID of the connector');
  end if;
  select * into existing from public.messages where channel_id = chan.id and wa_message_id = p_wa_message_id;
  if found then
    return private.ingest_result(existing, true);
  end if;

  select * into conv from public.conversations
  where channel_id = chan.id and wa_chat_id = p_wa_chat_id for update;
  if not found then
    insert into public.conversations (tenant_id, channel_id, wa_chat_id, customer_name, customer_phone)
    values (chan.tenant_id, chan.id, p_wa_chat_id, nullif(btrim(p_customer_name), ''), p_customer_phone)
    on conflict (channel_id, wa_chat_id) do nothing
    returning * into conv;
    if conv.id is null then
      select * into conv from public.conversations
      where channel_id = chan.id and wa_chat_id = p_wa_chat_id for update;
    end if;
  end if;

  -- The echo of the connector's own send (same chat, same body or caption): record its id.
  if p_from_me then
    select * into existing from public.messages m
    where m.conversation_id = conv.id and m.direction = 'out' and not m.private and m.wa_message_id is null
      and m.leased_by is not null and m.status in ('sending', 'cancelled') and m.body = coalesce(p_body, '')
    order by m.created_at, m.id limit 1
    for update;
    if found then
      update public.messages set wa_message_id = p_wa_message_id, status = 'sent', sent_at = coalesce(sent_at, now()),
        lease_expires_at = null, error = null
      where id = existing.id returning * into existing;
      return private.ingest_result(existing, true);
    end if;
  end if;

  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, type, media,
    media_status, status, wa_message_id, wa_timestamp, sent_at)
  values (chan.tenant_id, chan.id, conv.id, case when p_from_me then 'out' else 'in' end::public.message_direction,
    case when p_from_me then 'phone' else 'customer' end::public.message_author,
    coalesce(p_body, ''), coalesce(p_type, 'text'), p_media,
    case when p_type in ('image', 'audio', 'video', 'document', 'sticker') then 'pending' end,
    case when p_from_me then 'sent' else 'received' end::public.message_status,
    p_wa_message_id, p_sent_at, case when p_from_me then coalesce(p_sent_at, now()) end)
  on conflict (channel_id, wa_message_id) do nothing
  returning * into msg;
  if msg.id is null then
    select * into existing from public.messages where channel_id = chan.id and wa_message_id = p_wa_message_id;
    return private.ingest_result(existing, true);
  end if;

  if p_from_me then
    update public.conversations set last_message_at = msg.created_at, last_message_preview = preview,
      last_agent_activity_at = now(), unread_count = 0,
      customer_name = coalesce(nullif(btrim(p_customer_name), ''), customer_name),
      customer_phone = coalesce(p_customer_phone, customer_phone)
    where id = conv.id returning * into conv;
    if conv.mode = 'ai' then
      perform private.switch_to_human(conv, 'phone', null, 'takeover', jsonb_build_object('by_phone', true));
    end if;
  else
    update public.conversations set last_message_at = msg.created_at, last_message_preview = preview,
      last_customer_message_at = msg.created_at, unread_count = unread_count + 1, status = 'open',
      customer_name = coalesce(nullif(btrim(p_customer_name), ''), customer_name),
      customer_phone = coalesce(p_customer_phone, customer_phone)
    where id = conv.id;
  end if;
  return private.ingest_result(msg, false);
end
$$;

create function private.ingest_result(p_message public.messages, p_duplicate boolean) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('message_id', p_message.id, 'conversation_id', p_message.conversation_id,
    'tenant_id', p_message.tenant_id, 'duplicate', p_duplicate, 'author', p_message.author,
    'media_status', p_message.media_status)
$$;

-- The connector stored the file: the descriptor (path under the message's own folder, size,
-- SHA-256, …) is merged into media. Idempotent; a message deleted for everyone meanwhile is
-- left alone ({stored: false}) and the connector removes the file it uploaded.
create function public.mark_media_stored(p_message_id uuid, p_media jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
begin
  perform private.require_id(p_message_id, 'message id');
  if jsonb_typeof(p_media) is distinct from 'object' or coalesce(p_media ->> 'mimetype', '') = ''
     or coalesce(p_media ->> 'sha256', '') !~ '^[0-9a-f]{64}$' or jsonb_typeof(p_media -> 'size') <> 'number' then
    perform private.fail(400, 'invalid_media', 'p_media needs path, mimetype, size and a hex sha256');
  end if;
  select * into msg from public.messages where id = p_message_id for update;
  if not found or msg.media_status is null then
    perform private.fail(404, 'message_not_found', 'No message with a file under that id');
  end if;
  if coalesce(p_media ->> 'path', '') not like msg.tenant_id::text || '/' || msg.conversation_id::text || '/' || msg.id::text || '.%' then
    perform private.fail(400, 'media_path_outside', 'The file must be stored at <tenant>/<conversation>/<message>.<ext>');
  end if;
  if msg.deleted_at is not null then
    return jsonb_build_object('stored', false, 'reason', 'deleted');
  end if;
  update public.messages
  set media = coalesce(media, '{}'::jsonb) || (p_media - 'error'), media_status = 'stored', media_error = null,
      media_retry_at = null
  where id = msg.id;
  return jsonb_build_object('stored', true);
end
$$;

-- A download or upload failed: retried with backoff (30 s · 2^attempts, at most 1 h) until
-- p_max_attempts, never when not retryable (too large, expired on WhatsApp). A stored file stays stored.
create function public.mark_media_failed(
  p_message_id uuid, p_error text, p_retryable boolean default true, p_max_attempts integer default 5
) returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
begin
  perform private.require_id(p_message_id, 'message id');
  select * into msg from public.messages where id = p_message_id for update;
  if not found or msg.media_status is null then
    perform private.fail(404, 'message_not_found', 'No message with a file under that id');
  end if;
  if msg.media_status in ('pending', 'failed') then
    update public.messages
    set media_status = 'failed', media_error = left(coalesce(nullif(p_error, ''), 'unknown error'), 1000),
        media_attempts = media_attempts + 1,
        media_retry_at = case when coalesce(p_retryable, true) and media_attempts + 1 < coalesce(p_max_attempts, 5)
          then now() + make_interval(secs => least(3600, 30 * power(2, media_attempts))) end
    where id = msg.id returning * into msg;
  end if;
  return jsonb_build_object('media_status', msg.media_status, 'retry_at', msg.media_retry_at);
end
$$;

-- Files the connector still has to fetch: pending for longer than p_pending_age_seconds (the
-- process that ingested them died or lost them), or failed and due for a retry.
create function public.media_to_fetch(
  p_channel_id uuid, p_limit integer default 20, p_pending_age_seconds integer default 60
) returns table (message_id uuid, tenant_id uuid, conversation_id uuid, wa_message_id text, type text,
  media jsonb, media_status text, media_attempts integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_id(p_channel_id, 'channel id');
  if p_limit is null or p_limit not between 1 and 100 or coalesce(p_pending_age_seconds, -1) < 0 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..100 and the pending age at least 0 seconds');
  end if;
  return query
  select m.id, m.tenant_id, m.conversation_id, m.wa_message_id, m.type, m.media, m.media_status, m.media_attempts
  from public.messages m
  where m.channel_id = p_channel_id and m.media_status in ('pending', 'failed') and m.deleted_at is null
    and m.wa_message_id is not null
    and ((m.media_status = 'pending' and m.created_at <= now() - make_interval(secs => p_pending_age_seconds))
      or (m.media_status = 'failed' and m.media_retry_at <= now()))
  order by m.created_at, m.id
  limit p_limit;
end
$$;

-- ---------------------------------------------------------------- Outbox (agents)
-- send_agent_message as before, plus an optional file (p_media {path, mimetype, filename?, voice?})
-- the agent uploaded to its tenant's outgoing/ folder; the body is then the caption and may be empty.
-- The outbox row carries the descriptor to the connector (claim_outbox returns whole rows).
drop function public.send_agent_message(uuid, text, text);
create function public.send_agent_message(
  p_conversation_id uuid, p_body text, p_client_ref text default null, p_media jsonb default null
) returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
  body text := btrim(coalesce(p_body, ''));
  media jsonb := case when p_media is not null and p_media <> 'null'::jsonb
                   then private.outgoing_media(me.tenant_id, p_media) end;
  existing public.messages;
  msg public.messages;
begin
  if (body = '' and media is null) or length(body) > 4096 then
    perform private.fail(400, 'invalid_body', 'A message needs 1 to 4096 characters, or a file',
      'Shorten or split the message');
  end if;
  if p_client_ref is not null then
    select * into existing from public.messages where conversation_id = conv.id and client_ref = p_client_ref;
    if found then return existing; end if;
  end if;
  if conv.mode = 'ai' or conv.assigned_agent_id is distinct from me.user_id then
    conv := private.switch_to_human(conv, 'agent', me.user_id, 'takeover',
      jsonb_build_object('agent_name', me.display_name, 'by_sending', true, 'previous_agent_id', conv.assigned_agent_id));
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, type,
    media, media_status, status, next_attempt_at, client_ref)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'agent', me.user_id, body,
    coalesce(media ->> 'type', 'text'), media - 'type', case when media is not null then 'stored' end,
    'queued', now(), p_client_ref)
  returning * into msg;
  update public.conversations
  set last_message_at = msg.created_at, unread_count = 0, last_agent_activity_at = now(), status = 'open',
      last_message_preview = left(coalesce(nullif(body, ''), '[' || msg.type || ']'), 120)
  where id = conv.id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, conversation_id, details)
  values (conv.tenant_id, me.user_id, 'agent', 'send', conv.id, jsonb_build_object('message_id', msg.id));
  return msg;
end
$$;

-- ---------------------------------------------------------------- Grants
revoke execute on function private.outgoing_media(uuid, jsonb), private.ingest_result(public.messages, boolean)
  from public, anon, authenticated;
revoke execute on function public.mark_media_stored(uuid, jsonb), public.mark_media_failed(uuid, text, boolean, integer),
  public.media_to_fetch(uuid, integer, integer) from public, anon, authenticated;
grant execute on function public.mark_media_stored(uuid, jsonb), public.mark_media_failed(uuid, text, boolean, integer),
  public.media_to_fetch(uuid, integer, integer) to service_role;
grant execute on function public.send_agent_message(uuid, text, text, jsonb) to authenticated, service_role;

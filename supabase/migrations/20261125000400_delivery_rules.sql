-- The delivery rules: idempotent ingest, race-safe AI enqueue, the outbox with leases,
-- retries with backoff, and delivery acks. Called by the connector and functions with
-- the service role; never by agents.

-- Ingest one WhatsApp message; the same WhatsApp id twice is one row (rule: idempotent ingest).
-- p_sent_at is WhatsApp's own timestamp (kept in wa_timestamp; catch-up ingests old messages late).
-- from_me = typed on the business phone (not sent by the connector): author phone, a takeover (rule 3).
create function public.ingest_message(
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
  if coalesce(p_type, 'text') not in ('text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'unsupported') then
    perform private.fail(400, 'invalid_argument', 'Unknown message type ' || p_type,
      'Map the transport''s type to text, image, audio, video, document, sticker, location or unsupported');
  end if;
  select * into chan from public.channels where id = p_channel_id;
  if not found then
    perform private.fail(404, 'channel_not_found', 'Channel not found', 'Check CHANNEL_ID of the connector');
  end if;
  select * into existing from public.messages where channel_id = chan.id and wa_message_id = p_wa_message_id;
  if found then
    return jsonb_build_object('message_id', existing.id, 'conversation_id', existing.conversation_id,
      'duplicate', true, 'author', existing.author);
  end if;

  -- Lock the chat's conversation, creating it on the first message. It is written once below
  -- (each write is also a tenant broadcast), not upserted and then updated again.
  select * into conv from public.conversations
  where channel_id = chan.id and wa_chat_id = p_wa_chat_id for update;
  if not found then
    insert into public.conversations (tenant_id, channel_id, wa_chat_id, customer_name, customer_phone)
    values (chan.tenant_id, chan.id, p_wa_chat_id, nullif(btrim(p_customer_name), ''), p_customer_phone)
    on conflict (channel_id, wa_chat_id) do nothing
    returning * into conv;
    if conv.id is null then
      -- A concurrent ingest created it first.
      select * into conv from public.conversations
      where channel_id = chan.id and wa_chat_id = p_wa_chat_id for update;
    end if;
  end if;

  -- WhatsApp Web reports the connector's own sends as from_me too, sometimes before mark_sent
  -- has recorded the id. Such an echo is the outbox message being sent (same chat, same body,
  -- claimed by a connector), not a phone takeover: record its WhatsApp id and report a duplicate.
  if p_from_me then
    select * into existing from public.messages m
    where m.conversation_id = conv.id and m.direction = 'out' and not m.private and m.wa_message_id is null
      and m.leased_by is not null and m.status in ('sending', 'cancelled') and m.body = coalesce(p_body, '')
    order by m.created_at, m.id limit 1
    for update;
    if found then
      update public.messages set wa_message_id = p_wa_message_id, status = 'sent', sent_at = coalesce(sent_at, now()),
        lease_expires_at = null, error = null
      where id = existing.id;
      return jsonb_build_object('message_id', existing.id, 'conversation_id', conv.id, 'duplicate', true,
        'author', existing.author);
    end if;
  end if;

  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, type, media, status,
    wa_message_id, wa_timestamp, sent_at)
  values (chan.tenant_id, chan.id, conv.id, case when p_from_me then 'out' else 'in' end::public.message_direction,
    case when p_from_me then 'phone' else 'customer' end::public.message_author,
    coalesce(p_body, ''), coalesce(p_type, 'text'), p_media,
    case when p_from_me then 'sent' else 'received' end::public.message_status,
    p_wa_message_id, p_sent_at, case when p_from_me then coalesce(p_sent_at, now()) end)
  on conflict (channel_id, wa_message_id) do nothing
  returning * into msg;
  if msg.id is null then
    -- A concurrent ingest of the same id won the race.
    select * into existing from public.messages where channel_id = chan.id and wa_message_id = p_wa_message_id;
    return jsonb_build_object('message_id', existing.id, 'conversation_id', existing.conversation_id,
      'duplicate', true, 'author', existing.author);
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
  return jsonb_build_object('message_id', msg.id, 'conversation_id', conv.id, 'duplicate', false, 'author', msg.author);
end
$$;

-- Race-safe AI enqueue (rule 2): refused when the chat is no longer in ai mode, when a newer
-- customer message arrived (the AI will answer that one), or when the trigger was answered.
-- The AI never answers a message its sender deleted: refused here (the run was composing when
-- the delete came); a deleted newer message does not count as newer.
create function public.enqueue_ai_reply(p_trigger_message_id uuid, p_body text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  trig public.messages;
  conv public.conversations;
  body text := btrim(coalesce(p_body, ''));
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
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status,
    next_attempt_at, in_reply_to)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'ai', body, 'queued', now(), trig.id)
  returning * into msg;
  update public.conversations set last_message_at = msg.created_at, last_message_preview = left(body, 120)
  where id = conv.id;
  return jsonb_build_object('enqueued', true, 'message_id', msg.id);
end
$$;

-- Claim due outbox rows of one channel with a lease. SKIP LOCKED: concurrent claimers never
-- get the same row. An expired lease without a recorded WhatsApp id is claimable again.
create function public.claim_outbox(
  p_channel_id uuid, p_worker text, p_limit integer default 10, p_lease_seconds integer default 60
) returns setof public.messages language plpgsql security definer set search_path = '' as $$
begin
  if p_channel_id is null or coalesce(p_worker, '') = '' then
    perform private.fail(400, 'invalid_argument', 'channel id and worker name are required');
  end if;
  if p_limit is null or p_lease_seconds is null or p_limit not between 1 and 100
     or p_lease_seconds not between 5 and 3600 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..100 and lease 5..3600 seconds');
  end if;
  return query
  with due as (
    select m.id from public.messages m
    where m.channel_id = p_channel_id and m.direction = 'out' and not m.private and m.wa_message_id is null
      and ((m.status = 'queued' and coalesce(m.next_attempt_at, m.created_at) <= now())
        or (m.status = 'sending' and m.lease_expires_at < now()))
    order by m.created_at, m.id
    limit p_limit
    for update of m skip locked
  )
  update public.messages m
  set status = 'sending', attempts = m.attempts + 1, leased_by = p_worker,
      lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  from due where m.id = due.id
  returning m.*;
end
$$;

create function private.require_outbox_message(p_message_id uuid) returns public.messages
language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
begin
  perform private.require_id(p_message_id, 'message id');
  select * into msg from public.messages where id = p_message_id and direction = 'out' and not private for update;
  if not found then
    perform private.fail(404, 'message_not_found', 'No outgoing message with that id');
  end if;
  return msg;
end
$$;

-- Record the WhatsApp id first: once recorded, the message is never claimed (so never sent) again.
create function public.mark_sent(p_message_id uuid, p_wa_message_id text) returns public.messages
language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages := private.require_outbox_message(p_message_id);
begin
  if coalesce(p_wa_message_id, '') = '' then
    perform private.fail(400, 'invalid_argument', 'WhatsApp message id is required');
  end if;
  if exists (select 1 from public.messages where channel_id = msg.channel_id and wa_message_id = p_wa_message_id
             and id <> msg.id) then
    perform private.fail(409, 'wa_message_id_taken', 'Another message of this channel has that WhatsApp id',
      'Record the id WhatsApp returned for this send; an echo of it may have been ingested as a phone message');
  end if;
  update public.messages
  set wa_message_id = p_wa_message_id, sent_at = coalesce(sent_at, now()), lease_expires_at = null, error = null,
      status = case when status in ('delivered', 'read') then status else 'sent' end
  where id = msg.id returning * into msg;
  return msg;
end
$$;

-- A failed attempt: retried with exponential backoff (2^attempts s, at most 5 min), or
-- failed for good after p_max_attempts or when the error is not retryable.
create function public.mark_failed(
  p_message_id uuid, p_error text, p_retryable boolean default true, p_max_attempts integer default 5
) returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages := private.require_outbox_message(p_message_id);
begin
  if msg.status <> 'sending' then
    return msg;
  end if;
  if not coalesce(p_retryable, true) or msg.attempts >= coalesce(p_max_attempts, 5) then
    update public.messages set status = 'failed', error = left(coalesce(p_error, 'unknown error'), 1000),
      lease_expires_at = null
    where id = msg.id returning * into msg;
  else
    update public.messages set status = 'queued', error = left(coalesce(p_error, 'unknown error'), 1000),
      lease_expires_at = null, next_attempt_at = now() + make_interval(secs => least(300, power(2, msg.attempts)))
    where id = msg.id returning * into msg;
  end if;
  return msg;
end
$$;

-- Delivery acks only move forward: sent → delivered → read.
create function public.record_ack(p_channel_id uuid, p_wa_message_id text, p_status public.message_status)
returns boolean language plpgsql security definer set search_path = '' as $$
declare
  rank_of constant jsonb := '{"sending": 0, "sent": 1, "delivered": 2, "read": 3}';
  changed integer;
begin
  perform private.require_id(p_channel_id, 'channel id');
  if p_status is null or p_status not in ('sent', 'delivered', 'read') or coalesce(p_wa_message_id, '') = '' then
    perform private.fail(400, 'invalid_argument', 'ack needs a WhatsApp id and status sent, delivered or read');
  end if;
  update public.messages
  set status = p_status,
      delivered_at = case when p_status in ('delivered', 'read') then coalesce(delivered_at, now()) else delivered_at end,
      read_at = case when p_status = 'read' then now() else read_at end
  where channel_id = p_channel_id and wa_message_id = p_wa_message_id and direction = 'out'
    and coalesce((rank_of ->> status::text)::int, 99) < (rank_of ->> p_status::text)::int;
  get diagnostics changed = row_count;
  return changed > 0;
end
$$;

-- An agent retries a failed delivery.
create function public.retry_message(p_message_id uuid) returns public.messages
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  msg public.messages;
begin
  perform private.require_id(p_message_id, 'message id');
  update public.messages set status = 'queued', attempts = 0, error = null, next_attempt_at = now()
  where id = p_message_id and tenant_id = me.tenant_id and status = 'failed'
  returning * into msg;
  if msg.id is null then
    perform private.fail(404, 'message_not_found', 'No failed message with that id in your tenant');
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, conversation_id, details)
  values (me.tenant_id, me.user_id, 'agent', 'retry', msg.conversation_id, jsonb_build_object('message_id', msg.id));
  return msg;
end
$$;

-- Channel lifecycle as reported by the connector. The QR is kept only while status is qr.
create function public.set_channel_status(
  p_channel_id uuid, p_status public.channel_status, p_qr text default null,
  p_qr_expires_at timestamptz default null, p_phone text default null
) returns public.channels language plpgsql security definer set search_path = '' as $$
declare
  chan public.channels;
begin
  perform private.require_id(p_channel_id, 'channel id');
  if p_status is null then
    perform private.fail(400, 'invalid_argument', 'channel status is required');
  end if;
  update public.channels
  set status = p_status,
      status_changed_at = case when status is distinct from p_status then now() else status_changed_at end,
      qr = case when p_status = 'qr' then p_qr end,
      qr_expires_at = case when p_status = 'qr' then p_qr_expires_at end,
      phone = coalesce(p_phone, phone),
      relink_requested_at = case when p_status = 'logged_out' then null else relink_requested_at end,
      last_heartbeat_at = now()
  where id = p_channel_id returning * into chan;
  if chan.id is null then
    perform private.fail(404, 'channel_not_found', 'Channel not found', 'Check CHANNEL_ID of the connector');
  end if;
  if p_status = 'qr' and coalesce(p_qr, '') = '' then
    perform private.fail(400, 'invalid_argument', 'status qr needs the QR text');
  end if;
  return chan;
end
$$;

-- Heartbeat; tells the connector whether an admin asked to re-link the number.
create function public.channel_heartbeat(p_channel_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  chan public.channels;
begin
  perform private.require_id(p_channel_id, 'channel id');
  update public.channels set last_heartbeat_at = now() where id = p_channel_id returning * into chan;
  if chan.id is null then
    perform private.fail(404, 'channel_not_found', 'Channel not found', 'Check CHANNEL_ID of the connector');
  end if;
  return jsonb_build_object('relink_requested', chan.relink_requested_at is not null);
end
$$;

-- An admin asks the connector to log out and show a new QR.
create function public.request_relink(p_channel_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can re-link a WhatsApp number');
  end if;
  perform private.require_id(p_channel_id, 'channel id');
  update public.channels set relink_requested_at = now() where id = p_channel_id and tenant_id = me.tenant_id
  returning * into chan;
  if chan.id is null then
    perform private.fail(404, 'channel_not_found', 'Channel not found');
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'relink_requested', jsonb_build_object('channel_id', chan.id));
end
$$;

-- For the sweeper: the latest customer message of open ai-mode chats, unanswered, with no
-- AI decision recorded, older than the grace period (its webhook was probably dropped). Deleted
-- messages are looked past: the one before a deleted latest message is answered.
create function public.unanswered_ai_messages(p_min_age_seconds integer default 60, p_limit integer default 50)
returns table (message_id uuid, conversation_id uuid, tenant_id uuid)
language sql stable security definer set search_path = '' as $$
  select m.id, m.conversation_id, m.tenant_id
  from public.conversations c
  join lateral (
    select * from public.messages x where x.conversation_id = c.id and not x.private and x.status <> 'cancelled'
      and x.deleted_at is null
    order by x.created_at desc, x.id desc limit 1
  ) m on true
  where c.mode = 'ai' and c.status = 'open' and m.direction = 'in'
    and m.created_at < now() - make_interval(secs => p_min_age_seconds)
    and m.created_at > now() - interval '24 hours'
    and not exists (select 1 from public.ai_runs r where r.trigger_message_id = m.id)
  order by m.created_at
  limit p_limit
$$;

-- A WhatsApp message deleted for everyone or edited after it was stored (by the customer, or on
-- the business phone). Relevo follows what the other side of the chat sees: a deleted message
-- stays in the thread as "deleted" with its text and media metadata gone, an edited one shows
-- its new text marked as edited. "Delete for me" on the business phone changes nothing here.

alter table public.messages
  add column deleted_at timestamptz,
  add column edited_at timestamptz;
comment on column public.messages.deleted_at is
  'When the sender deleted the message for everyone on WhatsApp; body and media are cleared then.';
comment on column public.messages.edited_at is
  'When the sender last edited the message on WhatsApp; body holds the edited text.';

-- The conversation's preview follows its latest message.
create function private.refresh_preview_if_latest(p_message public.messages, p_preview text) returns void
language sql security definer set search_path = '' as $$
  update public.conversations c set last_message_preview = left(p_preview, 120)
  where c.id = p_message.conversation_id
    and not exists (select 1 from public.messages m where m.conversation_id = p_message.conversation_id
                    and not m.private and (m.created_at, m.id) > (p_message.created_at, p_message.id))
$$;

-- Deleted for everyone. Idempotent; an id Relevo never stored (older than the first sync) is
-- reported, not an error, so the connector can move on.
create function public.record_revoke(p_channel_id uuid, p_wa_message_id text, p_revoked_at timestamptz default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
begin
  if p_channel_id is null or coalesce(p_wa_message_id, '') = '' then
    perform private.fail(400, 'invalid_argument', 'channel id and WhatsApp message id are required');
  end if;
  select * into msg from public.messages where channel_id = p_channel_id and wa_message_id = p_wa_message_id for update;
  if not found then
    return jsonb_build_object('found', false);
  end if;
  if msg.deleted_at is not null then
    return jsonb_build_object('found', true, 'message_id', msg.id, 'duplicate', true);
  end if;
  update public.messages set body = '', media = null, deleted_at = coalesce(p_revoked_at, now())
  where id = msg.id;
  update public.messages set status = 'cancelled', error = 'the customer deleted the message it answered'
  where in_reply_to = msg.id and author = 'ai' and status = 'queued';
  perform private.refresh_preview_if_latest(msg, '[deleted]');
  return jsonb_build_object('found', true, 'message_id', msg.id, 'duplicate', false);
end
$$;

-- Edited. Idempotent on the edit time: an older or repeated edit never overwrites a newer one,
-- and a deleted message stays deleted.
create function public.record_edit(
  p_channel_id uuid, p_wa_message_id text, p_body text, p_edited_at timestamptz default null
) returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  msg public.messages;
  edited timestamptz := coalesce(p_edited_at, now());
begin
  if p_channel_id is null or coalesce(p_wa_message_id, '') = '' or p_body is null then
    perform private.fail(400, 'invalid_argument', 'channel id, WhatsApp message id and the new body are required');
  end if;
  if length(p_body) > 65536 then
    perform private.fail(400, 'invalid_body', 'Message body longer than WhatsApp allows (65536 characters)');
  end if;
  select * into msg from public.messages where channel_id = p_channel_id and wa_message_id = p_wa_message_id for update;
  if not found then
    return jsonb_build_object('found', false);
  end if;
  if msg.deleted_at is not null or (msg.edited_at is not null and msg.edited_at >= edited) then
    return jsonb_build_object('found', true, 'message_id', msg.id, 'duplicate', true);
  end if;
  update public.messages set body = p_body, edited_at = edited where id = msg.id;
  perform private.refresh_preview_if_latest(msg, coalesce(nullif(btrim(p_body), ''), '[' || msg.type || ']'));
  return jsonb_build_object('found', true, 'message_id', msg.id, 'duplicate', false);
end
$$;

-- The AI never answers a message its sender deleted: refused at enqueue (the run was composing
-- when the delete came), cancelled while still queued. A deleted newer message does not count
-- as newer: the one before it is what is left to answer. Unchanged otherwise (20261125000400).
create or replace function public.enqueue_ai_reply(p_trigger_message_id uuid, p_body text) returns jsonb
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

-- The sweeper looks past deleted messages: when the customer deletes their latest message, the
-- one before it (skipped as superseded while the deleted one existed) is answered on the next tick.
create or replace function public.unanswered_ai_messages(p_min_age_seconds integer default 60, p_limit integer default 50)
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

revoke execute on function public.record_revoke(uuid, text, timestamptz) from public, anon, authenticated;
revoke execute on function public.record_edit(uuid, text, text, timestamptz) from public, anon, authenticated;
revoke execute on function private.refresh_preview_if_latest(public.messages, text) from public, anon, authenticated;
grant execute on function public.record_revoke(uuid, text, timestamptz) to service_role;
grant execute on function public.record_edit(uuid, text, text, timestamptz) to service_role;

-- A WhatsApp message deleted for everyone or edited after it was stored (by the customer, or on
-- the business phone). Relevo follows what the other side of the chat sees: a deleted message
-- stays in the thread as "deleted" with its text and media metadata gone, an edited one shows
-- its new text marked as edited. "Delete for me" on the business phone changes nothing here.

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

revoke execute on function public.record_revoke(uuid, text, timestamptz) from public, anon, authenticated;
revoke execute on function public.record_edit(uuid, text, text, timestamptz) from public, anon, authenticated;
revoke execute on function private.refresh_preview_if_latest(public.messages, text) from public, anon, authenticated;
grant execute on function public.record_revoke(uuid, text, timestamptz) to service_role;
grant execute on function public.record_edit(uuid, text, text, timestamptz) to service_role;

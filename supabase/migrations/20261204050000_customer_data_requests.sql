-- Data requests (issue 17, item 6; ADR 112): an admin exports the conversations of a date range
-- and erases one customer's data on request. Both are admin-only SQL functions under the caller's
-- tenant; the dashboard turns the export's pages into CSV or JSONL and links files by signed URL.

-- ---------------------------------------------------------------- Export
-- One page of the tenant's messages created in [p_from, p_to), oldest first, after the cursor
-- (p_after_created, p_after_id) of the previous page. Internal notes are included and marked.
create function public.export_messages(
  p_from timestamptz, p_to timestamptz,
  p_after_created timestamptz default null, p_after_id uuid default null, p_limit integer default 1000
) returns table (
  message_id uuid, created_at timestamptz, conversation_id uuid, channel text, customer_name text,
  customer_phone text, direction public.message_direction, author public.message_author, agent text,
  note boolean, type text, body text, transcript text, media_path text, media_mimetype text,
  media_filename text, status public.message_status
) language plpgsql stable security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins export conversations', 'Ask an admin of your store');
  end if;
  if p_from is null or p_to is null or p_to <= p_from then
    perform private.fail(400, 'invalid_argument', 'The export needs a date range whose end is after its start');
  end if;
  if p_limit is null or p_limit not between 1 and 5000 then
    perform private.fail(400, 'invalid_argument', 'A page holds 1 to 5000 messages');
  end if;
  if (p_after_created is null) <> (p_after_id is null) then
    perform private.fail(400, 'invalid_argument', 'The cursor is both the last created_at and the last message id, or neither');
  end if;
  return query
  select m.id, m.created_at, m.conversation_id, ch.name, c.customer_name, c.customer_phone, m.direction,
    m.author, a.display_name, m.private, m.type, m.body, m.transcript, m.media ->> 'path',
    m.media ->> 'mimetype', m.media ->> 'filename', m.status
  from public.messages m
  join public.conversations c on c.id = m.conversation_id
  join public.channels ch on ch.id = m.channel_id
  left join public.agents a on a.user_id = m.agent_id
  where m.tenant_id = me.tenant_id and m.created_at >= p_from and m.created_at < p_to
    and (p_after_created is null or (m.created_at, m.id) > (p_after_created, p_after_id))
  order by m.created_at, m.id
  limit p_limit;
end
$$;

-- ---------------------------------------------------------------- Erase
alter table private.media_deletions drop constraint media_deletions_reason_check;
alter table private.media_deletions add constraint media_deletions_reason_check
  check (reason in ('deleted', 'retention', 'erased'));

-- Open desks drop an erased chat from their inbox (the feed carried only inserts and updates).
create trigger conversations_broadcast_delete after delete on public.conversations
  for each row execute function private.broadcast_tenant_change();

-- Erases the customer of p_conversation_id: every conversation of the tenant with that customer
-- (same phone; the one chat when the phone is unknown) with its messages, AI runs, labels, search
-- entries and events not yet delivered (all cascade), and queues their files for removal from
-- Storage (the sweeper removes them). The audit entry keeps counts only: no name, phone or text.
create function public.erase_customer(p_conversation_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  target public.conversations;
  ids uuid[];
  message_count integer;
  file_count integer;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins erase customer data', 'Ask an admin of your store');
  end if;
  perform private.require_id(p_conversation_id, 'conversation id');
  select * into target from public.conversations where id = p_conversation_id and tenant_id = me.tenant_id;
  if not found then
    perform private.fail(404, 'conversation_not_found', 'No conversation with that id in your store');
  end if;
  select array_agg(c.id) into ids from public.conversations c
  where c.tenant_id = me.tenant_id
    and (c.id = target.id or (target.customer_phone is not null and c.customer_phone = target.customer_phone));
  -- Lock the chats first: a message arriving meanwhile either lands before (and is erased) or
  -- after (and starts a new conversation).
  perform 1 from public.conversations where id = any(ids) for update;
  select count(*) into message_count from public.messages where conversation_id = any(ids);
  insert into private.media_deletions (path, reason)
  select distinct m.media ->> 'path', 'erased' from public.messages m
  where m.conversation_id = any(ids) and coalesce(m.media ->> 'path', '') <> ''
  on conflict (path) do update set reason = 'erased', next_attempt_at = now();
  get diagnostics file_count = row_count;
  delete from public.conversations where id = any(ids);
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'customer_erased', jsonb_build_object(
    'conversations', cardinality(ids), 'messages', message_count, 'files', file_count));
  return jsonb_build_object('conversations', cardinality(ids), 'messages', message_count, 'files', file_count);
end
$$;

revoke execute on function public.export_messages(timestamptz, timestamptz, timestamptz, uuid, integer),
  public.erase_customer(uuid) from public, anon;
grant execute on function public.export_messages(timestamptz, timestamptz, timestamptz, uuid, integer),
  public.erase_customer(uuid) to authenticated;

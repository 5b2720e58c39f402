-- The 24-hour customer service window of the WhatsApp Cloud API (ADR 121). Meta delivers free
-- text to a customer only within 24 hours of the customer's last message; outside it only an
-- approved template. conversations.last_customer_message_at already knows when the window closes,
-- so the rule lives here: free text outside the window is refused for every sender (agents get an
-- error that says why, the AI a refusal that makes it hand off, the handoff's fallback text is not
-- queued), and agents can send a template instead. WhatsApp Web channels have no such window.

-- Section - Helpers

-- When the conversation's service window closes: infinity on WhatsApp Web channels, and -infinity
-- on a Cloud API chat the customer never wrote in (a business-initiated chat needs a template).
create function private.service_window_closes_at(p_conv public.conversations) returns timestamptz
language sql stable security definer set search_path = '' as $$
  select case when ch.kind = 'cloud_api'
    then coalesce(p_conv.last_customer_message_at + interval '24 hours', '-infinity'::timestamptz)
    else 'infinity'::timestamptz end
  from public.channels ch where ch.id = p_conv.channel_id
$$;

-- Free text queued outside the window is refused, whoever queues it.
create function private.guard_service_window() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
begin
  select * into conv from public.conversations where id = new.conversation_id;
  if private.service_window_closes_at(conv) <= now() then
    perform private.fail(409, 'outside_service_window',
      'The customer last wrote more than 24 hours ago: WhatsApp now delivers only approved templates',
      'Send an approved template; free text is possible again once the customer answers');
  end if;
  return new;
end
$$;
create trigger messages_service_window before insert on public.messages
  for each row when (new.direction = 'out' and new.status = 'queued' and not new.private and new.template is null)
  execute function private.guard_service_window();

-- An agent's send: takeover when needed, the outbox row, the conversation's preview, the audit.
-- Shared by free text, files (p_media from the tenant's outgoing/ folder, the body then being the
-- caption) and templates; idempotent on client_ref.
create function private.queue_agent_message(
  p_me public.agents, p_conversation_id uuid, p_body text, p_client_ref text, p_template jsonb, p_media jsonb
) returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := private.lock_conversation(p_conversation_id, p_me.tenant_id);
  body text := btrim(coalesce(p_body, ''));
  media jsonb := case when p_media is not null and p_media <> 'null'::jsonb
                   then private.outgoing_media(p_me.tenant_id, p_media) end;
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
  if conv.mode = 'ai' or conv.assigned_agent_id is distinct from p_me.user_id then
    conv := private.switch_to_human(conv, 'agent', p_me.user_id, 'takeover',
      jsonb_build_object('agent_name', p_me.display_name, 'by_sending', true, 'previous_agent_id', conv.assigned_agent_id));
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, type,
    media, media_status, status, next_attempt_at, client_ref, template)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'agent', p_me.user_id, body,
    coalesce(media ->> 'type', 'text'), media - 'type', case when media is not null then 'stored' end,
    'queued', now(), p_client_ref, p_template)
  returning * into msg;
  update public.conversations
  set last_message_at = msg.created_at, unread_count = 0, last_agent_activity_at = now(), status = 'open',
      last_message_preview = left(coalesce(nullif(body, ''), '[' || msg.type || ']'), 120)
  where id = conv.id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, conversation_id, details)
  values (conv.tenant_id, p_me.user_id, 'agent', 'send', conv.id,
    jsonb_build_object('message_id', msg.id) || case when p_template is null then '{}'::jsonb
      else jsonb_build_object('template', p_template ->> 'name') end);
  return msg;
end
$$;

-- Section - Public functions

-- Agent send (implies takeover), with an optional file (20261203020000). Idempotent on
-- client_ref so a retried send is one message. Outside a Cloud API chat's service window it fails
-- with outside_service_window.
create or replace function public.send_agent_message(
  p_conversation_id uuid, p_body text, p_client_ref text default null, p_media jsonb default null
) returns public.messages language plpgsql security definer set search_path = '' as $$
begin
  return private.queue_agent_message(private.require_agent(), p_conversation_id, p_body, p_client_ref, null, p_media);
end
$$;

-- An approved WhatsApp template (Cloud API chats only; allowed in and out of the window). The
-- template's name and language come from the number's template list (functions: GET
-- /api/cloud-api/channels/:id/templates); p_preview is its text with the parameters filled in.
create function public.send_template_message(
  p_conversation_id uuid, p_name text, p_language text, p_parameters text[], p_preview text,
  p_client_ref text default null
) returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  kind public.channel_kind;
begin
  select ch.kind into kind from public.conversations c join public.channels ch on ch.id = c.channel_id
  where c.id = p_conversation_id and c.tenant_id = me.tenant_id;
  if kind is distinct from 'cloud_api' then
    perform private.fail(409, 'templates_need_cloud_api', 'Templates exist only on WhatsApp Cloud API numbers',
      'Send free text: a WhatsApp Web number has no 24-hour window');
  end if;
  if coalesce(p_name, '') !~ '^[a-z0-9_]+$' or length(p_name) > 512 or coalesce(p_language, '') !~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$' then
    perform private.fail(400, 'invalid_argument', 'A template needs its name and language code as Meta lists them');
  end if;
  if coalesce(cardinality(p_parameters), 0) > 50 or exists (select 1 from unnest(p_parameters) p where p is null
       or length(p) not between 1 and 1024) then
    perform private.fail(400, 'invalid_argument', 'Template parameters are 1 to 1024 characters each, at most 50');
  end if;
  return private.queue_agent_message(me, p_conversation_id, p_preview, p_client_ref, jsonb_build_object(
    'name', p_name, 'language', p_language, 'parameters', to_jsonb(coalesce(p_parameters, '{}'::text[]))), null);
end
$$;

-- enqueue_ai_reply as before (20261125000400), plus: outside the service window the AI never
-- sends; the refusal reason makes the pipeline hand the chat to a person.
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
  if private.service_window_closes_at(conv) <= now() then
    return jsonb_build_object('enqueued', false, 'reason', 'outside_service_window');
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

-- ai_handoff as before (20261125000300), except that the fallback text is queued only inside the
-- service window: outside it WhatsApp would refuse it (131047), so only the desk hears of it.
create or replace function public.ai_handoff(p_conversation_id uuid, p_reason text) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := private.lock_conversation(p_conversation_id, null);
  fallback text;
begin
  if coalesce(btrim(p_reason), '') = '' then
    perform private.fail(400, 'invalid_argument', 'A handoff needs a reason');
  end if;
  if conv.mode = 'human' then
    update public.conversations set needs_attention = true, attention_reason = left(p_reason, 500)
    where id = conv.id returning * into conv;
    return conv;
  end if;
  perform private.cancel_ai_outbox(conv.id);
  update public.conversations
  set mode = 'human', mode_changed_at = now(), assigned_agent_id = null,
      needs_attention = true, attention_reason = left(p_reason, 500)
  where id = conv.id returning * into conv;
  if private.service_window_closes_at(conv) > now() then
    select t.fallback_text into fallback from public.tenants t where t.id = conv.tenant_id;
    insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, next_attempt_at)
    values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'system', fallback, 'queued', now());
    update public.conversations set last_message_at = now(), last_message_preview = left(fallback, 120)
    where id = conv.id returning * into conv;
  end if;
  perform private.record_event(conv, 'ai', null, 'handoff', jsonb_build_object('reason', left(p_reason, 500)));
  return conv;
end
$$;

-- Section - Grants

revoke execute on function private.service_window_closes_at(public.conversations), private.guard_service_window(),
  private.queue_agent_message(public.agents, uuid, text, text, jsonb, jsonb) from public, anon, authenticated;
revoke execute on function public.send_template_message(uuid, text, text, text[], text, text) from public, anon;
grant execute on function public.send_template_message(uuid, text, text, text[], text, text) to authenticated, service_role;

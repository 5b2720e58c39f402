-- The handoff rules of ARCHITECTURE.md as functions, so that the dashboard, the connector
-- and the AI all get the same guarantees. Each mode change is audited and appears in the
-- thread as a private system event.

-- Records who did what, and shows it in the conversation as a private event row.
create function private.record_event(
  p_conv public.conversations, p_actor_kind text, p_actor_id uuid, p_action text, p_details jsonb default '{}'
) returns void language plpgsql security definer set search_path = '' as $$
begin
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, conversation_id, details)
  values (p_conv.tenant_id, p_actor_id, p_actor_kind, p_action, p_conv.id, p_details);
  if p_action in ('takeover', 'handback', 'handoff', 'auto_return', 'assign', 'close', 'reopen') then
    insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, type, media,
      private, status)
    values (p_conv.tenant_id, p_conv.channel_id, p_conv.id, 'out', 'system', p_actor_id, p_action, 'event',
      p_details || jsonb_build_object('actor_kind', p_actor_kind), true, 'received');
  end if;
end
$$;

-- Rule 2: from the instant of a takeover the AI never sends; its queued replies are cancelled.
create function private.cancel_ai_outbox(p_conversation_id uuid) returns integer
language sql security definer set search_path = '' as $$
  with cancelled as (
    update public.messages set status = 'cancelled', lease_expires_at = null,
      error = 'cancelled: a person took over the conversation'
    where conversation_id = p_conversation_id and author = 'ai' and wa_message_id is null
      and status in ('queued', 'sending')
    returning 1
  )
  select count(*)::integer from cancelled
$$;

create function private.switch_to_human(
  p_conv public.conversations, p_actor_kind text, p_actor_id uuid, p_action text, p_details jsonb default '{}'
) returns public.conversations language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  cancelled integer := private.cancel_ai_outbox(p_conv.id);
begin
  update public.conversations
  set mode = 'human', mode_changed_at = now(), assigned_agent_id = p_actor_id,
      needs_attention = false, attention_reason = null, last_agent_activity_at = now()
  where id = p_conv.id returning * into conv;
  perform private.record_event(conv, p_actor_kind, p_actor_id, p_action,
    p_details || jsonb_build_object('cancelled_ai_messages', cancelled, 'previous_mode', p_conv.mode));
  return conv;
end
$$;

-- The last message of the chat that the customer saw or wrote (rule 4: when it is the customer's,
-- it is unanswered and the AI answers it). Cancelled replies never reached the customer.
create function private.unanswered_customer_message(p_conversation_id uuid) returns public.messages
language sql stable security definer set search_path = '' as $$
  select m.* from public.messages m
  where m.conversation_id = p_conversation_id and not m.private and m.status <> 'cancelled'
  order by m.created_at desc, m.id desc limit 1
$$;

create function private.switch_to_ai(
  p_conv public.conversations, p_actor_kind text, p_actor_id uuid, p_action text
) returns public.conversations language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  last_message public.messages;
begin
  update public.conversations
  set mode = 'ai', mode_changed_at = now(), assigned_agent_id = null, needs_attention = false, attention_reason = null
  where id = p_conv.id returning * into conv;
  perform private.record_event(conv, p_actor_kind, p_actor_id, p_action, jsonb_build_object('previous_mode', p_conv.mode));
  last_message := private.unanswered_customer_message(conv.id);
  if last_message.direction = 'in' then
    perform private.dispatch_incoming_webhook(last_message);
  end if;
  return conv;
end
$$;

-- Takeover (rule 2): the calling agent holds the chat; idempotent for the holder.
create function public.takeover(p_conversation_id uuid) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
begin
  if conv.mode = 'human' and conv.assigned_agent_id = me.user_id then
    return conv;
  end if;
  return private.switch_to_human(conv, 'agent', me.user_id, 'takeover',
    jsonb_build_object('agent_name', me.display_name, 'previous_agent_id', conv.assigned_agent_id));
end
$$;

-- Handback (rule 4): the AI holds the chat again and answers an unanswered customer message.
create function public.handback(p_conversation_id uuid) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
begin
  if conv.mode = 'ai' then
    return conv;
  end if;
  return private.switch_to_ai(conv, 'agent', me.user_id, 'handback');
end
$$;

-- Agent send (implies takeover). Idempotent on client_ref so a retried send is one message.
create function public.send_agent_message(p_conversation_id uuid, p_body text, p_client_ref text default null)
returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
  body text := btrim(coalesce(p_body, ''));
  existing public.messages;
  msg public.messages;
begin
  if body = '' or length(body) > 4096 then
    perform private.fail(400, 'invalid_body', 'A message needs 1 to 4096 characters', 'Shorten or split the message');
  end if;
  if p_client_ref is not null then
    select * into existing from public.messages where conversation_id = conv.id and client_ref = p_client_ref;
    if found then return existing; end if;
  end if;
  if conv.mode = 'ai' or conv.assigned_agent_id is distinct from me.user_id then
    conv := private.switch_to_human(conv, 'agent', me.user_id, 'takeover',
      jsonb_build_object('agent_name', me.display_name, 'by_sending', true, 'previous_agent_id', conv.assigned_agent_id));
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, status,
    next_attempt_at, client_ref)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'agent', me.user_id, body, 'queued', now(), p_client_ref)
  returning * into msg;
  update public.conversations
  set last_message_at = msg.created_at, last_message_preview = left(body, 120), unread_count = 0,
      last_agent_activity_at = now(), status = 'open'
  where id = conv.id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, conversation_id, details)
  values (conv.tenant_id, me.user_id, 'agent', 'send', conv.id, jsonb_build_object('message_id', msg.id));
  return msg;
end
$$;

-- A private note between agents: stored and shown, never sent to WhatsApp.
create function public.add_note(p_conversation_id uuid, p_body text) returns public.messages
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
  body text := btrim(coalesce(p_body, ''));
  msg public.messages;
begin
  if body = '' or length(body) > 4096 then
    perform private.fail(400, 'invalid_body', 'A note needs 1 to 4096 characters');
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, type,
    private, status)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'agent', me.user_id, body, 'note', true, 'received')
  returning * into msg;
  return msg;
end
$$;

create function public.assign_conversation(p_conversation_id uuid, p_agent_id uuid) returns public.conversations
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
  assignee public.agents;
begin
  if p_agent_id is not null then
    select * into assignee from public.agents where user_id = p_agent_id and tenant_id = me.tenant_id and active;
    if not found then
      perform private.fail(404, 'agent_not_found', 'No active agent with that id in your tenant');
    end if;
  end if;
  update public.conversations set assigned_agent_id = p_agent_id where id = conv.id returning * into conv;
  perform private.record_event(conv, 'agent', me.user_id, 'assign',
    jsonb_build_object('assignee_id', p_agent_id, 'assignee_name', assignee.display_name, 'agent_name', me.display_name));
  return conv;
end
$$;

create function public.set_conversation_status(p_conversation_id uuid, p_status public.conversation_status)
returns public.conversations language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
begin
  if p_status is null then
    perform private.fail(400, 'invalid_argument', 'status must be open or closed');
  end if;
  if conv.status = p_status then return conv; end if;
  update public.conversations set status = p_status, needs_attention = false, attention_reason = null
  where id = conv.id returning * into conv;
  perform private.record_event(conv, 'agent', me.user_id, case p_status when 'closed' then 'close' else 'reopen' end,
    jsonb_build_object('agent_name', me.display_name));
  return conv;
end
$$;

create function public.mark_conversation_read(p_conversation_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  conv public.conversations := private.lock_conversation(p_conversation_id, me.tenant_id);
begin
  if conv.unread_count > 0 then
    update public.conversations set unread_count = 0 where id = conv.id;
  end if;
end
$$;

-- Rule 5: the AI hands off (customer asked for a person, a tool said so, provider failed).
-- The customer gets the tenant's fallback text once, as an automated (system) message.
create function public.ai_handoff(p_conversation_id uuid, p_reason text) returns public.conversations
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
  select t.fallback_text into fallback from public.tenants t where t.id = conv.tenant_id;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, next_attempt_at)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'system', fallback, 'queued', now());
  update public.conversations set last_message_at = now(), last_message_preview = left(fallback, 120)
  where id = conv.id returning * into conv;
  perform private.record_event(conv, 'ai', null, 'handoff', jsonb_build_object('reason', left(p_reason, 500)));
  return conv;
end
$$;

-- Rule 6: human conversations idle for the tenant's auto-return minutes go back to the AI.
create function public.auto_return_idle() returns integer
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  returned integer := 0;
begin
  for conv in
    select c.* from public.conversations c join public.tenants t on t.id = c.tenant_id
    where c.mode = 'human' and c.status = 'open' and t.auto_return_minutes is not null
      and greatest(c.mode_changed_at, coalesce(c.last_agent_activity_at, c.mode_changed_at))
          < now() - make_interval(mins => t.auto_return_minutes)
    for update of c skip locked
  loop
    perform private.switch_to_ai(conv, 'system', null, 'auto_return');
    returned := returned + 1;
  end loop;
  return returned;
end
$$;

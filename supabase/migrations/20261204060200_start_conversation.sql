-- Start a chat (issue 18, item 7; ADR 093): an agent writes first to a phone number. The chat is
-- found or created on the chosen number, and the first message is queued as any agent send is
-- (private.queue_agent_message: takeover by the sender, the outbox, the audit), so the connector
-- or the Cloud API sender delivers it like every other reply. On a WhatsApp Cloud API number a new
-- chat has no open service window: free text is refused by the window rule (outside_service_window),
-- and the first message must be an approved template (p_template).

-- '+52 1 (55) 1234-5678' → '5215512345678'; E.164 allows 15 digits at most, no leading zero.
create function private.e164_digits(p_phone text) returns text
language plpgsql immutable set search_path = '' as $$
declare
  digits text := regexp_replace(btrim(coalesce(p_phone, '')), '[\s().-]', '', 'g');
begin
  if digits !~ '^\+?[1-9][0-9]{7,14}$' then
    perform private.fail(400, 'invalid_phone',
      'A phone number in international format is needed: country code and number, 8 to 15 digits',
      'For example +5215512345678 (Mexico, mobile); spaces, dashes and parentheses are fine');
  end if;
  return ltrim(digits, '+');
end
$$;

-- The chat with that number on that channel: the one the customer already has (same chat id, or
-- the same phone under another chat id, such as a WhatsApp Web @lid chat), else a new one.
create function private.conversation_for_phone(
  p_channel public.channels, p_digits text, p_customer_name text
) returns uuid language plpgsql security definer set search_path = '' as $$
declare
  chat_id text := case when p_channel.kind = 'cloud_api' then p_digits else p_digits || '@c.us' end;
  id uuid;
begin
  select c.id into id from public.conversations c
  where c.channel_id = p_channel.id
    and (c.wa_chat_id = chat_id or regexp_replace(coalesce(c.customer_phone, ''), '\D', '', 'g') = p_digits)
  order by (c.wa_chat_id = chat_id) desc, c.last_message_at desc nulls last
  limit 1;
  if id is not null then
    return id;
  end if;
  insert into public.conversations (tenant_id, channel_id, wa_chat_id, customer_name, customer_phone, mode)
  values (p_channel.tenant_id, p_channel.id, chat_id, nullif(left(btrim(coalesce(p_customer_name, '')), 200), ''),
    p_digits, 'human')
  on conflict (channel_id, wa_chat_id) do nothing
  returning conversations.id into id;
  -- Someone else created it a moment ago (two agents, or the customer writing at the same time).
  return coalesce(id, (select c.id from public.conversations c where c.channel_id = p_channel.id and c.wa_chat_id = chat_id));
end
$$;

-- p_template: {name, language, parameters[], preview} as send_template_message takes them (Cloud API only).
-- Returns the queued message (its conversation_id opens the chat). Idempotent on p_client_ref.
create function public.start_conversation(
  p_channel_id uuid, p_phone text, p_body text default null, p_customer_name text default null,
  p_template jsonb default null, p_client_ref text default null
) returns public.messages language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  conv_id uuid;
begin
  perform private.require_id(p_channel_id, 'channel id');
  select * into chan from public.channels where id = p_channel_id and tenant_id = me.tenant_id;
  if not found then
    perform private.fail(404, 'channel_not_found', 'No WhatsApp number with that id in your store',
      'Choose one of the numbers listed under Connection');
  end if;
  conv_id := private.conversation_for_phone(chan, private.e164_digits(p_phone), p_customer_name);
  if p_template is null then
    return public.send_agent_message(conv_id, p_body, p_client_ref);
  end if;
  if jsonb_typeof(p_template) <> 'object' or jsonb_typeof(coalesce(p_template -> 'parameters', '[]')) <> 'array' then
    perform private.fail(400, 'invalid_argument', 'A template is {name, language, parameters, preview}');
  end if;
  return public.send_template_message(conv_id, p_template ->> 'name', p_template ->> 'language',
    array(select jsonb_array_elements_text(coalesce(p_template -> 'parameters', '[]'))),
    p_template ->> 'preview', p_client_ref);
end
$$;

revoke execute on function private.e164_digits(text), private.conversation_for_phone(public.channels, text, text)
  from public, anon, authenticated;
revoke execute on function public.start_conversation(uuid, text, text, text, jsonb, text) from public, anon;
grant execute on function public.start_conversation(uuid, text, text, text, jsonb, text) to authenticated;

-- The template the AI sends when a Cloud API chat's 24-hour window has closed (ADR 122). Until now
-- the AI only handed off there (ADR 121); a number may now name one approved template (chosen by
-- an admin from Meta's list) that enqueue_ai_reply queues instead of the free text, through the
-- same outbox row as an agent's template. A parameter may say `{customer_name}`: it is filled with
-- the chat's customer name when the template is queued. No template chosen: the handoff as before.

-- Section - Columns

alter table public.cloud_api_channels add column window_template jsonb
  check (window_template is null or (jsonb_typeof(window_template) = 'object' and window_template ? 'name'
    and window_template ? 'language' and window_template ? 'parameters' and window_template ? 'body'));
comment on column public.cloud_api_channels.window_template is
  'The approved template the AI sends when the 24-hour window has closed: {name, language, parameters[], body}; '
  'body is Meta''s text with {{n}} placeholders, a parameter `{customer_name}` is the chat''s customer name. '
  'Null: the AI hands off with outside_service_window.';

-- Section - Helpers

-- A template's name, language and parameters as Meta takes them, or a 400 that says which.
create function private.check_template(p_name text, p_language text, p_parameters text[]) returns void
language plpgsql set search_path = '' as $$
begin
  if coalesce(p_name, '') !~ '^[a-z0-9_]+$' or length(p_name) > 512 or coalesce(p_language, '') !~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$' then
    perform private.fail(400, 'invalid_argument', 'A template needs its name and language code as Meta lists them');
  end if;
  if coalesce(cardinality(p_parameters), 0) > 50 or exists (select 1 from unnest(p_parameters) p where p is null
       or length(p) not between 1 and 1024) then
    perform private.fail(400, 'invalid_argument', 'Template parameters are 1 to 1024 characters each, at most 50');
  end if;
end
$$;

-- The number's window template made concrete for one chat: `{customer_name}` replaced (the phone
-- when the customer has no name: Meta refuses an empty parameter) and the text the desk shows.
create function private.window_template_for(p_conv public.conversations)
returns table (template jsonb, preview text)
language plpgsql stable security definer set search_path = '' as $$
declare
  setting jsonb;
  customer text := coalesce(nullif(btrim(p_conv.customer_name), ''), p_conv.customer_phone, p_conv.wa_chat_id);
  params text[];
  body text;
begin
  select c.window_template into setting from public.cloud_api_channels c where c.channel_id = p_conv.channel_id;
  if setting is null then
    return;
  end if;
  select coalesce(array_agg(replace(p.value, '{customer_name}', customer) order by p.ord), '{}')
  into params from jsonb_array_elements_text(setting -> 'parameters') with ordinality p(value, ord);
  body := setting ->> 'body';
  for i in 1 .. cardinality(params) loop
    body := replace(body, '{{' || i || '}}', params[i]);
  end loop;
  return query select jsonb_build_object('name', setting ->> 'name', 'language', setting ->> 'language',
    'parameters', to_jsonb(params)), left(body, 4096);
end
$$;

-- Section - Admin functions

-- Chooses (or with p_name null, clears) the template the AI sends outside the window. p_body is
-- the template's text as Meta lists it, kept so that the desk shows what the customer reads.
create function public.set_window_template(
  p_channel_id uuid, p_name text, p_language text default null, p_parameters text[] default '{}',
  p_body text default null
) returns public.cloud_api_channels language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_admin();
  setting jsonb;
  saved public.cloud_api_channels;
begin
  perform private.require_id(p_channel_id, 'channel id');
  if p_name is not null then
    perform private.check_template(p_name, p_language, p_parameters);
    if coalesce(btrim(p_body), '') = '' or length(p_body) > 4096 then
      perform private.fail(400, 'invalid_argument', 'A template needs its text (1 to 4096 characters)',
        'Choose the template from the number''s list');
    end if;
    setting := jsonb_build_object('name', p_name, 'language', p_language,
      'parameters', to_jsonb(coalesce(p_parameters, '{}'::text[])), 'body', p_body);
  end if;
  update public.cloud_api_channels set window_template = setting, updated_at = now()
  where channel_id = p_channel_id and tenant_id = me.tenant_id returning * into saved;
  if saved.channel_id is null then
    perform private.fail(404, 'channel_not_found', 'No Cloud API channel with that id in your tenant');
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'window_template_set',
    jsonb_build_object('channel_id', p_channel_id, 'template', p_name));
  return saved;
end
$$;

-- Section - Public functions

-- send_template_message as before (20261203070200), its checks now shared with set_window_template.
create or replace function public.send_template_message(
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
  perform private.check_template(p_name, p_language, p_parameters);
  return private.queue_agent_message(me, p_conversation_id, p_preview, p_client_ref, jsonb_build_object(
    'name', p_name, 'language', p_language, 'parameters', to_jsonb(coalesce(p_parameters, '{}'::text[]))), null);
end
$$;

-- enqueue_ai_reply as before (20261204080000), except outside the service window: the number's
-- window template is queued instead of the text (answering the trigger, so a retry finds it
-- answered: sent once), and `template` names it; without one the refusal makes the pipeline hand off.
create or replace function public.enqueue_ai_reply(p_trigger_message_id uuid, p_body text, p_media jsonb default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  trig public.messages;
  conv public.conversations;
  body text := btrim(coalesce(p_body, ''));
  media jsonb;
  dropped boolean := false;
  tpl jsonb;
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
    select w.template, w.preview into tpl, body from private.window_template_for(conv) w;
    if tpl is null then
      return jsonb_build_object('enqueued', false, 'reason', 'outside_service_window');
    end if;
    media := null;
  end if;
  insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, type, media,
    media_status, status, next_attempt_at, in_reply_to, template)
  values (conv.tenant_id, conv.channel_id, conv.id, 'out', 'ai', body, case when media is null then 'text' else 'image' end,
    media, case when media is not null then 'stored' end, 'queued', now(), trig.id, tpl)
  returning * into msg;
  update public.conversations set last_message_at = msg.created_at, last_message_preview = left(body, 120)
  where id = conv.id;
  return jsonb_build_object('enqueued', true, 'message_id', msg.id, 'media_dropped', dropped)
    || case when tpl is null then '{}'::jsonb else jsonb_build_object('template', tpl ->> 'name') end;
end
$$;

-- Section - Grants

revoke execute on function private.check_template(text, text, text[]),
  private.window_template_for(public.conversations) from public, anon, authenticated;
revoke execute on function public.set_window_template(uuid, text, text, text[], text) from public, anon;
grant execute on function public.set_window_template(uuid, text, text, text[], text) to authenticated;

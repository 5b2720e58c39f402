-- "typing…" for the customer while the AI composes: when functions claims an AI run (its
-- ai_runs row), the connector of that chat's channel hears it on channel:<channel_id> and
-- shows WhatsApp's typing state. Only while the chat is still the AI's.

create function private.announce_ai_composing() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
begin
  select * into conv from public.conversations where id = new.conversation_id and mode = 'ai';
  if found then
    perform realtime.send(jsonb_build_object('wa_chat_id', conv.wa_chat_id), 'ai_composing',
      'channel:' || conv.channel_id::text, true);
  end if;
  return null;
end
$$;
revoke execute on function private.announce_ai_composing() from public, anon, authenticated;

create trigger ai_runs_announce_composing after insert on public.ai_runs
  for each row execute function private.announce_ai_composing();

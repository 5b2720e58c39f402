-- The customer panel beside the chat (issue 18, item 1; ADR 098): what the desk knows about the
-- person behind a conversation, from the tenant's own history. "The customer" is everyone the
-- tenant talks to at the same phone number, on any of its WhatsApp numbers (one conversation per
-- number): the panel counts those conversations and dates the first one. Orders and the Shopify
-- customer come from the store through the functions (GET /api/shopify/customer), not from here.

create index conversations_tenant_phone_idx on public.conversations (tenant_id, customer_phone)
  where customer_phone is not null;

create function public.customer_profile(p_conversation_id uuid)
returns table (
  customer_name text,
  customer_phone text,
  first_seen timestamptz,
  conversations integer,
  customer_messages integer,
  notes jsonb
)
-- Security definer like search_messages: every row read is limited to the caller's tenant below.
language plpgsql stable security definer set search_path = '' as $$
declare
  tenant uuid := (select private.require_agent()).tenant_id;
  chat public.conversations;
  theirs uuid[];
begin
  select * into chat from public.conversations c where c.id = p_conversation_id and c.tenant_id = tenant;
  if not found then
    perform private.fail(404, 'conversation_not_found', 'Conversation not found',
      'It may belong to another tenant or have been deleted');
  end if;
  select array_agg(c.id) into theirs from public.conversations c
  where c.tenant_id = tenant and (c.id = chat.id or c.customer_phone = chat.customer_phone);
  return query
  select chat.customer_name, chat.customer_phone,
    (select min(c.created_at) from public.conversations c where c.id = any (theirs)),
    cardinality(theirs),
    (select count(*)::integer from public.messages m
      where m.conversation_id = any (theirs) and m.author = 'customer'),
    -- The five newest internal notes on any of their chats, newest first (the chat shows them all).
    coalesce((select jsonb_agg(jsonb_build_object('id', n.id, 'conversation_id', n.conversation_id,
        'agent_id', n.agent_id, 'body', n.body, 'created_at', n.created_at) order by n.created_at desc)
      from (select m.id, m.conversation_id, m.agent_id, m.body, m.created_at from public.messages m
        where m.conversation_id = any (theirs) and m.type = 'note' and m.deleted_at is null
        order by m.created_at desc limit 5) n), '[]'::jsonb);
end
$$;
comment on function public.customer_profile(uuid) is
  'The customer behind a chat: name, phone, first seen, how many of the tenant''s conversations '
  'share their phone, how many messages they wrote, and the five newest internal notes.';

revoke execute on function public.customer_profile(uuid) from public, anon;
grant execute on function public.customer_profile(uuid) to authenticated;

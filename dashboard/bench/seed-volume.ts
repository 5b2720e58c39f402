import type { Database } from '@relevo/supabase/db'

/**
 * The benchmark volume: 10,000 conversations and 200,000 messages in the demo tenant, one chat
 * holding 5,000 of them, and 8 labels of which each chat carries 0 to 2 (about 10,000 links). Triggers are off while seeding (session_replication_role = replica) so the
 * per-row realtime broadcasts do not dominate the seeding time; they are back on for the measurements.
 */
export async function seedVolume(db: Database): Promise<{ bigChatId: string }> {
  await db.exec(`
    set session_replication_role = replica;
    insert into public.conversations (tenant_id, channel_id, wa_chat_id, customer_name, customer_phone, mode,
      assigned_agent_id, status, needs_attention, attention_reason, unread_count, last_message_at, last_message_preview)
    select '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000101',
      (5215500000000 + i)::text || '@c.us', 'Cliente ' || i, (5215500000000 + i)::text,
      (case when i % 3 = 0 then 'human' else 'ai' end)::public.conversation_mode,
      case when i % 3 = 0 then '00000000-0000-4000-8000-000000001001'::uuid end,
      (case when i % 10 = 0 then 'closed' else 'open' end)::public.conversation_status,
      i % 17 = 0, case when i % 17 = 0 then 'customer asked for a person' end,
      i % 5, now() - make_interval(mins => i), 'Mensaje número ' || i
    from generate_series(1, 10000) as i;
    insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, created_at)
    select c.tenant_id, c.channel_id, c.id, 'in', 'customer', 'Mensaje ' || n || ' de ' || c.customer_name, 'received',
      c.last_message_at - make_interval(mins => 20 - n)
    from public.conversations c cross join generate_series(1, 19) as n
    where c.customer_name <> 'Cliente 1';
    insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, created_at)
    select c.tenant_id, c.channel_id, c.id, case when n % 2 = 0 then 'in' else 'out' end::public.message_direction,
      case when n % 2 = 0 then 'customer' else 'ai' end::public.message_author, 'Línea ' || n || ' del chat grande',
      case when n % 2 = 0 then 'received' else 'read' end::public.message_status, now() - make_interval(secs => 5000 - n)
    from public.conversations c cross join generate_series(1, 5000) as n
    where c.customer_name = 'Cliente 1';
    insert into public.labels (tenant_id, name, color)
    select '00000000-0000-4000-8000-000000000001', 'Etiqueta ' || l, '#' || lpad(to_hex(l * 1900000), 6, '0')
    from generate_series(1, 8) as l;
    insert into public.conversation_labels (conversation_id, label_id, tenant_id)
    select c.id, l.id, c.tenant_id
    from public.conversations c
    join lateral (select id, row_number() over (order by name) as k from public.labels
      where tenant_id = c.tenant_id) l on l.k = 1 + abs(hashtext(c.id::text)) % 8
        or l.k = 1 + abs(hashtext(c.id::text || 'b')) % 16
    where c.tenant_id = '00000000-0000-4000-8000-000000000001';
    set session_replication_role = origin;
    analyze public.conversations;
    analyze public.messages;
    analyze public.conversation_labels;
  `)
  const { rows } = await db.query<{ id: string }>(
    `select id from public.conversations where customer_name = 'Cliente 1'`,
  )
  const id = rows[0]?.id
  if (!id) throw new Error('seeding failed: no big chat')
  return { bigChatId: id }
}

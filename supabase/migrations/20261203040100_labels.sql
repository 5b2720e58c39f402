-- Labels (issue 18, item 2; ADR 101): admins define a tenant's labels with a colour, agents put
-- them on conversations, and the AI may set one through the set_label tool when the tenant turns
-- it on. Both tables ride the tenant feed, so open desks see labels come and go.

alter table public.tenants add column ai_may_label boolean not null default false;
comment on column public.tenants.ai_may_label is
  'The AI gets the set_label tool (one of the tenant''s labels on the chat it answers).';

create table public.labels (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 40 and name = btrim(name)),
  color text not null default '#6b7280' check (color ~ '^#[0-9a-f]{6}$'),
  created_at timestamptz not null default now()
);
comment on table public.labels is 'A tenant''s conversation labels ("order problem", "wholesale"), defined by admins.';
create unique index labels_tenant_name_idx on public.labels (tenant_id, lower(name));

create table public.conversation_labels (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  label_id uuid not null references public.labels (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- The agent who put it, or null when the AI did (set_label tool).
  added_by uuid references public.agents (user_id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (conversation_id, label_id)
);
comment on table public.conversation_labels is
  'Which labels a conversation has. Written only through set_conversation_label and ai_set_label, '
  'which check that the chat and the label belong to one tenant.';
create index conversation_labels_label_idx on public.conversation_labels (label_id);
create index conversation_labels_tenant_idx on public.conversation_labels (tenant_id);
create index conversation_labels_added_by_idx on public.conversation_labels (added_by) where added_by is not null;

-- The tenant feed carries both, deletes included (a label taken off a chat must leave open desks).
create trigger labels_broadcast after insert or update or delete on public.labels
  for each row execute function private.broadcast_tenant_change();
create trigger conversation_labels_broadcast after insert or update or delete on public.conversation_labels
  for each row execute function private.broadcast_tenant_change();

-- Puts a label on a chat or takes it off; the chat and the label must be of p_tenant_id.
create function private.apply_label(
  p_tenant_id uuid, p_conversation_id uuid, p_label_id uuid, p_on boolean, p_agent_id uuid
) returns void
language plpgsql security definer set search_path = '' as $$
begin
  perform private.lock_conversation(p_conversation_id, p_tenant_id);
  if p_label_id is null or not exists (
    select 1 from public.labels where id = p_label_id and tenant_id = p_tenant_id
  ) then
    perform private.fail(404, 'label_not_found', 'Label not found', 'Reload: an admin may have deleted it');
  end if;
  if coalesce(p_on, true) then
    insert into public.conversation_labels (conversation_id, label_id, tenant_id, added_by)
    values (p_conversation_id, p_label_id, p_tenant_id, p_agent_id)
    on conflict (conversation_id, label_id) do nothing;
  else
    delete from public.conversation_labels where conversation_id = p_conversation_id and label_id = p_label_id;
  end if;
end
$$;

create function public.set_conversation_label(p_conversation_id uuid, p_label_id uuid, p_on boolean default true)
returns setof public.conversation_labels
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  perform private.apply_label(me.tenant_id, p_conversation_id, p_label_id, p_on, me.user_id);
  return query select * from public.conversation_labels where conversation_id = p_conversation_id
    order by created_at;
end
$$;
comment on function public.set_conversation_label(uuid, uuid, boolean) is
  'An agent puts a label of its tenant on a chat (p_on true) or takes it off (false); returns the chat''s labels.';

-- The AI's set_label tool (functions/, service role): by name, as the model knows the labels,
-- and only when the tenant allows it. {applied:false, reason} instead of an error: the model
-- is told, the reply goes on.
create function public.ai_set_label(p_conversation_id uuid, p_label_name text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations := private.lock_conversation(p_conversation_id, null);
  allowed boolean;
  label uuid;
begin
  select ai_may_label into allowed from public.tenants where id = conv.tenant_id;
  if not allowed then
    return jsonb_build_object('applied', false, 'reason', 'labels_disabled');
  end if;
  select id into label from public.labels
  where tenant_id = conv.tenant_id and lower(name) = lower(btrim(coalesce(p_label_name, '')));
  if label is null then
    return jsonb_build_object('applied', false, 'reason', 'label_not_found');
  end if;
  perform private.apply_label(conv.tenant_id, conv.id, label, true, null);
  return jsonb_build_object('applied', true, 'label_id', label);
end
$$;

alter table public.labels enable row level security;
alter table public.conversation_labels enable row level security;

create policy "agents read their labels" on public.labels
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));
create policy "admins add labels" on public.labels
  for insert to authenticated with check (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins edit labels" on public.labels
  for update to authenticated
  using (tenant_id = (select private.current_admin_tenant_id()))
  with check (tenant_id = (select private.current_admin_tenant_id()));
create policy "admins delete labels" on public.labels
  for delete to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
create policy "agents read their conversation labels" on public.conversation_labels
  for select to authenticated using (tenant_id = (select private.current_tenant_id()));

-- A label keeps its tenant: only name and colour change.
grant select, insert, delete on public.labels to authenticated;
grant update (name, color) on public.labels to authenticated;
grant select on public.conversation_labels to authenticated;
grant update (ai_may_label) on public.tenants to authenticated;
grant all on public.labels, public.conversation_labels to service_role;
grant execute on function public.set_conversation_label(uuid, uuid, boolean) to authenticated;
grant execute on function public.ai_set_label(uuid, text) to service_role;

-- Canned replies managed in the dashboard (issue 18, item 3; ADR 092): shared replies belong to the
-- tenant and only its admins change them; personal ones belong to one agent, who alone sees and
-- changes them. Variables such as {{customer.name}} are filled by the dashboard when a reply is
-- inserted, so the body is stored as written.

-- Null: shared by the tenant. Otherwise the agent who keeps it, of the same tenant (the composite
-- key; checked after RLS, so a refused write reads as a refusal). An insert without it is personal.
alter table public.agents add constraint agents_user_tenant unique (user_id, tenant_id);
alter table public.canned_replies
  add column owner_id uuid default auth.uid(),
  add constraint canned_replies_owner_fk foreign key (owner_id, tenant_id)
    references public.agents (user_id, tenant_id) on delete cascade;
comment on column public.canned_replies.owner_id is
  'The agent a personal reply belongs to; null for a reply shared by the whole tenant (admins manage those).';
create index canned_replies_owner on public.canned_replies (owner_id, tenant_id);

-- A shortcut is unique among the shared replies and among each agent's own; an agent's own may
-- reuse a shared shortcut (the menu lists both).
alter table public.canned_replies drop constraint canned_replies_tenant_id_shortcut_key;
create unique index canned_replies_shared_shortcut on public.canned_replies (tenant_id, shortcut)
  where owner_id is null;
create unique index canned_replies_own_shortcut on public.canned_replies (tenant_id, owner_id, shortcut)
  where owner_id is not null;

-- RLS: an agent reads the shared replies and their own; writes their own; admins also write shared ones.
drop policy "agents read canned replies" on public.canned_replies;
drop policy "agents add canned replies" on public.canned_replies;
drop policy "agents edit canned replies" on public.canned_replies;
drop policy "agents delete canned replies" on public.canned_replies;

create policy "agents read shared and own canned replies" on public.canned_replies
  for select to authenticated using (tenant_id = (select private.current_tenant_id())
    and (owner_id is null or owner_id = (select auth.uid())));
create policy "agents add own canned replies, admins shared ones" on public.canned_replies
  for insert to authenticated with check (tenant_id = (select private.current_tenant_id())
    and (owner_id = (select auth.uid()) or (owner_id is null and tenant_id = (select private.current_admin_tenant_id()))));
create policy "agents edit own canned replies, admins shared ones" on public.canned_replies
  for update to authenticated
  using (tenant_id = (select private.current_tenant_id())
    and (owner_id = (select auth.uid()) or (owner_id is null and tenant_id = (select private.current_admin_tenant_id()))))
  with check (tenant_id = (select private.current_tenant_id())
    and (owner_id = (select auth.uid()) or (owner_id is null and tenant_id = (select private.current_admin_tenant_id()))));
create policy "agents delete own canned replies, admins shared ones" on public.canned_replies
  for delete to authenticated using (tenant_id = (select private.current_tenant_id())
    and (owner_id = (select auth.uid()) or (owner_id is null and tenant_id = (select private.current_admin_tenant_id()))));

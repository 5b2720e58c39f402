-- The link QR is admin-only in the database (ADR 071). Scanning the QR links the business number
-- to whoever scans it, so it moves out of public.channels (readable and broadcast to every agent)
-- into public.channel_links, which only the tenant's admins can read, and whose changes go only
-- to the admins' topic admins:<tenant_id>.
create table public.channel_links (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  qr text,
  qr_expires_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table public.channel_links is 'The QR that links a channel to WhatsApp while the connector asks for a scan; admins only.';
create index channel_links_tenant_idx on public.channel_links (tenant_id);
alter table public.channel_links enable row level security;
create policy "admins read their channels' link codes" on public.channel_links
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));
revoke all on public.channel_links from anon, authenticated;
grant select on public.channel_links to authenticated;
grant all on public.channel_links to service_role;

insert into public.channel_links (channel_id, tenant_id, qr, qr_expires_at)
select id, tenant_id, qr, qr_expires_at from public.channels where qr is not null;
alter table public.channels drop column qr, drop column qr_expires_at;
comment on table public.channels is 'One WhatsApp number of a tenant; the connector serving it keeps status and heartbeat current (the QR is in channel_links).';

-- Admins' feed: the same broadcast_changes payload as the tenant feed, on a topic only admins join.
create function private.broadcast_admin_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.broadcast_changes('admins:' || new.tenant_id::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end
$$;
create trigger channel_links_broadcast after insert or update on public.channel_links
  for each row execute function private.broadcast_admin_change();

create policy "admins receive their admin feed" on realtime.messages
  for select to authenticated
  using (topic = (select realtime.topic()) and topic = 'admins:' || (select private.current_admin_tenant_id())::text);

-- Channel lifecycle as reported by the connector. The QR is kept only while status is qr.
create or replace function public.set_channel_status(
  p_channel_id uuid, p_status public.channel_status, p_qr text default null,
  p_qr_expires_at timestamptz default null, p_phone text default null
) returns public.channels language plpgsql security definer set search_path = '' as $$
declare
  chan public.channels;
begin
  perform private.require_id(p_channel_id, 'channel id');
  if p_status is null then
    perform private.fail(400, 'invalid_argument', 'channel status is required');
  end if;
  if p_status = 'qr' and coalesce(p_qr, '') = '' then
    perform private.fail(400, 'invalid_argument', 'status qr needs the QR text');
  end if;
  update public.channels
  set status = p_status,
      status_changed_at = case when status is distinct from p_status then now() else status_changed_at end,
      phone = coalesce(p_phone, phone),
      relink_requested_at = case when p_status = 'logged_out' then null else relink_requested_at end,
      last_heartbeat_at = now()
  where id = p_channel_id returning * into chan;
  if chan.id is null then
    perform private.fail(404, 'channel_not_found', 'Channel not found', 'Check CHANNEL_ID of the connector');
  end if;
  insert into public.channel_links as link (channel_id, tenant_id, qr, qr_expires_at)
  values (chan.id, chan.tenant_id, case when p_status = 'qr' then p_qr end, case when p_status = 'qr' then p_qr_expires_at end)
  on conflict (channel_id) do update
    set qr = excluded.qr, qr_expires_at = excluded.qr_expires_at, updated_at = now()
    where link.qr is distinct from excluded.qr or link.qr_expires_at is distinct from excluded.qr_expires_at;
  return chan;
end
$$;
revoke execute on function private.broadcast_admin_change() from public, anon, authenticated;

-- Numbers (issue 17 item 3, ADR 113): admins add a WhatsApp Web number (with its connector's
-- credential), rename and remove numbers from the Connection screen. A removed number is archived,
-- never deleted: its conversations keep their history, its credentials die, replies on it are refused.

alter table public.channels add column archived_at timestamptz;
comment on column public.channels.archived_at is
  'Set when an admin removed the number (remove_channel): its chats stay readable, nothing is sent on it.';

create function private.channel_name(p_name text) returns text
language plpgsql immutable set search_path = '' as $$
declare
  name text := btrim(coalesce(p_name, ''));
begin
  if name = '' or length(name) > 60 then
    perform private.fail(400, 'invalid_argument', 'A number''s name has 1 to 60 characters',
      'Name it after what it is for, e.g. "Sales" or "Store Centro"');
  end if;
  return name;
end
$$;

-- The caller's live (not removed) channel, locked: 404 for another tenant's or a removed one.
create function private.lock_own_channel(p_me public.agents, p_channel_id uuid) returns public.channels
language plpgsql security definer set search_path = '' as $$
declare
  chan public.channels;
begin
  select * into chan from public.channels
  where id = private.require_id(p_channel_id, 'channel id') and tenant_id = p_me.tenant_id and archived_at is null
  for update;
  if not found then
    perform private.fail(404, 'channel_not_found', 'No number with that id in your store');
  end if;
  return chan;
end
$$;

-- A new WhatsApp Web number and its connector's credential, in one transaction: the admin gets
-- the key once, with the channel id, to start the container the Connection screen shows.
create function public.add_whatsapp_web_channel(p_name text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  credential jsonb;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can add a WhatsApp number', 'Ask an admin of your store');
  end if;
  insert into public.channels (tenant_id, kind, name, status)
  values (me.tenant_id, 'whatsapp_web', private.channel_name(p_name), 'starting')
  returning * into chan;
  credential := public.issue_connector_credential(chan.id, 'connector');
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'channel_added',
    jsonb_build_object('channel_id', chan.id, 'kind', chan.kind, 'name', chan.name));
  return jsonb_build_object('channel', to_jsonb(chan), 'credential', credential);
end
$$;

create function public.rename_channel(p_channel_id uuid, p_name text) returns public.channels
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  new_name text := private.channel_name(p_name);
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can rename a number', 'Ask an admin of your store');
  end if;
  chan := private.lock_own_channel(me, p_channel_id);
  update public.channels set name = new_name where id = chan.id returning * into chan;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'channel_renamed',
    jsonb_build_object('channel_id', chan.id, 'name', new_name));
  return chan;
end
$$;

-- Removing archives the number. Replies still waiting for it are not dropped silently: the call is
-- refused (409) unless the admin asks to cancel them; a reply being sent right now (a live lease)
-- always refuses, since the connector may already have handed it to WhatsApp.
create function public.remove_channel(p_channel_id uuid, p_cancel_queued boolean default false)
returns public.channels language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  chan public.channels;
  waiting integer;
  cancelled integer := 0;
  revoked uuid[];
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can remove a number', 'Ask an admin of your store');
  end if;
  chan := private.lock_own_channel(me, p_channel_id);
  if exists (select 1 from public.messages m where m.channel_id = chan.id and m.direction = 'out' and not m.private
             and m.status = 'sending' and m.lease_expires_at > now()) then
    perform private.fail(409, 'channel_sending', 'A reply is being sent on this number right now',
      'Try again in a minute');
  end if;
  select count(*) into waiting from public.messages m
  where m.channel_id = chan.id and m.direction = 'out' and not m.private and m.status in ('queued', 'sending');
  if waiting > 0 and not coalesce(p_cancel_queued, false) then
    perform private.fail(409, 'channel_has_queued_messages',
      waiting || ' replies wait to be sent on this number',
      'Start its connector so they go out, or remove it and cancel them');
  end if;
  if waiting > 0 then
    update public.messages m set status = 'cancelled', lease_expires_at = null, error = 'the number was removed'
    where m.channel_id = chan.id and m.direction = 'out' and not m.private and m.status in ('queued', 'sending');
    get diagnostics cancelled = row_count;
  end if;
  -- Its connector loses access at once (ADR 074); a Cloud API number frees its phone number id.
  with gone as (
    update public.connector_credentials set revoked_at = now(), revoked_by = me.user_id
    where channel_id = chan.id and revoked_at is null returning user_id
  )
  select coalesce(array_agg(user_id), '{}') into revoked from gone;
  delete from auth.users where id = any (revoked);
  delete from public.cloud_api_channels where channel_id = chan.id;
  perform private.forget_secrets('cloud_api:' || chan.id::text || ':');
  delete from public.channel_links where channel_id = chan.id;
  update public.channels
  set archived_at = now(), status = 'disconnected', status_changed_at = now()
  where id = chan.id returning * into chan;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'channel_removed', jsonb_build_object(
    'channel_id', chan.id, 'kind', chan.kind, 'name', chan.name, 'cancelled_messages', cancelled,
    'revoked_credentials', cardinality(revoked)));
  return chan;
end
$$;

-- Nothing is queued on a removed number, whoever queues it (agents, the AI, a retry). KEY SHARE
-- waits for a removal in progress (it locks the row FOR UPDATE) and then reads its outcome, yet
-- never waits for the connector's heartbeat and status updates.
create function private.guard_removed_channel() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform 1 from public.channels where id = new.channel_id and archived_at is not null for key share;
  if found then
    perform private.fail(409, 'channel_removed', 'This chat''s number was removed, so nothing can be sent on it',
      'Start a new chat with the customer from one of your numbers');
  end if;
  return new;
end
$$;
create trigger messages_guard_removed_channel before insert or update of status on public.messages
  for each row when (new.direction = 'out' and new.status = 'queued' and not new.private)
  execute function private.guard_removed_channel();

revoke execute on function private.channel_name(text), private.lock_own_channel(public.agents, uuid),
  private.guard_removed_channel()
  from public, anon, authenticated, service_role;
revoke execute on function public.add_whatsapp_web_channel(text), public.rename_channel(uuid, text),
  public.remove_channel(uuid, boolean)
  from public, anon;
grant execute on function public.add_whatsapp_web_channel(text), public.rename_channel(uuid, text),
  public.remove_channel(uuid, boolean)
  to authenticated;

-- Media deletion and retention (issue 15, item 7). A message deleted for everyone loses its file,
-- and a tenant may keep files for a number of days only. The bytes live in Storage, which only its
-- API deletes (a storage.objects row deleted with SQL leaves the file behind), so the database
-- queues the paths and the functions' sweeper removes them through Storage with the service role.
--
-- The functions below read messages.media_status (migration 20261203020000, which sorts after this
-- one): PL/pgSQL resolves columns when a function runs, not when it is created.

-- ---------------------------------------------------------------- Tenant setting
alter table public.tenants add column media_retention_days integer
  check (media_retention_days is null or media_retention_days between 1 and 3650);
comment on column public.tenants.media_retention_days is
  'Days a media file is kept after its message; null keeps files. Older files are deleted by the sweeper and '
  'their messages marked media_status expired (the row and its metadata stay).';
-- Admins change it in the settings like the other tenant columns (RLS: only the tenant's admins update).
grant update (media_retention_days) on public.tenants to authenticated;

-- ---------------------------------------------------------------- Deletion queue
-- One row per file to remove from the bucket `media`. A path leased by a sweeper tick comes back
-- after five minutes if that tick died before the removal was confirmed.
create table private.media_deletions (
  path text primary key check (length(path) between 1 and 1024),
  reason text not null check (reason in ('deleted', 'retention')),
  queued_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now()
);
create index media_deletions_due_idx on private.media_deletions (next_attempt_at);

-- Deleted for everyone (record_revoke clears body and media): the file goes too.
create function private.queue_deleted_media() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into private.media_deletions (path, reason) values (old.media ->> 'path', 'deleted')
  on conflict (path) do nothing;
  return null;
end
$$;
create trigger messages_queue_deleted_media after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null and coalesce(old.media ->> 'path', '') <> '')
  execute function private.queue_deleted_media();

-- ---------------------------------------------------------------- Sweeper functions (service role)
-- Messages whose stored file is older than their tenant's retention become `expired` and their
-- paths are queued, at most p_limit per call, oldest first. Returns how many expired.
create function public.expire_media(p_limit integer default 200) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  expired integer;
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..1000');
  end if;
  with due as (
    select m.id, m.media ->> 'path' as path
    from public.messages m join public.tenants t on t.id = m.tenant_id
    where t.media_retention_days is not null and m.media_status = 'stored'
      and coalesce(m.media ->> 'path', '') <> ''
      and m.created_at < now() - make_interval(days => t.media_retention_days)
    order by m.created_at, m.id
    limit p_limit
    for update of m skip locked
  ), queued as (
    insert into private.media_deletions (path, reason) select path, 'retention' from due
    on conflict (path) do nothing
  )
  update public.messages m set media_status = 'expired' from due where m.id = due.id;
  get diagnostics expired = row_count;
  return expired;
end
$$;

-- Leases up to p_limit queued paths for removal; media_deletions_done confirms them.
create function public.media_deletions_due(p_limit integer default 200) returns setof text
language plpgsql security definer set search_path = '' as $$
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    perform private.fail(400, 'invalid_argument', 'limit must be 1..1000');
  end if;
  return query
  update private.media_deletions d set attempts = d.attempts + 1, next_attempt_at = now() + interval '5 minutes'
  where d.path in (
    select q.path from private.media_deletions q where q.next_attempt_at <= now()
    order by q.queued_at, q.path limit p_limit for update skip locked
  )
  returning d.path;
end
$$;

create function public.media_deletions_done(p_paths text[]) returns integer
language sql security definer set search_path = '' as $$
  with done as (delete from private.media_deletions where path = any(p_paths) returning 1)
  select count(*)::integer from done
$$;

-- ---------------------------------------------------------------- Grants
revoke execute on function private.queue_deleted_media() from public, anon, authenticated;
revoke execute on function public.expire_media(integer), public.media_deletions_due(integer),
  public.media_deletions_done(text[]) from public, anon, authenticated;
grant execute on function public.expire_media(integer), public.media_deletions_due(integer),
  public.media_deletions_done(text[]) to service_role;

-- Media files (issue 15): the private Storage bucket `media` and who may touch its objects.
-- On Supabase the storage schema exists already (on plain Postgres sql/bootstrap.sql makes the same
-- tables); this migration only adds the bucket, its policies and the per-kind size limits.
--
-- Layout: `<tenant_id>/<conversation_id>/<message_id>.<ext>` for files the connector stores,
-- `<tenant_id>/outgoing/<name>` for files agents upload to send. Agents read their tenant's folder
-- and write only into its outgoing/ folder; everything else (the connector's uploads, deletion by
-- retention) uses the service role, which bypasses RLS.

-- ---------------------------------------------------------------- Bucket
-- 100 MiB is WhatsApp's document limit, the largest file Relevo keeps. The type allow-list is
-- WhatsApp's media types; audio and video as wildcards because WhatsApp reports types with
-- parameters (`audio/ogg; codecs=opus`), which Storage compares as part of the subtype. Image types
-- are listed one by one so that SVG (a script carrier when opened from a signed URL) stays out.
-- A deployment changes both with `update storage.buckets set file_size_limit = …,
-- allowed_mime_types = … where id = 'media'` (or Supabase's dashboard: Storage → media → Edit);
-- `on conflict do nothing` keeps such a change when migrations run again.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('media', 'media', false, 104857600, array[
  'image/jpeg', 'image/png', 'image/webp', 'image/gif',
  'audio/*', 'video/*',
  'application/pdf', 'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain', 'text/csv', 'application/zip', 'application/octet-stream'])
on conflict (id) do nothing;

-- ---------------------------------------------------------------- Policies on storage.objects
-- The first folder of a name is the tenant (storage.foldername splits on '/'); the caller's
-- tenant comes from private.current_tenant_id(), evaluated once per statement as in every policy.
create policy media_tenant_read on storage.objects for select to authenticated
  using (bucket_id = 'media' and (storage.foldername(name))[1] = (select private.current_tenant_id()::text));

create policy media_outgoing_upload on storage.objects for insert to authenticated
  with check (
    bucket_id = 'media'
    and (storage.foldername(name))[1] = (select private.current_tenant_id()::text)
    and (storage.foldername(name))[2] = 'outgoing'
  );

-- ---------------------------------------------------------------- Per-kind limits
-- WhatsApp's limits per kind of file, below the bucket's overall cap: what the connector keeps of
-- incoming media, what the desk lets an agent attach and what the outbox sends. One row per kind;
-- a deployment changes a limit with `update public.media_limits set max_bytes = … where kind = …`.
-- The bucket's file_size_limit still caps every kind.
create table public.media_limits (
  kind text primary key check (kind in ('image', 'audio', 'video', 'document')),
  max_bytes bigint not null check (max_bytes > 0),
  updated_at timestamptz not null default now()
);
comment on table public.media_limits is
  'Largest file per kind (image, audio, video, document) Relevo keeps or sends; the media bucket''s limit caps all.';
insert into public.media_limits (kind, max_bytes) values
  ('image', 16777216), ('audio', 16777216), ('video', 16777216), ('document', 104857600);

alter table public.media_limits enable row level security;
-- Deployment settings, the same for every tenant: every agent may read them; only the service
-- role (and SQL) changes them.
create policy media_limits_read on public.media_limits for select to authenticated using (true);
grant select on public.media_limits to authenticated;

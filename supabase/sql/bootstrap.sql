-- What a Supabase project provides before our migrations run, recreated for plain
-- Postgres (embedded PGlite or a real server). Used only off Supabase; never pushed.
-- Idempotent: it runs before every migration pass.

-- Roles (PostgREST switches to these per request; service_role bypasses RLS). Roles are
-- cluster-wide, so test processes bootstrapping separate databases of one server at the
-- same time may race here: losing the race (duplicate, or "tuple concurrently updated")
-- means another process did the same work, which is fine.
do $$
declare
  spec text[];
  member text;
begin
  foreach spec slice 1 in array array[
    ['anon', 'nologin noinherit'], ['authenticated', 'nologin noinherit'],
    ['service_role', 'nologin noinherit bypassrls'], ['authenticator', 'login noinherit'],
    ['supabase_admin', 'nologin']
  ] loop
    if not exists (select from pg_roles where rolname = spec[1]) then
      begin
        execute format('create role %I %s', spec[1], spec[2]);
      exception when duplicate_object or unique_violation or internal_error then null;
      end;
    end if;
  end loop;
  -- authenticator switches to the API roles, and so must the connecting user (the stand-in's pool).
  foreach member in array array['authenticator', current_user] loop
    if not (pg_has_role(member, 'anon', 'member') and pg_has_role(member, 'authenticated', 'member')
            and pg_has_role(member, 'service_role', 'member')) then
      begin
        execute format('grant anon, authenticated, service_role to %I', member);
      exception when duplicate_object or unique_violation or internal_error then null;
      end;
    end if;
  end loop;
end $$;

grant usage on schema public to anon, authenticated, service_role;
-- Deny by default (ADR 072): Supabase grants ALL on future objects in public to anon and
-- authenticated too; here only the service role gets them, so a new table or function is closed to
-- the API roles until a migration grants it (the migration 20261202000300 does the same on Supabase).
alter default privileges in schema public grant all on tables to service_role;
alter default privileges in schema public grant all on functions to service_role;
alter default privileges in schema public grant all on sequences to service_role;

create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- vault: the interface of Supabase Vault (the supabase_vault extension: vault.secrets,
-- vault.decrypted_secrets, vault.create_secret, vault.update_secret) so that the same SQL keeps
-- secrets encrypted at rest here too (ADR 075). Secrets are PGP-encrypted (AES-256, with an
-- integrity check) by pgcrypto under a root key made once per database. Unlike Supabase, whose
-- root key lives outside the database, this key sits in vault.root_key: a dump of one table, a
-- replica of public or a leaked row holds no plaintext, but a dump of the whole database holds
-- both. Only the owner (the role that runs migrations) may use the schema, as on Supabase.
create schema if not exists vault;
revoke all on schema vault from public;
create table if not exists vault.root_key (
  id boolean primary key default true check (id),
  key bytea not null default extensions.gen_random_bytes(32)
);
insert into vault.root_key default values on conflict do nothing;
create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create or replace function vault._encrypt(plaintext text) returns text
language sql volatile set search_path = '' as $$
  select encode(extensions.pgp_sym_encrypt(plaintext, encode(k.key, 'hex'), 'cipher-algo=aes256, s2k-mode=1'), 'base64')
  from vault.root_key k
$$;
create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
) returns uuid language sql volatile set search_path = '' as $$
  insert into vault.secrets (name, description, secret, key_id)
  values (new_name, coalesce(new_description, ''), vault._encrypt(new_secret), new_key_id)
  returning id
$$;
create or replace function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null, new_description text default null,
  new_key_id uuid default null
) returns void language sql volatile set search_path = '' as $$
  update vault.secrets set
    secret = case when new_secret is null then secret else vault._encrypt(new_secret) end,
    name = coalesce(new_name, name), description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id), updated_at = now()
  where id = secret_id
$$;
create or replace view vault.decrypted_secrets as
  select s.id, s.name, s.description, s.secret,
    extensions.pgp_sym_decrypt(decode(s.secret, 'base64'), encode(k.key, 'hex')) as decrypted_secret,
    s.key_id, s.nonce, s.created_at, s.updated_at
  from vault.secrets s cross join vault.root_key k;
revoke all on all tables in schema vault from public;
revoke all on all functions in schema vault from public;

-- Where the Supabase CLI records applied migrations.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);

-- auth: the subset of GoTrue's schema that our migrations, seed and the stand-in use.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255) unique,
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  recovery_token varchar(255),
  email_change_token_new varchar(255),
  email_change varchar(255),
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text unique,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
-- Columns added after the first local databases were made (`create table if not exists` skips them).
alter table auth.users add column if not exists email_change_token_new varchar(255),
  add column if not exists email_change varchar(255);
create table if not exists auth.identities (
  id uuid primary key default gen_random_uuid(),
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  email text generated always as (lower(identity_data ->> 'email')) stored,
  unique (provider_id, provider)
);
create table if not exists auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  not_after timestamptz
);
create table if not exists auth.refresh_tokens (
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);

-- The helpers exactly as supabase/auth defines them: they read PostgREST's request.jwt.claims.
create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
grant execute on all functions in schema auth to anon, authenticated, service_role;

-- realtime: the table and functions Supabase Realtime reads; the stand-in delivers their effect.
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;
create table if not exists realtime.messages (
  id bigserial primary key,
  topic text not null,
  extension text not null default 'broadcast',
  payload jsonb,
  event text,
  private boolean default true,
  inserted_at timestamp not null default now(),
  updated_at timestamp not null default now()
);
alter table realtime.messages enable row level security;
grant select, insert on realtime.messages to authenticated, service_role;
grant usage on sequence realtime.messages_id_seq to authenticated, service_role;

-- Set by Realtime while it evaluates realtime.messages policies for a joining client.
create or replace function realtime.topic() returns text language sql stable as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- The stand-in LISTENs on 'realtime_messages' and fans the row out to joined channels. The
-- notice is '<id>:<topic>' so that rows for topics nobody joined are never read back.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void language plpgsql security definer set search_path = '' as $$
declare
  message_id bigint;
begin
  insert into realtime.messages (payload, event, topic, private, extension)
  values (payload, event, topic, private, 'broadcast')
  returning id into message_id;
  perform pg_notify('realtime_messages',
    case when length(topic) <= 7000 then message_id::text || ':' || topic else message_id::text end);
end
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void language plpgsql security definer set search_path = '' as $$
declare
  row_data jsonb := case when new is null then null else to_jsonb(new) end;
  old_data jsonb := case when old is null then null else to_jsonb(old) end;
begin
  -- Same payload shape as Supabase's realtime.broadcast_changes.
  perform realtime.send(
    jsonb_build_object(
      'operation', operation, 'table', table_name, 'schema', table_schema,
      'record', row_data, 'old_record', old_data
    ),
    event_name, topic_name, true
  );
end
$$;
grant execute on function realtime.send(jsonb, text, text, boolean) to authenticated, service_role;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to authenticated, service_role;

do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;

-- Change capture for postgres_changes. Supabase reads the WAL through a replication slot;
-- the stand-in gets the same "any writer, SQL included" coverage from a row trigger on each
-- table of the supabase_realtime publication. The rows travel in the NOTIFY as they were at
-- the change (as WAL records do), so later writes cannot alter or hide an event. NOTIFY
-- payloads are capped at 8000 bytes: a row that does not fit is left out and the stand-in
-- reads it back by primary key (see supabase/local/realtime/README.md).
create or replace function realtime.capture_change() returns trigger language plpgsql set search_path = '' as $$
declare
  source jsonb := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
  pk jsonb;
  message jsonb;
  new_row jsonb;
  old_row jsonb;
begin
  select jsonb_object_agg(a.attname, source -> a.attname::text) into pk
    from pg_catalog.pg_index i
    join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
   where i.indrelid = tg_relid and i.indisprimary;
  message := jsonb_build_object('schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op, 'pk', pk);
  -- A huge primary key must not make the writer's transaction fail: send the bare reference.
  if octet_length(message::text) > 7900 then
    perform pg_notify('realtime_changes', jsonb_build_object(
      'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op, 'oversized', true)::text);
    return null;
  end if;
  if tg_op <> 'DELETE' then
    new_row := to_jsonb(new);
    if octet_length(message::text) + octet_length(new_row::text) <= 7900 then
      message := message || jsonb_build_object('record', new_row);
    end if;
  end if;
  -- The old row is needed for DELETE (its visibility) and shown for UPDATE under REPLICA IDENTITY FULL.
  if tg_op = 'DELETE'
     or (tg_op = 'UPDATE' and (select c.relreplident from pg_catalog.pg_class c where c.oid = tg_relid) = 'f') then
    old_row := to_jsonb(old);
    if octet_length(message::text) + octet_length(old_row::text) <= 7900 then
      message := message || jsonb_build_object('old', old_row);
    end if;
  end if;
  perform pg_notify('realtime_changes', message::text);
  return null;
end
$$;

-- Attaches the capture trigger to every table of the publication and detaches it from tables
-- that left, so `alter publication supabase_realtime add table x` works as on Supabase.
-- The stand-in calls it on start and when a subscriber names a table not hooked yet.
create or replace function realtime.sync_capture_triggers() returns setof text language plpgsql set search_path = '' as $$
declare
  t record;
begin
  for t in
    select p.schemaname, p.tablename from pg_catalog.pg_publication_tables p
     where p.pubname = 'supabase_realtime'
       and not exists (
         select from pg_catalog.pg_trigger g
          where g.tgrelid = format('%I.%I', p.schemaname, p.tablename)::regclass
            and g.tgname = 'realtime_capture_change')
  loop
    execute format(
      'create trigger realtime_capture_change after insert or update or delete on %I.%I '
      'for each row execute function realtime.capture_change()', t.schemaname, t.tablename);
  end loop;
  for t in
    select n.nspname as schemaname, c.relname as tablename from pg_catalog.pg_trigger g
      join pg_catalog.pg_class c on c.oid = g.tgrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where g.tgname = 'realtime_capture_change'
       and not exists (
         select from pg_catalog.pg_publication_tables p
          where p.pubname = 'supabase_realtime' and p.schemaname = n.nspname and p.tablename = c.relname)
  loop
    execute format('drop trigger realtime_capture_change on %I.%I', t.schemaname, t.tablename);
  end loop;
  return query select p.schemaname || '.' || p.tablename from pg_catalog.pg_publication_tables p
    where p.pubname = 'supabase_realtime';
end
$$;
revoke execute on function realtime.capture_change() from public;
revoke execute on function realtime.sync_capture_triggers() from public;

-- Evaluates one row-visibility expression (built by the stand-in from the table's grants and
-- SELECT policies) for many subscribers in one round trip: for each, it becomes the
-- subscriber's role with its claims, as Supabase's realtime.apply_rls does per subscriber.
-- No `set search_path`: the expression is pg_policies text, deparsed for the default path.
-- Callers run it in a transaction they roll back, since the role and claims are set locally.
create or replace function realtime.visible_to(check_sql text, row_data jsonb, roles text[], claims text[])
returns boolean[] language plpgsql as $$
declare
  result boolean[] := '{}';
  visible boolean;
begin
  -- One subtransaction for the whole batch; only when some subscriber's check fails (say, a
  -- policy that raises) is the batch redone one subscriber at a time.
  begin
    for i in 1 .. coalesce(array_length(roles, 1), 0) loop
      perform set_config('role', roles[i], true), set_config('request.jwt.claims', claims[i], true),
        set_config('request.jwt.claim.role', roles[i], true),
        set_config('request.jwt.claim.sub', coalesce(claims[i]::jsonb ->> 'sub', ''), true);
      execute check_sql into visible using row_data;
      result := result || coalesce(visible, false);
    end loop;
    return result;
  exception when others then
    result := '{}';
  end;
  for i in 1 .. coalesce(array_length(roles, 1), 0) loop
    begin
      perform set_config('role', roles[i], true), set_config('request.jwt.claims', claims[i], true),
        set_config('request.jwt.claim.role', roles[i], true),
        set_config('request.jwt.claim.sub', coalesce(claims[i]::jsonb ->> 'sub', ''), true);
      execute check_sql into visible using row_data;
    exception when others then
      visible := false;
    end;
    result := result || coalesce(visible, false);
  end loop;
  return result;
end
$$;
revoke execute on function realtime.visible_to(text, jsonb, text[], text[]) from public;

-- storage: the tables and helpers of Supabase Storage (supabase/storage's tenant migrations) that
-- policies and the stand-in's /storage/v1 use. On Supabase this schema exists already; Relevo's
-- migrations only add buckets and policies. Files live on disk, named by `version`
-- (see supabase/local/README.md, Storage).
create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;
create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  type text not null default 'STANDARD'
);
create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  user_metadata jsonb,
  unique (bucket_id, name)
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

-- The helpers policies use, as Supabase defines them: all split the object name on '/'.
create or replace function storage.foldername(name text) returns text[] language plpgsql immutable as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;
create or replace function storage.filename(name text) returns text language plpgsql immutable as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;
create or replace function storage.extension(name text) returns text language plpgsql immutable as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;
grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role;

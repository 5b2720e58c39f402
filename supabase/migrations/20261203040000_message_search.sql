-- Search over the whole message history (issue 18, item 9; ADR 100): Postgres full-text search
-- with the Spanish and the English configuration at once, websearch syntax ("quoted phrase",
-- or, -word), ranked, with a highlighted snippet, limited to the caller's tenant.
--
-- The searchable document lives in its own narrow table, kept by a trigger, not in a column of
-- messages: a tsvector column would travel in every messages row of the tenant feed and of
-- select('*'), and an expression index would have to compute the document again for every match
-- to rank it (two stemmers, ~60 µs a message). Messages have no `transcript` column on this
-- branch; when one lands, private.message_document takes it as a second argument (ADR 100).

create table private.message_search (
  message_id uuid primary key references public.messages (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  created_at timestamptz not null,
  document tsvector not null
);
comment on table private.message_search is
  'The full-text document of each searchable message (not system events), for search_messages. Kept by trigger.';
create index message_search_document_idx on private.message_search using gin (document);
-- The newest matches of a common word are found by walking this index backwards (see below).
create index message_search_tenant_created_idx on private.message_search (tenant_id, created_at desc);

create function private.message_document(p_body text) returns tsvector
language sql immutable parallel safe set search_path = '' as $$
  select to_tsvector('pg_catalog.spanish'::regconfig, coalesce(p_body, ''))
    || to_tsvector('pg_catalog.english'::regconfig, coalesce(p_body, ''))
$$;
comment on function private.message_document(text) is
  'A message''s text stemmed as Spanish and as English: the document search_messages matches.';

-- System events (type event) are the desk's own sentences, not conversation text: not indexed.
-- An edit or a delete for everyone (body cleared) updates the document.
create function private.index_message_for_search() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.type = 'event' then
    return null;
  end if;
  insert into private.message_search (message_id, tenant_id, created_at, document)
  values (new.id, new.tenant_id, new.created_at, private.message_document(new.body))
  on conflict (message_id) do update set document = excluded.document;
  return null;
end
$$;
create trigger messages_search_document after insert or update of body on public.messages
  for each row execute function private.index_message_for_search();

insert into private.message_search (message_id, tenant_id, created_at, document)
select id, tenant_id, created_at, private.message_document(body) from public.messages where type <> 'event';

create function public.search_messages(p_query text, p_limit integer default 50)
returns table (
  conversation_id uuid,
  message_id uuid,
  created_at timestamptz,
  author public.message_author,
  private boolean,
  customer_name text,
  customer_phone text,
  snippet text,
  rank real
)
-- Security definer to read private.message_search; every row is limited to the caller's tenant
-- below, which is exactly what RLS lets an agent read of messages and conversations.
language plpgsql stable security definer set search_path = '' set plan_cache_mode = force_custom_plan as $$
#variable_conflict use_column
declare
  tenant uuid := (select private.require_agent()).tenant_id;
  q_es tsquery;
  q_en tsquery;
  -- Markers around highlighted words: two private-use characters, never HTML, so the desk renders
  -- the snippet as text and wraps the marked runs itself (no markup from message text).
  options text := format('StartSel=%s, StopSel=%s, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "',
    chr(57344), chr(57345));
begin
  if p_query is null or length(btrim(p_query)) = 0 or length(p_query) > 200 then
    perform private.fail(400, 'invalid_argument', 'The search text must have 1 to 200 characters');
  end if;
  if p_limit is null or p_limit not between 1 and 200 then
    perform private.fail(400, 'invalid_argument', 'p_limit must be between 1 and 200');
  end if;
  q_es := websearch_to_tsquery('pg_catalog.spanish'::regconfig, p_query);
  q_en := websearch_to_tsquery('pg_catalog.english'::regconfig, p_query);
  return query
  -- Ranked among the 200 newest matches: ranking every match of a word that is in 10% of a
  -- million messages takes seconds, and a desk wants recent conversations anyway. For a common
  -- word the planner walks the (tenant, created_at) index and stops at 200; for a rare one it
  -- takes the GIN index and sorts the few matches (custom plans: it sees the words each time).
  with candidates as (
    select s.message_id, s.created_at, s.document
    from private.message_search s
    where s.document @@ (q_es || q_en) and s.tenant_id = tenant
    order by s.created_at desc
    limit 200
  ), hits as (
    select c.message_id, ts_rank_cd(c.document, q_es || q_en) as rank
    from candidates c
    order by rank desc, c.created_at desc
    limit p_limit
  )
  select m.conversation_id, m.id, m.created_at, m.author, m.private, c.customer_name, c.customer_phone,
    -- Highlight with the language whose stems matched (a Spanish word stems differently in English).
    case when to_tsvector('pg_catalog.spanish'::regconfig, m.body) @@ q_es
      then ts_headline('pg_catalog.spanish'::regconfig, m.body, q_es, options)
      else ts_headline('pg_catalog.english'::regconfig, m.body, q_en, options)
    end,
    h.rank
  from hits h
  join public.messages m on m.id = h.message_id and m.tenant_id = tenant
  join public.conversations c on c.id = m.conversation_id and c.tenant_id = tenant
  order by h.rank desc, m.created_at desc;
end
$$;
comment on function public.search_messages(text, integer) is
  'Full-text search over the caller''s tenant''s messages (Spanish + English, websearch syntax), best first, '
  'with a snippet whose matches are wrapped in U+E000 … U+E001.';

grant execute on function public.search_messages(text, integer) to authenticated;

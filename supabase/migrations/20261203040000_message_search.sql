-- Search over the whole message history (issue 18, item 9; ADR 100): Postgres full-text search
-- with the Spanish and the English configuration at once, websearch syntax ("quoted phrase",
-- or, -word), ranked, with a highlighted snippet, under the caller's RLS.
--
-- The document is an expression, not a stored column: a stored tsvector would travel in every
-- messages row of the tenant feed and of select('*'), and adding it would rewrite the table.
-- The expression is written out in private.message_document and in the index; Postgres inlines
-- the SQL function, so the planner matches the index. Messages carry no `transcript` column on
-- this branch; when one lands, a later migration adds it to both (ADR 100).

-- No SET clause: Postgres inlines only SQL functions without one, and the index needs the inlined
-- form. The names resolve in pg_catalog first whatever the caller's search_path.
create function private.message_document(p_body text) returns tsvector
language sql immutable parallel safe as $$
  select to_tsvector('pg_catalog.spanish'::regconfig, p_body) || to_tsvector('pg_catalog.english'::regconfig, p_body)
$$;
comment on function private.message_document(text) is
  'The searchable document of a message: its text stemmed as Spanish and as English (search_messages).';

-- System events (type event) are the desk's own sentences, not conversation text: not indexed.
create index messages_search_idx on public.messages using gin (
  (to_tsvector('pg_catalog.spanish'::regconfig, body) || to_tsvector('pg_catalog.english'::regconfig, body))
) where type <> 'event';

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
-- Security invoker: the caller's RLS on messages and conversations decides what is found.
language plpgsql stable security invoker set search_path = '' as $$
#variable_conflict use_column
declare
  q_es tsquery;
  q_en tsquery;
  -- Markers around highlighted words: two private-use characters, never HTML, so the desk renders
  -- the snippet as text and wraps the marked runs itself (no markup from message text).
  options text := format('StartSel=%s, StopSel=%s, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "',
    chr(57344), chr(57345));
begin
  -- Raised here rather than through private.require_agent / private.fail, which the API roles may
  -- not execute: this function runs with the caller's rights.
  if private.current_tenant_id() is null then
    raise exception using errcode = 'PT403', message = 'You are not an active agent of any tenant',
      detail = 'not_an_agent', hint = 'Sign in with an agent account or ask your admin to (re)activate you';
  end if;
  if p_query is null or length(btrim(p_query)) = 0 or length(p_query) > 200 then
    raise exception using errcode = 'PT400', message = 'The search text must have 1 to 200 characters',
      detail = 'invalid_argument';
  end if;
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = 'PT400', message = 'p_limit must be between 1 and 200',
      detail = 'invalid_argument';
  end if;
  q_es := websearch_to_tsquery('pg_catalog.spanish'::regconfig, p_query);
  q_en := websearch_to_tsquery('pg_catalog.english'::regconfig, p_query);
  return query
  with hits as (
    select m.id, m.conversation_id, m.created_at, m.author, m.private, m.body,
      ts_rank_cd(private.message_document(m.body), q_es || q_en) as rank
    from public.messages m
    where private.message_document(m.body) @@ (q_es || q_en) and m.type <> 'event'
    order by rank desc, m.created_at desc
    limit p_limit
  )
  select h.conversation_id, h.id, h.created_at, h.author, h.private, c.customer_name, c.customer_phone,
    -- Highlight with the language whose stems matched (a Spanish word stems differently in English).
    case when to_tsvector('pg_catalog.spanish'::regconfig, h.body) @@ q_es
      then ts_headline('pg_catalog.spanish'::regconfig, h.body, q_es, options)
      else ts_headline('pg_catalog.english'::regconfig, h.body, q_en, options)
    end,
    h.rank
  from hits h join public.conversations c on c.id = h.conversation_id
  order by h.rank desc, h.created_at desc;
end
$$;
comment on function public.search_messages(text, integer) is
  'Full-text search over the caller''s tenant''s messages (Spanish + English, websearch syntax), best first, '
  'with a snippet whose matches are wrapped in U+E000 … U+E001.';

revoke execute on function public.search_messages(text, integer) from public, anon;
grant execute on function public.search_messages(text, integer) to authenticated;
-- search_messages runs as the caller, who therefore needs the document function too.
grant execute on function private.message_document(text) to authenticated;

-- search_messages meets issue 18's benchmark (1,000,000 messages, p50 < 50 ms for two words;
-- ADR 099). EXPLAIN ANALYZE on PostgreSQL 15 showed where the time went: for two words that are
-- each common but rarely together, the planner walks the (tenant, created_at) index backwards and
-- tests every document until it has the newest 200 matches — 135,000 rows for "refund order",
-- 98 of its 127 ms. The GIN bitmap instead fetches every match at random from a table larger than
-- shared_buffers, slower still. The walk's length is proportional to how many newest matches are
-- ranked, so they are now as many as the desk shows at most (p_limit, 50 by default, up to 200):
-- the hits are the newest matches, best first among them. Two words that stem alike in Spanish and
-- English are tested once, not twice.
create or replace function public.search_messages(p_query text, p_limit integer default 50)
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
language plpgsql stable security definer set search_path = '' set plan_cache_mode = force_custom_plan as $$
#variable_conflict use_column
declare
  tenant uuid := (select private.require_agent()).tenant_id;
  q_es tsquery;
  q_en tsquery;
  q tsquery;
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
  q := case when q_es = q_en then q_es else q_es || q_en end;
  return query
  with candidates as (
    select s.message_id, s.created_at, s.document
    from private.message_search s
    where s.document @@ q and s.tenant_id = tenant
    order by s.created_at desc
    limit p_limit
  ), hits as (
    select c.message_id, ts_rank_cd(c.document, q) as rank
    from candidates c
  ), matched as (
    select h.rank, m.*, private.searchable_text(m) as text
    from hits h
    join public.messages m on m.id = h.message_id and m.tenant_id = tenant
  )
  select f.conversation_id, f.id, f.created_at, f.author, f.private, c.customer_name, c.customer_phone,
    case when to_tsvector('pg_catalog.spanish'::regconfig, f.text) @@ q_es
      then ts_headline('pg_catalog.spanish'::regconfig, f.text, q_es, options)
      else ts_headline('pg_catalog.english'::regconfig, f.text, q_en, options)
    end,
    f.rank
  from matched f
  join public.conversations c on c.id = f.conversation_id and c.tenant_id = tenant
  order by f.rank desc, f.created_at desc;
end
$$;

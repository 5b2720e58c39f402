-- Batched ingest for the connector: many messages in one request and one transaction.
-- A busy number delivers messages faster than one HTTP round trip and one commit each can
-- keep up with; the connector sends what piled up while its previous request was in flight.
-- Each element goes through ingest_message unchanged (same rules, same idempotency), in
-- array order. An element that ingest_message rejects (Relevo's PT4xx errors) gets its error
-- in its result slot and the others are kept; any other error fails the whole batch, so the
-- connector buffers every element and nothing is lost.

create function private.ingest_element(element jsonb) returns jsonb
language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(element) <> 'object' then
    perform private.fail(400, 'invalid_argument', 'Each message must be a JSON object');
  end if;
  return public.ingest_message(
    (element ->> 'channel_id')::uuid, element ->> 'wa_message_id', element ->> 'wa_chat_id',
    (element ->> 'from_me')::boolean, element ->> 'body', element ->> 'customer_name',
    element ->> 'customer_phone', coalesce(element ->> 'type', 'text'),
    nullif(element -> 'media', 'null'::jsonb), (element ->> 'sent_at')::timestamptz);
end
$$;

create function public.ingest_messages(p_messages jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  element jsonb;
  results jsonb := '[]'::jsonb;
  state text;
  message text;
  code text;
  hint text;
begin
  if p_messages is null or jsonb_typeof(p_messages) <> 'array' then
    perform private.fail(400, 'invalid_argument', 'p_messages must be a JSON array of messages');
  end if;
  if jsonb_array_length(p_messages) not between 1 and 50 then
    perform private.fail(400, 'invalid_argument', 'A batch holds 1 to 50 messages',
      'Split the batch; the connector sends at most 25 at a time');
  end if;
  -- Fast path: the whole batch in one subtransaction. A subtransaction per element costs as
  -- much as the ingest itself, so it is paid only when an element fails (the slow path below).
  begin
    for element in select value from jsonb_array_elements(p_messages) loop
      results := results || jsonb_build_array(private.ingest_element(element));
    end loop;
    return results;
  exception when others then
    results := '[]'::jsonb;
  end;
  -- Slow path: element by element, so that a rejected one keeps the others. The 50-element
  -- limit keeps the subtransactions under Postgres's 64 cached per backend.
  for element in select value from jsonb_array_elements(p_messages) loop
    begin
      results := results || jsonb_build_array(private.ingest_element(element));
    exception
      when invalid_text_representation or invalid_datetime_format or datetime_field_overflow then
        results := results || jsonb_build_array(jsonb_build_object('error', jsonb_build_object(
          'status', 400, 'code', 'invalid_argument', 'message', sqlerrm,
          'hint', 'channel_id must be a uuid, from_me a boolean, sent_at an ISO timestamp')));
      when others then
        get stacked diagnostics state = returned_sqlstate, message = message_text,
          code = pg_exception_detail, hint = pg_exception_hint;
        if left(state, 2) <> 'PT' then
          raise;
        end if;
        results := results || jsonb_build_array(jsonb_build_object('error', jsonb_build_object(
          'status', substr(state, 3)::integer, 'code', code, 'message', message, 'hint', nullif(hint, ''))));
    end;
  end loop;
  return results;
end
$$;

revoke execute on function public.ingest_messages(jsonb) from public, anon, authenticated;
revoke execute on function private.ingest_element(jsonb) from public, anon, authenticated;
grant execute on function public.ingest_messages(jsonb) to service_role;

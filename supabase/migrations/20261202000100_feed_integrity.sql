-- The tenant feed cannot be forged (ADR 070). Until now the insert policy on realtime.messages let
-- every agent write any extension on its tenant topic, and Realtime checks broadcast sends with the
-- same policy: an agent could send INSERT/UPDATE events that every open desk applied as database
-- changes. Only presence is a client's to send; broadcasts on tenant:/channel: topics come from the
-- database alone (realtime.broadcast_changes / realtime.send run as the owner, outside RLS).
drop policy "agents share presence in their tenant" on realtime.messages;
create policy "agents share presence in their tenant" on realtime.messages
  for insert to authenticated
  with check (
    extension = 'presence'
    and topic = (select realtime.topic())
    and topic = 'tenant:' || (select private.current_tenant_id())::text
  );

-- Invitations: an admin invites by email; the person signs up (or signs in) with that
-- email and redeems the code to become an agent of the tenant. Codes are stored hashed.

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  email text not null check (email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role public.agent_role not null default 'agent',
  token_hash text not null unique,
  invited_by uuid references public.agents (user_id) on delete set null,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.invitations is 'Pending and past invitations of a tenant; the code itself is only ever shown once, to the admin.';
create index invitations_tenant_idx on public.invitations (tenant_id, created_at desc);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

-- Returns the one-time code; the link is <dashboard>/register?code=<code>.
create function public.create_invitation(p_email text, p_role public.agent_role default 'agent') returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
  code text := encode(extensions.gen_random_bytes(18), 'hex');
  invitation public.invitations;
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can invite agents');
  end if;
  if p_email is null or p_email !~* '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    perform private.fail(400, 'invalid_email', 'That is not an email address');
  end if;
  if exists (select 1 from public.agents where tenant_id = me.tenant_id and lower(email) = lower(p_email)) then
    perform private.fail(409, 'already_agent', 'That person is already an agent of your tenant');
  end if;
  insert into public.invitations (tenant_id, email, role, token_hash, invited_by)
  values (me.tenant_id, lower(btrim(p_email)), coalesce(p_role, 'agent'),
    encode(extensions.digest(code, 'sha256'), 'hex'), me.user_id)
  returning * into invitation;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'invited', jsonb_build_object('email', invitation.email,
    'role', invitation.role, 'invitation_id', invitation.id));
  return jsonb_build_object('id', invitation.id, 'code', code, 'expires_at', invitation.expires_at);
end
$$;

-- Called by the signed-in invitee: the session's email must be the invited one.
create function public.accept_invitation(p_code text, p_display_name text) returns public.agents
language plpgsql security definer set search_path = '' as $$
declare
  invitation public.invitations;
  me_email text := lower(coalesce((select auth.email()), ''));
  agent public.agents;
begin
  if (select auth.uid()) is null then
    perform private.fail(401, 'not_signed_in', 'Sign up or sign in first, then redeem the invitation');
  end if;
  if coalesce(btrim(p_display_name), '') = '' or length(p_display_name) > 100 then
    perform private.fail(400, 'invalid_name', 'A display name needs 1 to 100 characters');
  end if;
  select * into invitation from public.invitations
  where token_hash = encode(extensions.digest(coalesce(p_code, ''), 'sha256'), 'hex') for update;
  if not found or invitation.revoked_at is not null or invitation.accepted_at is not null
     or invitation.expires_at < now() then
    perform private.fail(404, 'invitation_invalid', 'This invitation is unknown, used, revoked or expired',
      'Ask your admin for a new invitation');
  end if;
  if invitation.email <> me_email then
    perform private.fail(403, 'invitation_email_mismatch', 'This invitation was sent to another email address',
      'Sign up with the email address the invitation was sent to');
  end if;
  if exists (select 1 from public.agents where user_id = (select auth.uid())) then
    perform private.fail(409, 'already_agent', 'This account already belongs to a tenant');
  end if;
  insert into public.agents (user_id, tenant_id, display_name, email, role)
  values ((select auth.uid()), invitation.tenant_id, btrim(p_display_name), me_email, invitation.role)
  returning * into agent;
  update public.invitations set accepted_at = now(), accepted_by = agent.user_id where id = invitation.id;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (agent.tenant_id, agent.user_id, 'agent', 'invitation_accepted', jsonb_build_object('invitation_id', invitation.id));
  return agent;
end
$$;

create function public.revoke_invitation(p_invitation_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  me public.agents := private.require_agent();
begin
  if me.role <> 'admin' then
    perform private.fail(403, 'admin_only', 'Only admins can revoke invitations');
  end if;
  perform private.require_id(p_invitation_id, 'invitation id');
  update public.invitations set revoked_at = now()
  where id = p_invitation_id and tenant_id = me.tenant_id and accepted_at is null and revoked_at is null;
  if not found then
    perform private.fail(404, 'invitation_not_found', 'No pending invitation with that id in your tenant');
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_kind, action, details)
  values (me.tenant_id, me.user_id, 'agent', 'invitation_revoked', jsonb_build_object('invitation_id', p_invitation_id));
end
$$;

alter table public.invitations enable row level security;
create policy "admins read their invitations" on public.invitations
  for select to authenticated using (tenant_id = (select private.current_admin_tenant_id()));

revoke all on public.invitations from anon, authenticated;
grant select (id, tenant_id, email, role, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at)
  on public.invitations to authenticated;
grant all on public.invitations to service_role;
revoke execute on function public.create_invitation(text, public.agent_role), public.accept_invitation(text, text),
  public.revoke_invitation(uuid) from public, anon;
grant execute on function public.create_invitation(text, public.agent_role), public.accept_invitation(text, text),
  public.revoke_invitation(uuid) to authenticated, service_role;

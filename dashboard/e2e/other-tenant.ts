import type { Database } from '@relevo/supabase/db'

export const OTHER = { email: 'bob@other.relevo.test', password: 'other-pass', name: 'Bob' }
const OTHER_TENANT = '00000000-0000-4000-8000-000000000002'
const OTHER_USER = '00000000-0000-4000-8000-000000002001'

/** A second business with its own agent, to prove the desk shows nothing across tenants (RLS). */
export async function createOtherTenant(db: Database): Promise<void> {
  await db.exec(`
    insert into public.tenants (id, name) values ('${OTHER_TENANT}', 'Other Shop');
    insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data)
    values ('${OTHER_USER}', 'authenticated', 'authenticated', '${OTHER.email}',
      extensions.crypt('${OTHER.password}', extensions.gen_salt('bf', 4)), now(),
      '{"provider": "email", "providers": ["email"]}');
    insert into auth.identities (provider_id, user_id, identity_data, provider)
    values ('${OTHER_USER}', '${OTHER_USER}', '{"sub": "${OTHER_USER}", "email": "${OTHER.email}"}', 'email');
    insert into public.agents (user_id, tenant_id, display_name, email, role)
    values ('${OTHER_USER}', '${OTHER_TENANT}', '${OTHER.name}', '${OTHER.email}', 'admin');
  `)
}

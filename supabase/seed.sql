-- Local demo data only (never pushed to production): the "Demo Store" tenant, its WhatsApp
-- channel on the simulator, an admin and an agent. Passwords are bcrypt-hashed as GoTrue does.

insert into public.tenants (id, name, system_prompt, language)
values ('00000000-0000-4000-8000-000000000001', 'Demo Store',
  'Eres el asistente de ventas de Demo Store. Responde breve y amable, en el idioma del cliente.', 'es');

insert into public.channels (id, tenant_id, kind, name)
values ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-000000000001', 'whatsapp_web',
  'Demo WhatsApp');

-- The demo Cloud API number, served by the Graph API double on 127.0.0.1:3200 (./relevo dev).
insert into public.channels (id, tenant_id, kind, name, status, phone)
values ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-000000000001', 'cloud_api',
  'Demo Cloud API', 'ready', '15550000001');
insert into public.cloud_api_channels (channel_id, tenant_id, phone_number_id, waba_id)
values ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-000000000001', '100000000000001',
  '200000000000001');
-- Its secrets, in Vault like every tenant secret (ADR 075).
select private.put_secret(private.cloud_api_secret_name('00000000-0000-4000-8000-000000000102', kind), value)
from (values ('access_token', 'relevo-demo-access-token'), ('app_secret', 'relevo-demo-app-secret'),
  ('verify_token', 'relevo-demo-verify')) as s(kind, value);

-- The token columns are '' rather than NULL: GoTrue cannot sign in a user whose tokens are NULL
-- ("converting NULL to string is unsupported", supabase/auth#1940) when this seed runs on `supabase db reset`.
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
  raw_user_meta_data, confirmation_token, recovery_token, email_change_token_new, email_change)
values
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000001001', 'authenticated', 'authenticated',
   'admin@demo.relevo.test', extensions.crypt('relevo-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider": "email", "providers": ["email"]}', '{"display_name": "Admin Demo"}', '', '', '', ''),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000001002', 'authenticated', 'authenticated',
   'ana@demo.relevo.test', extensions.crypt('relevo-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider": "email", "providers": ["email"]}', '{"display_name": "Ana"}', '', '', '', '');

insert into auth.identities (provider_id, user_id, identity_data, provider)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email), 'email'
from auth.users where email like '%@demo.relevo.test';

insert into public.agents (user_id, tenant_id, display_name, email, role)
values
  ('00000000-0000-4000-8000-000000001001', '00000000-0000-4000-8000-000000000001', 'Admin Demo',
   'admin@demo.relevo.test', 'admin'),
  ('00000000-0000-4000-8000-000000001002', '00000000-0000-4000-8000-000000000001', 'Ana',
   'ana@demo.relevo.test', 'agent');

insert into public.canned_replies (tenant_id, shortcut, body)
values
  ('00000000-0000-4000-8000-000000000001', 'hola', '¡Hola! Soy del equipo de Demo Store, ¿en qué te ayudo?'),
  ('00000000-0000-4000-8000-000000000001', 'envio', 'Los envíos tardan de 2 a 5 días hábiles.');

-- The local functions server (wrangler dev) receives the incoming-message webhook and the wake-up
-- of the events-out deliverer (ADR 090), signed with this secret (kept in Vault).
select private.configure_webhook(name, 'http://127.0.0.1:8787/webhooks/db', 'local-webhook-secret')
from (values ('incoming_message'), ('event_delivery')) as hooks(name);

-- The demo channel's connector credential (ADR 074), a public local-only value like the demo
-- password: CONNECTOR_KEY=00000000-0000-4000-8000-000000000201.6c6f63616c2d64656d6f2d636f6e6e6563746f722d6b6579
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
  raw_user_meta_data, confirmation_token, recovery_token, email_change_token_new, email_change)
values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000001101', 'authenticated',
  'authenticated', '00000000-0000-4000-8000-000000000201@connector.relevo.invalid',
  extensions.crypt('6c6f63616c2d64656d6f2d636f6e6e6563746f722d6b6579', extensions.gen_salt('bf', 10)), now(),
  '{"provider": "email", "providers": ["email"]}',
  '{"connector_channel_id": "00000000-0000-4000-8000-000000000101"}', '', '', '', '');
insert into public.connector_credentials (id, tenant_id, channel_id, user_id, label)
values ('00000000-0000-4000-8000-000000000201', '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-000000001101', 'Demo connector (local)');

-- A channel can be in error: the WhatsApp Cloud API refused the channel's access token (Graph API
-- error 190). Its own migration, because a new enum value cannot be used in the transaction that
-- adds it (ADR 120).
alter type public.channel_status add value 'error';

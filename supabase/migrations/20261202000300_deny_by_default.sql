-- Deny by default (ADR 072). Supabase's default privileges grant ALL on every future table,
-- function and sequence in public to anon and authenticated, and Postgres grants EXECUTE on every
-- new function to PUBLIC. Both are withdrawn for objects that the migration role creates from now on:
-- a new table or function is closed to the API roles until its migration grants exactly what it
-- allows. tests/catalog-decisions.test.ts fails for any grant that is not on its lists.
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges revoke execute on functions from public;

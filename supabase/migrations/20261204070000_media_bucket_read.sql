-- The desk checks a file against the media bucket's type allow-list and size cap before it
-- uploads anything (issue 15, item 4), so agents may read that one bucket's row. Buckets carry no
-- secret (name, public flag, size limit, MIME types); every other bucket stays hidden, and writes
-- to storage.buckets stay with the service role. On Supabase the Storage server runs
-- `getBucket('media')` as the caller, so this policy is what lets supabase-js read it there too.
create policy media_bucket_read on storage.buckets for select to authenticated using (id = 'media');

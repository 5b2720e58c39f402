-- Outbound URLs chosen by a tenant (ADR 073): ai_http_url may not name a loopback, private,
-- link-local, shared or metadata address, checked on the literal when it is saved. The Worker checks
-- the resolved address and every redirect again at call time. A private deployment that runs its
-- coordinator on its own network sets `alter database <db> set relevo.allow_private_urls = 'on'`
-- (the database side of the Worker's RELEVO_ALLOW_PRIVATE_URLS=1).

-- Why a URL may not be called, or null when its host is a public name or address.
create function private.outbound_url_problem(p_url text) returns text
language plpgsql immutable set search_path = '' as $$
declare
  authority text := substring(p_url from '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)');
  host text;
  address inet;
begin
  if p_url !~* '^https?://' or authority is null or authority = '' then
    return 'it is not an http(s) URL';
  end if;
  if position('@' in authority) > 0 then
    return 'it carries a user name or password';
  end if;
  host := lower(coalesce(substring(authority from '^\[([^\]]+)\]'), substring(authority from '^([^:]+)')));
  host := rtrim(host, '.');
  if host is null or host = '' then
    return 'it has no host';
  end if;
  if host ~ '^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$'
     and host !~ '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$' then
    return host || ' is an IP address in a non-standard form';
  end if;
  begin
    address := host::inet;
  exception when others then
    address := null;
  end;
  if address is null then
    if host = 'localhost' or host ~ '\.(localhost|local|internal|home\.arpa)$' or position('.' in host) = 0 then
      return host || ' is a local or internal name';
    end if;
    return null;
  end if;
  if family(address) = 6 and address <<= '::ffff:0:0/96'::inet then
    return host || ' is an IPv4-mapped address; write the IPv4 address itself';
  end if;
  if address <<= any (array['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
      '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3',
      '::/127', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96']::inet[]) then
    return host || ' is a loopback, private, link-local or metadata address';
  end if;
  return null;
end
$$;

create function private.check_tenant_urls() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  problem text := private.outbound_url_problem(new.ai_http_url);
begin
  if new.ai_http_url is not null and problem is not null
     and coalesce(current_setting('relevo.allow_private_urls', true), '') <> 'on' then
    perform private.fail(400, 'private_url', 'ai_http_url cannot be called: ' || problem,
      'Use the coordinator''s public URL, or allow private URLs on a private deployment (RELEVO_ALLOW_PRIVATE_URLS=1 and relevo.allow_private_urls)');
  end if;
  return new;
end
$$;
create trigger tenants_check_urls before insert or update of ai_http_url on public.tenants
  for each row execute function private.check_tenant_urls();
revoke execute on function private.outbound_url_problem(text), private.check_tenant_urls() from public, anon, authenticated;

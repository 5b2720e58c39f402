/**
 * @module
 * Calls to URLs a tenant chose (ADR 073): the host must be a public name or address. Checked on
 * the literal, on every address the name resolves to (DNS over HTTPS, as Workers have no resolver
 * API), and again on every redirect, which is followed by hand. RELEVO_ALLOW_PRIVATE_URLS=1 turns
 * all of it off for a private deployment whose coordinator runs on its own network.
 */
import { z } from 'zod'

const DOH_URL = 'https://cloudflare-dns.com/dns-query'
const MAX_REDIRECTS = 3

export class OutboundUrlError extends Error {
  readonly code = 'outbound_url_refused'
}

const V4_BLOCKS: [number, number][] = [
  [0x00000000, 8], // "this" network
  [0x0a000000, 8], // private
  [0x64400000, 10], // shared (carrier-grade NAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xe0000000, 3], // multicast, reserved, broadcast
]

function ipv4Problem(host: string): boolean | null {
  const parts = host.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null
  const value = parts.reduce((acc, p) => acc * 256 + Number(p), 0)
  return V4_BLOCKS.some(
    ([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  )
}

/** The 8 groups of an IPv6 address (brackets stripped), or null when it is not one. */
function ipv6Groups(host: string): number[] | null {
  if (!host.includes(':')) return null
  let text = host
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1]
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number)
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null
  return groups.map((g) => Number.parseInt(g, 16))
}

function ipv6Problem(groups: number[]): boolean {
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = groups
  const zeroPrefix = (n: number) => groups.slice(0, n).every((g) => g === 0)
  if (zeroPrefix(7) && g7 <= 1) return true // :: and ::1
  if (zeroPrefix(5) && g5 === 0xffff) {
    return ipv4Problem(`${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`) ?? true
  }
  if ((g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80 || (g0 & 0xff00) === 0xff00) return true
  return g0 === 0x64 && groups[1] === 0xff9b // NAT64 reaches IPv4 behind it
}

/** Why `hostname` (as URL parses it) may not be called, or null for a public name or address. */
export function hostProblem(hostname: string): string | null {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  const v4 = ipv4Problem(host)
  if (v4 !== null) return v4 ? `${host} is a loopback, private, link-local or metadata address` : null
  const v6 = ipv6Groups(host)
  if (v6) return ipv6Problem(v6) ? `${host} is a loopback, private, link-local or metadata address` : null
  if (host === 'localhost' || /\.(localhost|local|internal|home\.arpa)$/.test(host) || !host.includes('.'))
    return `${host} is a local or internal name`
  return null
}

const dohAnswer = z.object({
  Status: z.number(),
  Answer: z.array(z.object({ type: z.number(), data: z.string() })).optional(),
})

/** Every A and AAAA address of `host`, from DNS over HTTPS (JSON API). */
async function resolve(host: string, doFetch: typeof fetch, signal: AbortSignal | null): Promise<string[]> {
  const answers = await Promise.all(
    ['A', 'AAAA'].map(async (type) => {
      const url = `${DOH_URL}?name=${encodeURIComponent(host)}&type=${type}`
      const response = await doFetch(url, { headers: { accept: 'application/dns-json' }, signal })
      if (!response.ok) throw new OutboundUrlError(`DNS lookup of ${host} failed with ${response.status}`)
      const data = dohAnswer.parse(await response.json())
      return (data.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data)
    }),
  )
  return answers.flat()
}

async function checkUrl(url: URL, doFetch: typeof fetch, signal: AbortSignal | null): Promise<void> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundUrlError(`${url.protocol} is not http(s)`)
  if (url.username || url.password) throw new OutboundUrlError('the URL carries a user name or password')
  const literal = hostProblem(url.hostname)
  if (literal) throw new OutboundUrlError(literal)
  if (ipv4Problem(url.hostname) !== null || ipv6Groups(url.hostname.replace(/^\[|\]$/g, ''))) return
  const addresses = await resolve(url.hostname, doFetch, signal)
  if (addresses.length === 0) throw new OutboundUrlError(`${url.hostname} does not resolve`)
  for (const address of addresses) {
    const problem = hostProblem(address)
    if (problem) throw new OutboundUrlError(`${url.hostname} resolves to ${problem}`)
  }
}

/**
 * fetch() for a tenant-chosen URL: checks the URL and follows up to 3 redirects by hand (307/308
 * only, which keep the method and body), checking each target. Other redirects are refused.
 */
export async function fetchPublic(
  target: string,
  init: RequestInit,
  options: { fetch: typeof fetch; allowPrivate: boolean },
): Promise<Response> {
  if (options.allowPrivate) return options.fetch(target, init)
  let url = new URL(target)
  for (let hop = 0; ; hop++) {
    // The caller's timeout covers the lookups too.
    await checkUrl(url, options.fetch, init.signal ?? null)
    const response = await options.fetch(url.toString(), { ...init, redirect: 'manual' })
    if (response.status < 300 || response.status >= 400) return response
    const location = response.headers.get('location')
    await response.body?.cancel()
    if (!location || (response.status !== 307 && response.status !== 308) || hop >= MAX_REDIRECTS)
      throw new OutboundUrlError(`redirect ${response.status} is not followed`)
    url = new URL(location, url)
  }
}

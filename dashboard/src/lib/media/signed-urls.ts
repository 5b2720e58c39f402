/**
 * Signed URLs for the private media bucket, as the thread shows messages: the paths asked for in
 * the same tick are signed in one `createSignedUrls` call, each URL is kept until shortly before it
 * expires, and asking again after that signs it anew. A path that cannot be signed (hidden by RLS,
 * removed) is remembered as null for a short while, so a thread does not ask for it in a loop.
 */

/** Signs many paths at once; a path missing from the answer could not be signed. */
export type SignPaths = (paths: string[], expiresIn: number) => Promise<Map<string, string>>

export interface SignedUrl {
  url: string
  /** Epoch milliseconds after which the URL is renewed (before Storage would refuse it). */
  renewAt: number
}

export interface SignedUrlCacheOptions {
  /** Lifetime asked of Storage, in seconds. */
  expiresIn?: number
  /** Renew this many seconds before the URL expires. */
  renewBefore?: number
  /** How long a path that could not be signed is not asked for again, in seconds. */
  retryAfter?: number
  now?: () => number
}

export class SignedUrlCache {
  private readonly entries = new Map<string, SignedUrl | { url: null; renewAt: number }>()
  private batch: { paths: Set<string>; done: Promise<void> } | null = null
  private readonly expiresIn: number
  private readonly renewBefore: number
  private readonly retryAfter: number
  private readonly now: () => number

  constructor(
    private readonly sign: SignPaths,
    { expiresIn = 3600, renewBefore = 300, retryAfter = 30, now = Date.now }: SignedUrlCacheOptions = {},
  ) {
    this.expiresIn = expiresIn
    this.renewBefore = Math.min(renewBefore, expiresIn / 2)
    this.retryAfter = retryAfter
    this.now = now
  }

  /** A fresh URL for the path (cached, or signed with the others asked for in this tick), or null. */
  async get(path: string): Promise<SignedUrl | null> {
    const cached = this.entries.get(path)
    if (cached && cached.renewAt > this.now()) return cached.url === null ? null : cached
    await this.enqueue(path)
    const entry = this.entries.get(path)
    return entry && entry.url !== null ? entry : null
  }

  private enqueue(path: string): Promise<void> {
    if (this.batch) {
      this.batch.paths.add(path)
      return this.batch.done
    }
    const paths = new Set([path])
    // Collect every path asked for in this tick, then sign them together.
    const done = Promise.resolve().then(() => {
      this.batch = null
      return this.signAll([...paths])
    })
    this.batch = { paths, done }
    return done
  }

  private async signAll(paths: string[]): Promise<void> {
    const askedAt = this.now()
    let signed: Map<string, string>
    try {
      signed = await this.sign(paths, this.expiresIn)
    } catch {
      signed = new Map()
    }
    for (const path of paths) {
      const url = signed.get(path)
      this.entries.set(
        path,
        url
          ? { url, renewAt: askedAt + (this.expiresIn - this.renewBefore) * 1000 }
          : { url: null, renewAt: askedAt + this.retryAfter * 1000 },
      )
    }
  }
}

/** The signed URL that makes Storage answer as an attachment named `filename` (storage-js's `download` option). */
export function downloadUrl(url: string, filename: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}download=${encodeURIComponent(filename)}`
}

import { describe, expect, it } from 'vitest'
import { downloadUrl, SignedUrlCache, type SignPaths } from './signed-urls.ts'

function signer(refuse: string[] = []) {
  const calls: string[][] = []
  let n = 0
  const sign: SignPaths = async (paths, expiresIn) => {
    calls.push([...paths])
    n += 1
    return new Map(
      paths.filter((p) => !refuse.includes(p)).map((p) => [p, `https://s/${p}?e=${expiresIn}&n=${n}`]),
    )
  }
  return { sign, calls }
}

describe('SignedUrlCache', () => {
  it('signs the paths asked for in the same tick in one call', async () => {
    const { sign, calls } = signer()
    const cache = new SignedUrlCache(sign, { now: () => 0 })
    const [a, b] = await Promise.all([cache.get('t/a.png'), cache.get('t/b.pdf')])
    expect(calls).toEqual([['t/a.png', 't/b.pdf']])
    expect(a?.url).toBe('https://s/t/a.png?e=3600&n=1')
    expect(b?.url).toBe('https://s/t/b.pdf?e=3600&n=1')
  })

  it('serves a cached URL until shortly before it expires, then signs it anew', async () => {
    let now = 1_000_000
    const { sign, calls } = signer()
    const cache = new SignedUrlCache(sign, { expiresIn: 600, renewBefore: 60, now: () => now })
    const first = await cache.get('t/a.png')
    expect(first?.renewAt).toBe(1_000_000 + 540_000)
    now += 539_000
    expect((await cache.get('t/a.png'))?.url).toBe(first?.url)
    expect(calls).toHaveLength(1)
    now += 1_000
    const renewed = await cache.get('t/a.png')
    expect(calls).toHaveLength(2)
    expect(renewed?.url).not.toBe(first?.url)
    expect(renewed?.renewAt).toBe(now + 540_000)
  })

  it('answers null for a path Storage would not sign, and asks again only after a while', async () => {
    let now = 0
    const { sign, calls } = signer(['t/gone.png'])
    const cache = new SignedUrlCache(sign, { retryAfter: 30, now: () => now })
    expect(await cache.get('t/gone.png')).toBeNull()
    expect(await cache.get('t/gone.png')).toBeNull()
    expect(calls).toHaveLength(1)
    now += 30_000
    await cache.get('t/gone.png')
    expect(calls).toHaveLength(2)
  })

  it('treats a failed signing call as unsigned, not as an error of the thread', async () => {
    const cache = new SignedUrlCache(async () => {
      throw new Error('offline')
    })
    await expect(cache.get('t/a.png')).resolves.toBeNull()
  })

  it('keeps the renewal margin inside the lifetime', async () => {
    const { sign } = signer()
    const cache = new SignedUrlCache(sign, { expiresIn: 60, renewBefore: 300, now: () => 0 })
    expect((await cache.get('t/a.png'))?.renewAt).toBe(30_000)
  })
})

describe('downloadUrl', () => {
  it('asks Storage for an attachment with the file name, escaped', () => {
    expect(downloadUrl('https://s/o/sign/media/a.pdf?token=x', 'Factura mayo.pdf')).toBe(
      'https://s/o/sign/media/a.pdf?token=x&download=Factura%20mayo.pdf',
    )
  })
})

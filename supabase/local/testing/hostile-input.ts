/**
 * @module
 * Seeded hostile input for fuzzing the stand-in: JSON of wrong types, huge strings, broken JSON,
 * prototype keys, NUL bytes and lone surrogates. Seeded, so a failing case can be replayed. The
 * connector's port fuzz uses it too (as `@relevo/supabase/hostile-input`), with its own words.
 */

/** mulberry32. */
export function seeded(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What a target's own fields look like, mixed in among the hostile values. */
export interface TargetWords {
  /** Plausible strings for the target's text fields (added to the hostile ones). */
  texts?: readonly string[]
  /** Plausible identifiers and enum values (instead of UUIDs, a bad UUID and a bad date). */
  tokens?: readonly string[]
}

export function hostileInput(seed: number, keys: readonly string[], words: TargetWords = {}) {
  const next = seeded(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const text = () =>
    pick([
      '',
      'x',
      'x'.repeat(70_000),
      '\u0000\ud800',
      "'; drop table x; --",
      '__proto__',
      '💥'.repeat(40),
      '1e999',
      ...(words.texts ?? []),
    ])
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 5 : 7))
    if (kind === 0) return text()
    if (kind === 1) return pick([0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 3.5])
    if (kind === 2) return pick([true, false, null])
    if (kind === 3)
      return pick(
        words.tokens ?? ['00000000-0000-4000-8000-000000000001', 'not-a-uuid', '2026-13-45T99:00:00Z'],
      )
    if (kind === 4) return pick([{}, []])
    if (kind === 5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1))
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 5) }, () => [
        pick([...keys, 'constructor', '__proto__']),
        value(depth + 1),
      ]),
    )
  }
  const body = (): string => {
    const shape = Math.floor(next() * 6)
    if (shape === 0)
      return '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'
    if (shape === 1) return pick(['{', '[{"a":', 'null', '"str"', '\u0000', '{"a":1}}', ''])
    return JSON.stringify(value(0))
  }
  const query = (): string =>
    pick([
      'select=*',
      'select=,,',
      'id=eq.',
      'order=.desc',
      'or=(',
      'limit=-1',
      'id=in.(1',
      '__proto__.x=eq.1',
    ]) +
    (next() < 0.5
      ? `&${encodeURIComponent(pick(keys))}=eq.${encodeURIComponent(text().slice(0, 200).toWellFormed())}`
      : '')
  const contentType = () =>
    pick([
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
    ])
  return { body, query, contentType, value, pick, next }
}

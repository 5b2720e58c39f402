import { notSupported, PostgrestError } from './errors.ts'

/**
 * `Prefer` as PostgREST 14 reads it (ApiRequest/Preferences.hs): tokens are comma-separated,
 * the first recognised value of each preference wins, unknown tokens are ignored unless
 * `handling=strict` asks for 400 PGRST122. What the stand-in cannot apply is refused (400),
 * never silently ignored.
 */
export type CountKind = 'exact' | 'planned' | 'estimated'

export interface Preferences {
  resolution?: 'merge-duplicates' | 'ignore-duplicates'
  return?: 'representation' | 'minimal' | 'headers-only'
  count?: CountKind
  tx?: 'commit' | 'rollback'
  missing?: 'default' | 'null'
  handling?: 'strict' | 'lenient'
  maxAffected?: number
}

/** How the stand-in ends transactions, PostgREST's `db-tx-end` (Supabase keeps the default, `commit`). */
export type TxEnd = 'commit' | 'commit-allow-override'

const CHOICES = {
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  return: ['representation', 'minimal', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  tx: ['commit', 'rollback'],
  missing: ['default', 'null'],
  handling: ['strict', 'lenient'],
} as const

const ACCEPTED = new Set(
  Object.entries(CHOICES).flatMap(([name, values]) => values.map((value) => `${name}=${value}`)),
)

export function parsePrefer(header: string | undefined, txEnd: TxEnd = 'commit'): Preferences {
  const tokens = (header ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
  const prefs: Record<string, unknown> = {}
  for (const name of Object.keys(CHOICES) as (keyof typeof CHOICES)[]) {
    const values: readonly string[] = CHOICES[name]
    const value = tokens.find((token) => values.includes(prefValue(token, name) ?? ''))
    if (value) prefs[name] = prefValue(value, name)
  }
  const max = tokens.map((token) => prefValue(token, 'max-affected')).find((value) => value !== undefined)
  if (max !== undefined && /^-?\d{1,18}$/.test(max)) prefs.maxAffected = Number(max)
  const parsed = prefs as Preferences
  const invalid = tokens.filter((token) => !ACCEPTED.has(token) && !token.startsWith('max-affected='))
  if (parsed.handling === 'strict' && invalid.length > 0) {
    throw new PostgrestError(400, {
      code: 'PGRST122',
      details: `Invalid preferences: ${invalid.join(', ')}`,
      hint: null,
      message: 'Invalid preferences given with handling=strict',
    })
  }
  refuseUnsupported(tokens, parsed, txEnd)
  // Without db-tx-end overrides PostgREST does not read tx= at all.
  if (txEnd === 'commit') delete parsed.tx
  return parsed
}

function prefValue(token: string, name: string): string | undefined {
  return token.startsWith(`${name}=`) ? token.slice(name.length + 1) : undefined
}

// Each of these changes PostgREST's answer; the stand-in cannot give the same one, so it says so.
function refuseUnsupported(tokens: string[], prefs: Preferences, txEnd: TxEnd): void {
  if (prefs.tx === 'rollback' && txEnd === 'commit') {
    throw notSupported(
      'Prefer: tx=rollback',
      'PostgREST only honours it when db-tx-end allows overrides, and Supabase commits: the local stand-in refuses it instead of committing. Start the stand-in with txEnd "commit-allow-override" (STAND_IN_DB_TX_END) to have it rolled back.',
    )
  }
  if (prefs.return === 'headers-only') {
    throw notSupported('Prefer: return=headers-only', 'Use return=representation or return=minimal.')
  }
  const timezone = tokens.find((token) => token.startsWith('timezone='))
  if (timezone) throw notSupported(`Prefer: ${timezone}`, 'Convert timestamps in the client or in SQL.')
}

/** Which preferences took effect, for PostgREST's `Preference-Applied` header (Response.hs). */
export type Action = 'read' | 'insert' | 'update' | 'delete' | 'rpc'

export function preferenceApplied(
  prefs: Preferences,
  action: Action,
  resolutionApplies = false,
): Record<string, string> {
  const mutation = action === 'insert' || action === 'update' || action === 'delete'
  const values = [
    action === 'insert' && resolutionApplies && prefs.resolution && `resolution=${prefs.resolution}`,
    (action === 'insert' || action === 'update') && prefs.missing && `missing=${prefs.missing}`,
    mutation && prefs.return && `return=${prefs.return}`,
    prefs.count && `count=${prefs.count}`,
    prefs.tx && `tx=${prefs.tx}`,
    prefs.handling && `handling=${prefs.handling}`,
    action !== 'read' &&
      action !== 'insert' &&
      prefs.handling === 'strict' &&
      prefs.maxAffected !== undefined &&
      `max-affected=${prefs.maxAffected}`,
  ].filter((value): value is string => typeof value === 'string')
  return values.length === 0 ? {} : { 'Preference-Applied': values.join(', ') }
}

/** `handling=strict, max-affected=N`: more affected rows is 400 PGRST124, thrown inside the transaction. */
export function checkMaxAffected(prefs: Preferences, affected: number): void {
  if (prefs.handling !== 'strict' || prefs.maxAffected === undefined || affected <= prefs.maxAffected) return
  throw new PostgrestError(400, {
    code: 'PGRST124',
    details: `The query affects ${affected} rows`,
    hint: null,
    message: 'Query result exceeds max-affected preference constraint',
  })
}

import { unquote } from '../grammar.ts'
import { badRequest, PostgrestError } from './errors.ts'
import { type ColumnRef, parseColumnRef, splitTopLevel } from './syntax.ts'

/** One entry of `?select=`: `*`, a column with an optional alias and cast, or an embedded resource. */
export type SelectItem =
  | { kind: 'star' }
  | { kind: 'column'; column: ColumnRef; alias?: string; cast?: string }
  | EmbedItem

/** `alias:name!hint!inner(select)`; `relation` and the embed's own filters are filled in by embed.ts. */
export interface EmbedItem {
  kind: 'embed'
  name: string
  alias?: string
  hint?: string
  inner: boolean
  select: SelectItem[]
}

export interface OrderTerm {
  column: ColumnRef
  descending: boolean
  nulls?: 'first' | 'last'
}

/**
 * Parses `select=id,title:name,data->>status::int,owner:profiles!owner_id(name)`. Embeds are
 * resolved against foreign keys later (embed.ts); aggregates like `count()` are refused.
 */
export function parseSelect(text: string | null): SelectItem[] {
  if (text === null || text.trim() === '') return [{ kind: 'star' }]
  return splitTopLevel(text, ',').map((raw) => {
    const item = raw.trim()
    if (item === '*') return { kind: 'star' }
    if (item.endsWith(')') && item.includes('(')) return parseEmbed(item)
    const [withAlias, cast] = splitCast(item)
    const colon = aliasColon(withAlias)
    const alias = colon < 0 ? undefined : unquote(withAlias.slice(0, colon).trim())
    const column = parseColumnRef(colon < 0 ? withAlias : withAlias.slice(colon + 1))
    if (alias === '') throw badRequest(`Empty alias in select item "${item}"`)
    return {
      kind: 'column',
      column,
      ...(alias === undefined ? {} : { alias }),
      ...(cast === undefined ? {} : { cast }),
    }
  })
}

function parseEmbed(item: string): EmbedItem {
  const open = item.indexOf('(')
  const head = item.slice(0, open).trim()
  const colon = aliasColon(head)
  const alias = colon < 0 ? undefined : unquote(head.slice(0, colon).trim())
  const [name = '', ...modifiers] = (colon < 0 ? head : head.slice(colon + 1)).trim().split('!')
  if (!/^[^.,:()"!]+$/.test(name) || alias === '') {
    throw new PostgrestError(400, {
      code: 'PGRST100',
      details: null,
      hint: null,
      message: `"${item}" is not a valid embedded resource (aggregates are not supported by the local stand-in)`,
    })
  }
  const inner = modifiers.includes('inner')
  const hints = modifiers.filter((modifier) => modifier !== 'inner' && modifier !== 'left')
  if (hints.length > 1) throw badRequest(`Only one hint is allowed in "${item}"`)
  return {
    kind: 'embed',
    name,
    inner,
    // `users()` selects nothing: PostgREST leaves such an embed out of the output (filtering only).
    select: item.slice(open + 1, -1).trim() === '' ? [] : parseSelect(item.slice(open + 1, -1)),
    ...(alias === undefined ? {} : { alias }),
    ...(hints[0] === undefined ? {} : { hint: hints[0] }),
  }
}

// `alias:column` — the first single colon outside quotes that is not part of `::`.
function aliasColon(item: string): number {
  let quoted = false
  for (let i = 0; i < item.length; i++) {
    if (item[i] === '"') quoted = !quoted
    if (!quoted && item[i] === ':' && item[i + 1] !== ':' && item[i - 1] !== ':') return i
  }
  return -1
}

function splitCast(item: string): [string, string | undefined] {
  const at = item.lastIndexOf('::')
  if (at < 0 || item.lastIndexOf('"') > at) return [item, undefined]
  const cast = item.slice(at + 2).trim()
  if (!/^[a-z_][a-z0-9_ ]*(\[\])?$/i.test(cast)) throw badRequest(`"${cast}" is not a valid type name`)
  return [item.slice(0, at), cast]
}

/** Parses `order=created_at.desc.nullslast,id` (comma-joined when `.order()` is chained). */
export function parseOrder(text: string | null): OrderTerm[] {
  if (text === null || text.trim() === '') return []
  return splitTopLevel(text, ',').map((raw) => {
    const parts = splitTopLevel(raw.trim(), '.')
    const modifiers = new Set<string>()
    while (parts.length > 1 && /^(asc|desc|nullsfirst|nullslast)$/.test(parts.at(-1) ?? '')) {
      modifiers.add(parts.pop() as string)
    }
    if (modifiers.has('asc') && modifiers.has('desc')) throw badRequest(`Conflicting order in "${raw}"`)
    if (modifiers.has('nullsfirst') && modifiers.has('nullslast'))
      throw badRequest(`Conflicting nulls in "${raw}"`)
    const nulls = modifiers.has('nullsfirst') ? 'first' : modifiers.has('nullslast') ? 'last' : undefined
    return {
      column: parseColumnRef(parts.join('.')),
      descending: modifiers.has('desc'),
      ...(nulls ? { nulls } : {}),
    }
  })
}

/** `limit` / `offset`: non-negative integers or absent. */
export function parseCount(name: string, text: string | null): number | undefined {
  if (text === null) return undefined
  if (!/^\d{1,15}$/.test(text)) throw badRequest(`"${name}" must be a non-negative integer, got "${text}"`)
  return Number(text)
}

import { badRequest } from './errors.ts'

/**
 * The pieces of PostgREST's query grammar that every parser here shares: splitting on a
 * delimiter outside quotes and brackets, and column references with JSON paths.
 */

export interface JsonStep {
  arrow: '->' | '->>'
  key: string
}

/** A column as the request names it: `name`, `"odd name"`, or `data->meta->>status`. */
export interface ColumnRef {
  name: string
  path: JsonStep[]
}

/** Splits on `delimiter` at depth 0, honouring "double quotes" (with \ escapes), (…) and {…}. */
export function splitTopLevel(text: string, delimiter: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (quoted) {
      current += char
      if (char === '\\' && i + 1 < text.length) current += text[++i]
      else if (char === '"') quoted = false
      continue
    }
    if (char === '"') quoted = true
    else if (char === '(' || char === '{') depth++
    else if (char === ')' || char === '}') depth--
    if (depth < 0) throw badRequest(`Unbalanced brackets in "${text}"`)
    if (char === delimiter && depth === 0) {
      parts.push(current)
      current = ''
      continue
    }
    current += char
  }
  if (quoted || depth !== 0) throw badRequest(`Unbalanced quotes or brackets in "${text}"`)
  parts.push(current)
  return parts
}

/** Removes surrounding double quotes and PostgREST's backslash escapes; other text is returned as is. */
export function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    return text.slice(1, -1).replace(/\\(.)/g, '$1')
  }
  return text
}

// Characters that delimit PostgREST's grammar; a bare name may not contain them.
const RESERVED = /[.,:()"]/

/** Parses `name`, `"quoted name"` and `name->key->>key` (keys may be quoted too). */
export function parseColumnRef(text: string): ColumnRef {
  const trimmed = text.trim()
  const pieces = trimmed.split(/(->>|->)/)
  const [head = '', ...rest] = pieces
  const name = parseName(head, trimmed)
  const path: JsonStep[] = []
  for (let i = 0; i < rest.length; i += 2) {
    const arrow = rest[i] as '->' | '->>'
    const key = rest[i + 1] ?? ''
    path.push({ arrow, key: parseName(key, trimmed) })
  }
  return { name, path }
}

function parseName(piece: string, whole: string): string {
  if (piece.startsWith('"') && piece.endsWith('"') && piece.length >= 2) return unquote(piece)
  if (piece === '' || RESERVED.test(piece) || piece.includes('\0')) {
    throw badRequest(`"${whole}" is not a valid column name`)
  }
  return piece
}

/** The name PostgREST gives a selected column: the last JSON key, or the column itself. */
export function defaultAlias(ref: ColumnRef): string {
  return ref.path.at(-1)?.key ?? ref.name
}

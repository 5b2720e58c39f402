import { splitTopLevel as splitGrammar, unquote } from '../grammar.ts'
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

/** `splitTopLevel` of the shared grammar, failing with PostgREST's 400. */
export function splitTopLevel(text: string, delimiter: string): string[] {
  return splitGrammar(text, delimiter, badRequest)
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

import { PostgrestError } from './errors.ts'

/**
 * Accept negotiation as PostgREST 14 does it (MediaType.hs): the first acceptable media type in
 * the client's order (by q) wins. JSON, the array and object forms and their `nulls=stripped`
 * variants are produced; CSV, GeoJSON, plans, text, XML and binary are PostgREST features the
 * stand-in does not have, so asking for one first is a 406 that says so, never a JSON answer.
 */
export interface Media {
  /** `.single()` / `.maybeSingle()`: one object instead of an array. */
  single: boolean
  /** `nulls=stripped`: keys whose value is null are left out (json_strip_nulls). */
  strip: boolean
}

const NOT_PRODUCED =
  /^(text\/csv|application\/geo\+json|application\/vnd\.pgrst\.plan(\+json|\+text)?|text\/plain|text\/xml|application\/octet-stream|application\/openapi\+json)$/

interface Range {
  mime: string
  type: string
  params: Map<string, string>
  q: number
}

export function negotiate(accept: string | undefined): Media {
  const ranges = parseAccept(accept?.trim() ? accept : '*/*')
  for (const range of ranges) {
    const strip = range.params.get('nulls') === 'stripped'
    if (range.type === '*/*' || range.type === 'application/json') return { single: false, strip: false }
    if (/^application\/vnd\.pgrst\.array(\+json)?$/.test(range.type)) return { single: false, strip }
    if (/^application\/vnd\.pgrst\.object(\+json)?$/.test(range.type)) return { single: true, strip }
    if (NOT_PRODUCED.test(range.type)) {
      throw new PostgrestError(406, {
        code: 'PGRST107',
        details: `${range.type} is a PostgREST output format that is not supported by the local stand-in`,
        hint: 'Ask for application/json and convert in the client',
        message: `None of these media types are available: ${ranges.map((r) => r.mime).join(', ')}`,
      })
    }
  }
  throw new PostgrestError(406, {
    code: 'PGRST107',
    details: null,
    hint: null,
    message: `None of these media types are available: ${ranges.map((r) => r.mime).join(', ')}`,
  })
}

function parseAccept(accept: string): Range[] {
  const ranges = accept.split(',').map((part, index) => {
    const [mime = '', ...rest] = part.split(';').map((piece) => piece.trim())
    const params = new Map<string, string>()
    for (const piece of rest) {
      const at = piece.indexOf('=')
      if (at > 0)
        params.set(
          piece.slice(0, at).trim().toLowerCase(),
          piece
            .slice(at + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        )
    }
    const q = Number(params.get('q') ?? '1')
    params.delete('q')
    return { mime, type: mime.toLowerCase(), params, q: Number.isNaN(q) ? 1 : q, index }
  })
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index)
}

/** The Content-Type PostgREST sends for a negotiated JSON answer. */
export function contentType(media: Media): string {
  const mime = media.single
    ? `application/vnd.pgrst.object+json${media.strip ? ';nulls=stripped' : ''}`
    : media.strip
      ? 'application/vnd.pgrst.array+json;nulls=stripped'
      : 'application/json'
  return `${mime}; charset=utf-8`
}

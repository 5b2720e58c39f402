/** The markers search_messages puts around matched words (private-use characters, never HTML). */
const START = '\uE000'
const END = '\uE001'

export interface SnippetPart {
  text: string
  match: boolean
}

/**
 * Splits a search snippet into plain and matched runs, so the desk renders it as text and wraps the
 * matches itself: nothing in a customer's message is ever interpreted as markup.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  for (const [i, chunk] of snippet.split(START).entries()) {
    const end = chunk.indexOf(END)
    if (i === 0 || end < 0) {
      if (chunk) parts.push({ text: chunk.replaceAll(END, ''), match: false })
      continue
    }
    if (end > 0) parts.push({ text: chunk.slice(0, end), match: true })
    const rest = chunk.slice(end + 1)
    if (rest) parts.push({ text: rest, match: false })
  }
  return parts
}

/**
 * The two pieces of PostgREST's value grammar that both the REST parsers and realtime's
 * postgres_changes filters use. Each caller turns a grammar mistake into its own error shape.
 */

/**
 * Splits on `delimiter` at depth 0, honouring "double quotes" (with \ escapes), (…) and {…};
 * unbalanced brackets or quotes are reported through `fail`.
 */
export function splitTopLevel(text: string, delimiter: string, fail: (message: string) => Error): string[] {
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
    if (depth < 0) throw fail(`Unbalanced brackets in "${text}"`)
    if (char === delimiter && depth === 0) {
      parts.push(current)
      current = ''
      continue
    }
    current += char
  }
  if (quoted || depth !== 0) throw fail(`Unbalanced quotes or brackets in "${text}"`)
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

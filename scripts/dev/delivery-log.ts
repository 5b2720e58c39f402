/**
 * Events out in `./relevo dev`'s console (issue 20). The functions log every webhook attempt with
 * pino, which wrangler dev prints as a multi-line object dump (`{`, `  msg: 'webhook delivered'`, …,
 * `}`). `deliveryLog()` holds such a block back until it closes and prints it as one sentence,
 *   webhook message_received → hooks.example.com 200 in 35 ms (attempt 1, delivered)
 * and prints every other line (and every other block) unchanged.
 */
const ATTEMPT_MESSAGES = new Set(['webhook delivered', 'webhook attempt failed'])
/** A block longer than this is not a log object worth holding back. */
const MAX_BLOCK_LINES = 40

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what it removes.
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '')

/** `  key: 'text',` / `  key: 42,` / `  key: null` lines of an object dump, as a record of strings. */
function fieldsOf(block: string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of block) {
    const match = /^\s*(\w+): (.*?),?$/.exec(stripAnsi(line))
    if (match?.[1] && match[2] !== undefined) fields[match[1]] = match[2].replace(/^'(.*)'$/, '$1')
  }
  return fields
}

function sentence(fields: Record<string, string>): string {
  const answer =
    fields.statusCode && fields.statusCode !== 'null' ? fields.statusCode : (fields.error ?? 'no answer')
  return `webhook ${fields.eventType} → ${fields.host} ${answer} in ${fields.ms} ms (attempt ${fields.attempt}, ${fields.outcome})`
}

/** A line filter for the functions part: each call returns the lines to print now. */
export function deliveryLog(): (line: string) => string[] {
  let block: string[] | null = null
  return (line) => {
    const bare = stripAnsi(line).trim()
    if (block === null) {
      if (bare !== '{') return [line]
      block = [line]
      return []
    }
    block.push(line)
    if (bare !== '}' && block.length < MAX_BLOCK_LINES) return []
    const done = block
    block = null
    const fields = fieldsOf(done)
    return fields.msg && ATTEMPT_MESSAGES.has(fields.msg) ? [sentence(fields)] : done
  }
}

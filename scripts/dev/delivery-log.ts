/**
 * Events out in `./relevo dev`'s console (issue 20): the functions log every webhook attempt as a
 * pino JSON line; this turns those lines into one readable sentence each, for example
 *   webhook message_received → hooks.example.com 200 in 35 ms (attempt 1, delivered)
 * Every other line is printed as it came.
 */
interface AttemptLine {
  msg: string
  eventType: string
  host?: string
  statusCode: number | null
  ms: number
  attempt: number
  outcome: string
  error?: string
}

const ATTEMPT_MESSAGES = new Set(['webhook delivered', 'webhook attempt failed'])

function parseAttempt(line: string): AttemptLine | null {
  const start = line.indexOf('{')
  if (start < 0) return null
  try {
    const parsed = JSON.parse(line.slice(start)) as Partial<AttemptLine>
    return typeof parsed.msg === 'string' && ATTEMPT_MESSAGES.has(parsed.msg) ? (parsed as AttemptLine) : null
  } catch {
    return null
  }
}

export function formatDeliveryLine(line: string): string {
  const attempt = parseAttempt(line)
  if (!attempt) return line
  const answer = attempt.statusCode === null ? (attempt.error ?? 'no answer') : String(attempt.statusCode)
  return `webhook ${attempt.eventType} → ${attempt.host ?? '?'} ${answer} in ${attempt.ms} ms (attempt ${attempt.attempt}, ${attempt.outcome})`
}

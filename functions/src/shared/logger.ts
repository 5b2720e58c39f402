/**
 * @module
 * pino, as structured JSON. In workerd pino's browser build is bundled (package.json `browser`),
 * which hands objects to the runtime's console: Workers Logs keep them as JSON.
 * Rule: ids and codes at info; never secrets or message bodies.
 */
import pino from 'pino'

export type Logger = pino.Logger

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'relevo-functions' }, browser: { asObject: true } })
}

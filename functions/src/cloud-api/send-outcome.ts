/**
 * @module
 * What a failed send means (Meta's error codes, support/error-codes in the Cloud API reference):
 * try again later, give up on this message with a reason the desk shows, or stop the whole number
 * because its access token no longer works.
 */
import { GraphApiError } from './ports.ts'

export type SendOutcome =
  | { kind: 'retry'; error: string }
  | { kind: 'failed'; error: string }
  | { kind: 'channel_error'; error: string }

export function sendOutcome(error: unknown): SendOutcome {
  if (!(error instanceof GraphApiError)) {
    return { kind: 'retry', error: `send failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  const what = `${error.code}: ${error.title}`
  switch (error.code) {
    case 130429: // throughput reached: the SQL backoff (2^attempts s) spaces the retries
    case 131000: // "Something went wrong": Meta asks to retry
      return { kind: 'retry', error: `throttled (${what})` }
    case 131047:
      return {
        kind: 'failed',
        error: `outside_service_window (${what}): the customer last wrote more than 24 hours ago; send an approved template`,
      }
    case 131026:
      return {
        kind: 'failed',
        error: `undeliverable (${what}): the number may not be on WhatsApp or blocked the business`,
      }
    case 190:
      return {
        kind: 'channel_error',
        error: `token_invalid (${what}): save a new access token on the Connection screen`,
      }
    default:
      // Network failures (code 0) and Meta's 5xx are worth another attempt; other refusals are final.
      return error.code === 0 || error.httpStatus >= 500
        ? { kind: 'retry', error: what }
        : { kind: 'failed', error: what }
  }
}

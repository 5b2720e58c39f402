/**
 * @module
 * How long one AI run may take, and why (decision 023). The run happens in a Durable Object alarm
 * handler, which Cloudflare lets run for 15 minutes of wall time; the tighter bound is the
 * 5-minute live claim (decision 021): a run still going after it would look abandoned. The
 * budgets below keep the worst run near 4.4 minutes, leaving room to record it and hand off.
 */

/** Cloudflare's wall-time limit of a Durable Object alarm handler. */
export const ALARM_WALL_LIMIT_MS = 15 * 60_000
/**
 * If the run in flight dies with its instance (deploy, eviction, crash), this alarm re-drives it.
 * Longer than the worst run (model, tools, media and reply image budgets), shorter than the 5-minute live
 * claim, so the re-drive comes before the sweeper's `ai_run_abandoned`.
 */
export const WATCHDOG_MS = 4.5 * 60_000
/**
 * How long a claimed run counts as live: SQL's private.live_claim_seconds(), which owns the rule
 * (claim_ai_run, abandoned_ai_runs); the claim contract test checks the two agree.
 */
export const LIVE_CLAIM_SECONDS = 300

/** Model rounds of the openai provider; the last one is forced to answer in text. */
export const MODEL_ROUNDS = 5
/** Worst case of MODEL_ROUNDS × (OPENAI_MAX_RETRIES + 1) × OPENAI_TIMEOUT_MS; config refuses more. */
export const MODEL_BUDGET_MS = 200_000
/** One tool call (a Shopify query with its THROTTLED retries). */
export const TOOL_TIMEOUT_MS = 10_000
/** All tool calls of one run together. */
export const TOOL_BUDGET_MS = 60_000

/**
 * Hearing and seeing one burst (ADR 081): waiting for files still on their way, downloads and
 * transcriptions together. With the reply's image (below) the worst run stays 9 s under the watchdog.
 */
export const MEDIA_BUDGET_MS = 6_000
/** Fetching and storing the one product image a reply may carry; past it the text goes alone. */
export const REPLY_IMAGE_BUDGET_MS = 3_000

/** The model time the config allows, worst case (every request times out and is retried). */
export const worstModelMs = (timeoutMs: number, maxRetries: number) =>
  MODEL_ROUNDS * (maxRetries + 1) * timeoutMs

/** The tenant http provider's worst case: one request retried twice (providers/http-provider.ts). */
export const worstHttpMs = (timeoutMs: number) => 3 * timeoutMs

/** Rejects when `work` takes longer than `ms` (the work itself is left to settle on its own). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), Math.max(0, ms))
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * @module
 * The port the events-out deliverer needs from the database (ADR 090). The adapter
 * (adapters/supabase-deliveries.ts) calls the SQL functions that own claims, retries and pauses.
 */

/** Where an endpoint's events go and the key that signs them (service role only). */
export interface EndpointTarget {
  id: string
  url: string
  active: boolean
  secret: string
}

/** One event for one endpoint, leased to this deliverer. `body` is what is POSTed, as JSON. */
export interface ClaimedDelivery {
  deliveryId: string
  eventId: string
  eventType: string
  conversationId: string | null
  attempts: number
  body: unknown
}

/** One HTTP attempt: a status code when the endpoint answered, an error when it did not. */
export interface AttemptOutcome {
  statusCode: number | null
  latencyMs: number
  error: string | null
}

export interface FinishResult {
  /** false when the lease was lost (another worker took the row after it expired). */
  recorded: boolean
  status?: 'pending' | 'delivered' | 'failed'
  endpointActive?: boolean
}

export interface DeliveryStore {
  target(endpointId: string): Promise<EndpointTarget | null>
  /** Due heads of each conversation's queue (rpc claim_webhook_deliveries), oldest event first. */
  claim(endpointId: string, worker: string, limit: number): Promise<ClaimedDelivery[]>
  /** rpc finish_webhook_attempt: 2xx delivered; otherwise retried with backoff or failed after 10 tries. */
  finish(deliveryId: string, worker: string, outcome: AttemptOutcome): Promise<FinishResult>
  /** When something of this endpoint is next due (ms since the epoch), or null. */
  nextAttemptAt(endpointId: string): Promise<number | null>
}

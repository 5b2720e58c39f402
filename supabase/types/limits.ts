/**
 * Thresholds more than one package must agree on, in one place. Hand-written; imported as
 * `@relevo/supabase/limits`.
 */

/**
 * A connector heartbeats every 5 s (its HEARTBEAT_MS); a channel silent for longer than this has
 * lost its connector, the network or the database, whatever status its row still shows. The
 * dashboard warns the admin and the functions' sweeper marks the channel disconnected.
 */
export const HEARTBEAT_STALE_SECONDS = 60

/**
 * Thresholds more than one package must agree on, in one place. Hand-written; imported as
 * `@relevo/contracts/limits`.
 */

/**
 * A connector heartbeats every 5 s (its HEARTBEAT_MS); a channel silent for longer than this has
 * lost its connector, the network or the database, whatever status its row still shows. The
 * dashboard warns the admin and the functions' sweeper marks the channel disconnected.
 */
export const HEARTBEAT_STALE_SECONDS = 60

/**
 * An open desk calls touch_presence every PRESENCE_TOUCH_SECONDS (agents.last_seen_at); the
 * monitoring API counts an agent seen within PRESENCE_ONLINE_SECONDS as online, so a closed desk
 * drops out within a minute and a desk that missed one touch (a slow network) does not.
 */
export const PRESENCE_TOUCH_SECONDS = 20
export const PRESENCE_ONLINE_SECONDS = 60

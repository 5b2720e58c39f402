import { randomBytes } from 'node:crypto'
import type { ChannelJoin, Hub } from './hub.ts'
import { push } from './hub.ts'

type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string }
type PresenceMap = Record<string, { metas: Meta[] }>

interface Entry {
  join: ChannelJoin
  key: string
  meta: Meta
}

/**
 * Phoenix Presence for one node (wire §1.9): per topic, each channel join may track one meta
 * under its presence key. Every change fans out a `presence_diff` to all joins of the topic,
 * the tracker included; a new join gets `presence_state` without its own track.
 */
export class Presence {
  private readonly topics = new Map<string, Map<ChannelJoin, Entry>>()

  constructor(private readonly hub: Hub) {
    hub.onLeave((join) => this.untrack(join))
  }

  /** The state `join` may see: its topic, and only the presences of joins of the same privacy. */
  state(join: ChannelJoin): PresenceMap {
    const state: PresenceMap = {}
    for (const { key, meta } of this.topics.get(scope(join))?.values() ?? []) {
      const bucket = state[key] ?? { metas: [] }
      bucket.metas.push(meta)
      state[key] = bucket
    }
    return state
  }

  track(join: ChannelJoin, payload: Record<string, unknown>): void {
    const entries = this.topics.get(scope(join)) ?? new Map<ChannelJoin, Entry>()
    this.topics.set(scope(join), entries)
    const previous = entries.get(join)
    // Re-tracking the same payload is a no-op, as in Phoenix.Presence.update.
    if (previous && sameMeta(previous.meta, payload)) return
    const meta: Meta = { ...payload, phx_ref: newRef() }
    if (previous) meta.phx_ref_prev = previous.meta.phx_ref
    entries.set(join, { join, key: join.presenceKey, meta })
    this.diff(join, { [join.presenceKey]: { metas: [meta] } }, previous ? single(previous) : {})
  }

  untrack(join: ChannelJoin): void {
    const entries = this.topics.get(scope(join))
    const previous = entries?.get(join)
    if (!entries || !previous) return
    entries.delete(join)
    if (entries.size === 0) this.topics.delete(scope(join))
    this.diff(join, {}, single(previous))
  }

  private diff(source: ChannelJoin, joins: PresenceMap, leaves: PresenceMap): void {
    for (const join of this.hub.joinsOf(source.topic)) {
      // Public and private channels of one name are separate; a private join whose policies
      // allow broadcast but not presence hears no presence.
      if (join.private === source.private && join.canRead.presence)
        push(join, 'presence_diff', { joins, leaves })
    }
  }
}

function scope(join: ChannelJoin): string {
  return `${join.private ? 'private' : 'public'}:${join.topic}`
}

function single(entry: Entry): PresenceMap {
  return { [entry.key]: { metas: [entry.meta] } }
}

function sameMeta(meta: Meta, payload: Record<string, unknown>): boolean {
  const { phx_ref: _ref, phx_ref_prev: _prev, ...rest } = meta
  return JSON.stringify(rest) === JSON.stringify(payload)
}

function newRef(): string {
  return randomBytes(9).toString('base64url')
}

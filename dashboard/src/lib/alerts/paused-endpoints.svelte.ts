import type { Tables } from '@relevo/supabase/types'
import { getContext, setContext } from 'svelte'
import type { DeskListener } from '../desk.svelte.ts'

export type PausedEndpoint = Pick<Tables<'webhook_endpoints'>, 'id' | 'url'>
type EndpointRow = Pick<Tables<'webhook_endpoints'>, 'id' | 'url' | 'auto_paused_at'>

/**
 * The webhook endpoints a day of failures paused (ADR 091), for the admin's header: loaded when the
 * admins' topic is joined, then kept from the endpoint rows it carries. It stays until an admin
 * activates (or deletes) the endpoint, so an admin who was away still sees it.
 */
export class PausedEndpoints {
  list = $state<PausedEndpoint[]>([])

  constructor(private readonly load: () => Promise<PausedEndpoint[]>) {}

  readonly listener: DeskListener = {
    onChange: (change) => {
      if (change.table === 'webhook_endpoints' && change.record) this.apply(change.record)
    },
    onJoined: () => void this.reload(),
  }

  async reload(): Promise<void> {
    try {
      this.list = await this.load()
    } catch {
      // The header is a hint: the Integrations screen shows the same state with its own errors.
    }
  }

  apply(row: EndpointRow): void {
    const others = this.list.filter((e) => e.id !== row.id)
    this.list = row.auto_paused_at ? [...others, { id: row.id, url: row.url }] : others
  }
}

const KEY = Symbol('paused-endpoints')
export const setPausedEndpoints = (store: PausedEndpoints): PausedEndpoints => setContext(KEY, store)
export const getPausedEndpoints = (): PausedEndpoints => getContext<PausedEndpoints>(KEY)

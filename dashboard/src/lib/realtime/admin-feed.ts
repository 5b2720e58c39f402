import type { SupabaseClient } from '@supabase/supabase-js'
import type { Change } from '../types.ts'
import { databaseChange } from './database-change.ts'

/**
 * The admins' private topic `admins:<tenant_id>` (ADR 071): changes only admins may see, such as
 * the link QR in channel_links, webhook endpoints and deliveries. Only an admin's join is authorized,
 * so only an admin's desk opens it (Desk.listenAdmin shares it with the screens). supabase-js
 * rejoins after a drop; `onJoined` runs after every join so listeners reload what they may have missed.
 */
export function watchAdminFeed(
  db: SupabaseClient,
  tenantId: string,
  handlers: { onChange: (change: Change) => void; onJoined: () => void },
): () => void {
  const apply = (message: Parameters<typeof databaseChange>[0]) => {
    const change = databaseChange(message)
    if (change) handlers.onChange(change)
  }
  const channel = db
    .channel(`admins:${tenantId}`, { config: { private: true } })
    .on('broadcast', { event: 'INSERT' }, apply)
    .on('broadcast', { event: 'UPDATE' }, apply)
  let stopped = false
  void db.realtime.setAuth().then(() => {
    if (stopped) return
    channel.subscribe((state) => {
      if (state === 'SUBSCRIBED') handlers.onJoined()
    })
  })
  return () => {
    stopped = true
    void db.removeChannel(channel)
  }
}

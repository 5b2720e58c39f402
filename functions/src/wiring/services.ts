/**
 * @module
 * Wiring of one request: config from `c.env`, the service-role stores, the provider factory and
 * the logger. Tests replace the stores and the outbound fetch through `AppDeps`.
 */

import { graphApiFor } from '../adapters/graph-api.ts'
import { type Db, serviceClient } from '../adapters/supabase.ts'
import { createSupabaseCloudStore } from '../adapters/supabase-cloud-store.ts'
import { createSupabaseDeliveries } from '../adapters/supabase-deliveries.ts'
import { createSupabaseMaintenance } from '../adapters/supabase-maintenance.ts'
import { createSupabaseMedia } from '../adapters/supabase-media.ts'
import { createSupabasePush } from '../adapters/supabase-push.ts'
import { createSupabaseStore } from '../adapters/supabase-store.ts'
import { durableWake } from '../agent/wake.ts'
import { type AlarmDeps, FILE_LINK_SECONDS } from '../cloud-api/channel-sender.ts'
import type { CloudStore } from '../cloud-api/ports.ts'
import { sendReadReceipt } from '../cloud-api/read-receipt.ts'
import { durableWakeSender, type WakeSender } from '../cloud-api/wake.ts'
import { type Bindings, type Config, readConfig, vapidKeys } from '../config/config.ts'
import type { DeliveryStore } from '../events/delivery-store.ts'
import type { DelivererDeps } from '../events/endpoint-deliverer.ts'
import { durableWakeDeliverer } from '../events/wake-deliverer.ts'
import type { MediaFiles } from '../pipeline/media.ts'
import type { PipelineDeps } from '../pipeline/run-pipeline.ts'
import type { MaintenanceStore, PipelineStore, WakeAgent, WakeEndpoint } from '../pipeline/store.ts'
import { selectProvider, selectTranscriber } from '../providers/select-provider.ts'
import type { PushDeps, PushStore } from '../push/send-alert.ts'
import { createLogger, type Logger } from '../shared/logger.ts'
import { sleep } from '../shared/retry.ts'

export interface Stores {
  store: PipelineStore
  maintenance: MaintenanceStore
  cloudStore: CloudStore
  /** The `media` bucket (the AI reads customers' files and stores its product images). */
  media: MediaFiles
  /** Web Push targets and outcomes (ADR 097). */
  push: PushStore
}

export interface AppDeps {
  /** The database ports; default (and for any left out): Supabase with the service role key. */
  stores?: (config: Config) => Partial<Stores>
  /** Outbound fetch of the AI providers (OpenAI-compatible server, tenant http endpoint). */
  outbound?: typeof fetch
  /** Fetch used by supabase-js (tests point it at an in-process stand-in). */
  supabaseFetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  logger?: Logger
  /** Who runs a conversation's AI; default: its ConversationAgent Durable Object. */
  wake?: (env: Bindings) => WakeAgent
  /** The events-out store; default: Supabase with the service role key. */
  deliveries?: (config: Config) => DeliveryStore
  /** Who delivers an endpoint's events; default: its EndpointDeliverer Durable Object. */
  wakeDeliverer?: (env: Bindings) => WakeEndpoint
  /** Outbound fetch of webhook deliveries (tests point it at a receiver double); default: fetch. */
  webhookFetch?: typeof fetch
  /** Who sends a Cloud API channel's outbox; default: its ChannelSender Durable Object. */
  wakeSender?: (env: Bindings) => WakeSender
  /** Fetch used for Meta's Graph API (tests: the Graph API double). */
  graphFetch?: typeof fetch
  /** Fetch of the product images AI replies carry (tests: the Shopify double's CDN); default: fetch. */
  imageFetch?: typeof fetch
  /** Fetch of Web Push requests (tests: the push endpoint double); default: fetch. */
  pushFetch?: typeof fetch
}

export type Services = PipelineDeps &
  Stores &
  AlarmDeps & {
    config: Config
    wake: WakeAgent
    wakeSender: WakeSender
    wakeDeliverer: WakeEndpoint
    deliverer: () => DelivererDeps
    showComposing: (conversationId: string) => Promise<void>
    /** What sending a push alert needs; null when the deployment has no VAPID keys. */
    pushDeps: () => PushDeps | null
  }

const loggers = new Map<string, Logger>()

export function services(env: Bindings, deps: AppDeps): Services {
  const config = readConfig(env)
  let logger = deps.logger ?? loggers.get(config.LOG_LEVEL)
  if (!logger) {
    logger = createLogger(config.LOG_LEVEL)
    loggers.set(config.LOG_LEVEL, logger)
  }
  let client: Db | undefined
  const db = () => {
    client ??= serviceClient(config, deps.supabaseFetch)
    return client
  }
  const custom = deps.stores?.(config)
  const stores: Stores = {
    store: custom?.store ?? createSupabaseStore(db()),
    maintenance: custom?.maintenance ?? createSupabaseMaintenance(db()),
    cloudStore: custom?.cloudStore ?? createSupabaseCloudStore(db),
    media: custom?.media ?? createSupabaseMedia(db),
    push: custom?.push ?? createSupabasePush(db),
  }
  const log = logger
  const graphFor = graphApiFor({
    baseUrl: config.GRAPH_API_URL,
    version: config.GRAPH_API_VERSION,
    ...(deps.graphFetch ? { fetch: deps.graphFetch } : {}),
  })
  return {
    config,
    ...stores,
    logger,
    wakeDeliverer: (deps.wakeDeliverer ?? durableWakeDeliverer)(env),
    deliverer: () => ({
      deliveries:
        deps.deliveries?.(config) ?? createSupabaseDeliveries(serviceClient(config, deps.supabaseFetch)),
      fetch: deps.webhookFetch ?? ((input, init) => fetch(input, init)),
      allowPrivate: config.RELEVO_ALLOW_PRIVATE_URLS,
      now: Date.now,
      logger: log,
    }),
    providerFor: (request) => selectProvider(request, config, deps.outbound),
    transcriberFor: (request) => selectTranscriber(request, config, deps.outbound),
    fetchImage: deps.imageFetch ?? ((input, init) => fetch(input, init)),
    wake: (deps.wake ?? durableWake)(env),
    wakeSender: deps.wakeSender?.(env) ?? durableWakeSender(env.CHANNEL_SENDER),
    graphFor,
    fileLink: (path) => stores.media.signedUrl(path, FILE_LINK_SECONDS),
    showComposing: async (conversationId) => {
      await sendReadReceipt({ cloudStore: stores.cloudStore, graphFor, logger: log }, conversationId, true)
    },
    sleep: deps.sleep ?? sleep,
    now: deps.now ?? Date.now,
    pushDeps: () => {
      const keys = vapidKeys(config)
      return keys
        ? {
            store: stores.push,
            keys,
            fetch: deps.pushFetch ?? ((input, init) => fetch(input, init)),
            allowPrivate: config.RELEVO_ALLOW_PRIVATE_URLS,
            now: deps.now ?? Date.now,
            sleep: deps.sleep ?? sleep,
            logger: log,
          }
        : null
    },
  }
}

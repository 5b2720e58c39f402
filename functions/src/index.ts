/**
 * @module
 * The Worker entry: only handlers and the Durable Object class are exported (any other export
 * makes workerd refuse to start under `wrangler dev`; toolchain notes §3.1).
 */
import { createApp, runScheduled } from './app.ts'
import type { Bindings } from './config/config.ts'

export { ChannelSender } from './channel-sender-object.ts'
export { ConversationAgent, EndpointDeliverer } from './durable-object.ts'

const app = createApp()

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduled(env))
  },
} satisfies ExportedHandler<Bindings>

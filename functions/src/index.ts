/**
 * @module
 * The Worker entry: only handlers are exported (a non-handler export makes workerd refuse to
 * start under `wrangler dev`; toolchain notes §3.1).
 */
import { createApp, runScheduled } from './app.ts'
import type { Bindings } from './lib/config.ts'

const app = createApp()

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduled(env))
  },
} satisfies ExportedHandler<Bindings>

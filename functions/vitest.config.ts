import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineProject } from 'vitest/config'

// Route and pipeline tests run inside workerd (the real Workers runtime), against in-process
// doubles that speak the OpenAI and Shopify wire formats. Tests that need the Node-only
// local Supabase stand-in live in vitest.integration.config.ts (see docs/decisions/020).
export default defineProject({
  plugins: [cloudflareTest({ wrangler: { configPath: '../wrangler.toml' } })],
  test: {
    name: 'functions',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.int.test.ts', 'node_modules/**'],
  },
})

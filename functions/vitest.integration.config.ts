import { defineProject } from 'vitest/config'

// Node-side integration: the real SQL functions through the local Supabase stand-in (PGlite),
// which is a Node program and cannot run inside workerd. See docs/decisions/020.
export default defineProject({
  test: {
    name: 'functions-integration',
    include: ['integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})

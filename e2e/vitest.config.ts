import { defineProject } from 'vitest/config'

// One system for the whole file: it takes a minute to start (wrangler, vite, PGlite).
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
})

import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineProject } from 'vitest/config'

// Unit tests run in Node; .svelte.ts rune modules compile through the Svelte plugin.
// Browser tests (e2e/*.test.ts) drive real Chromium and need generous timeouts.
export default defineProject({
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    name: 'dashboard',
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    exclude: ['node_modules/**', 'build/**'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    // One Chromium + stand-in at a time: the machine is small and shared, and waits stay honest.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})

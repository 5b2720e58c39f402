import { defineConfig } from 'vitest/config'

// One project per package; each package keeps its own config next to its code. functions/ has
// two: route and pipeline tests inside workerd, and Node-side integration against the stand-in.
export default defineConfig({
  test: {
    projects: [
      'supabase',
      'connector',
      'functions',
      'functions/vitest.integration.config.ts',
      'dashboard',
      'e2e',
      'contracts',
    ],
  },
})

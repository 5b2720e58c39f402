import { defineConfig } from 'vitest/config'

// One project per package; each package keeps its own config next to its code.
export default defineConfig({
  test: {
    projects: ['supabase', 'connector', 'functions', 'dashboard'],
  },
})

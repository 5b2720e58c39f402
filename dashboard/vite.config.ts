import adapter from '@sveltejs/adapter-static'
import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

// SvelteKit 3 takes its config in the Vite plugin (svelte.config.js is gone, toolchain.md §2.5).
// A static SPA: every unknown path falls back to index.html and the client router takes over.
export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ fallback: 'index.html', strict: false }),
      output: { bundleStrategy: 'single' },
    }),
  ],
  // PUBLIC_SUPABASE_URL / PUBLIC_SUPABASE_ANON_KEY reach import.meta.env (src/lib/supabase.ts).
  envPrefix: ['VITE_', 'PUBLIC_'],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // Tests build the app into build/ while `vite dev` may be serving (e2e/): no reloads for that.
    watch: { ignored: ['**/build/**', '**/screenshots/**', '**/bench/results/**'] },
  },
})

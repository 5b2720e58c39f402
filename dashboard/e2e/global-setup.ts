import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/**
 * Builds the static app once before the browser tests, so every e2e file serves the same
 * fresh build (two files building into build/ at once would race).
 */
export default async function buildOnce(): Promise<void> {
  const dashboardDir = fileURLToPath(new URL('..', import.meta.url))
  await promisify(execFile)(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
    {
      cwd: dashboardDir,
    },
  )
}

/**
 * `pnpm bench` in supabase/: runs this package's benchmarks one after another (so they do not
 * compete for the CPU) and each writes its numbers under bench/results/. Add new ones to the list.
 */
const benches: [name: string, run: () => Promise<void>][] = [
  ['rest', async () => (await import('./rest.ts')).runRestBench()],
  ['realtime', async () => (await import('./realtime.ts')).runRealtimeBench()],
  ['sql', async () => (await import('./sql.ts')).runSqlBench()],
  ['storage', async () => (await import('./storage.ts')).runStorageBench()],
  ['search', async () => (await import('./search.ts')).runSearchBench()],
  ['assignment', async () => (await import('./assignment.ts')).runAssignmentBench()],
]

const only = process.argv[2]
for (const [name, run] of benches) {
  if (only && only !== name) continue
  process.stdout.write(`bench ${name}\n`)
  await run()
}

export {}

/**
 * Dependency rules for every package, checked by `pnpm lint` (ADR 047). Folders are the
 * architecture: a dependency between two folders points one way, and no module imports itself
 * back through others. `functions/` also keeps its layering explicit: routes → wiring → pipeline
 * → ports, and the adapters implement the ports without the pipeline knowing them. Test files
 * (and `.contract.ts` suites, which tests run) are left out: they sit beside what they test and
 * may reach across folders for their support.
 */
/** A forbidden dependency: from modules matching `from` to modules matching `to`, always an error. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to })

module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'A module must not import itself back through others: split out what both sides need.',
      {},
      { circular: true },
    ),
    {
      ...forbid(
        'no-folder-cycles',
        'Two folders must not import each other (directly or round a loop): dependencies point one way.',
        {},
        { circular: true },
      ),
      scope: 'folder',
    },
    forbid(
      'functions-pipeline-knows-only-its-ports',
      'The AI pipeline states its ports (pipeline/store.ts, pipeline/provider.ts); Supabase, the providers, the tools and the Durable Object implement them from outside.',
      { path: '^functions/src/pipeline/' },
      { path: '^functions/src/(adapters|providers|tools|agent|wiring|http|routes|config)/' },
    ),
    forbid(
      'functions-shared-stands-alone',
      'shared/ (errors, logger, retry) is used by every folder and uses none of them.',
      { path: '^functions/src/shared/' },
      { path: '^functions/src/(?!shared/)' },
    ),
    forbid(
      'functions-adapters-below-the-wiring',
      'Adapters implement ports; only wiring/, the routes and the entry points put them together.',
      { path: '^functions/src/(adapters|providers|tools|agent)/' },
      { path: '^functions/src/(wiring|routes|http)/' },
    ),
    forbid(
      'no-test-code-in-production',
      'Production modules never import tests or test support.',
      { pathNot: '(\\.test\\.ts$|/testing/|/tests/|/e2e/|/bench/|/integration/|test-support\\.ts$)' },
      { path: '(\\.test\\.ts$|/testing/|/tests/|test-support\\.ts$)' },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: '(\\.(test|contract)\\.ts$|node_modules|\\.svelte-kit|/dist/|worker-configuration\\.d\\.ts)',
    },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
  },
}

/**
 * Dependency rules for every package, checked by `pnpm lint` (ADR 047). Folders are the
 * architecture: a dependency between two folders points one way, and no module imports itself
 * back through others. `functions/` also keeps its layering explicit: routes → wiring → pipeline
 * → ports, and the adapters implement the ports without the pipeline knowing them. Test files
 * (and `.contract.ts` suites, which tests run) are left out: they sit beside what they test and
 * may reach across folders for their support.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module must not import itself back through others: split out what both sides need.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'Two folders must not import each other (directly or round a loop): dependencies point one way.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'functions-pipeline-knows-only-its-ports',
      comment:
        'The AI pipeline states its ports (pipeline/store.ts, pipeline/provider.ts); Supabase, the providers, the tools and the Durable Object implement them from outside.',
      severity: 'error',
      from: { path: '^functions/src/pipeline/' },
      to: { path: '^functions/src/(adapters|providers|tools|agent|wiring|http|routes|config)/' },
    },
    {
      name: 'functions-shared-stands-alone',
      comment: 'shared/ (errors, logger, retry) is used by every folder and uses none of them.',
      severity: 'error',
      from: { path: '^functions/src/shared/' },
      to: { path: '^functions/src/(?!shared/)' },
    },
    {
      name: 'functions-adapters-below-the-wiring',
      comment: 'Adapters implement ports; only wiring/, the routes and the entry points put them together.',
      severity: 'error',
      from: { path: '^functions/src/(adapters|providers|tools|agent)/' },
      to: { path: '^functions/src/(wiring|routes|http)/' },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Production modules never import tests or test support.',
      severity: 'error',
      from: { pathNot: '(\\.test\\.ts$|/testing/|/tests/|/e2e/|/bench/|/integration/|test-support\\.ts$)' },
      to: { path: '(\\.test\\.ts$|/testing/|/tests/|test-support\\.ts$)' },
    },
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

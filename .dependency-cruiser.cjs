/**
 * Dependency rules for every package, checked by `pnpm lint` (ADR 047). Folders are the
 * architecture: a dependency between two folders points one way, and no module imports itself
 * back through others. `functions/` also keeps its layering explicit: routes → pipeline → ports,
 * and the adapters implement the ports without the pipeline knowing them. Test files are left
 * out (and `.contract.ts` suites, which tests run): they sit beside what they test and may reach across folders for their support.
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

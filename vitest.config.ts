import { configDefaults, defineConfig } from 'vitest/config'

/**
 * Three tiers, one runner: `npm test` runs them all.
 * - unit: pure logic (shared/, services with fakes)
 * - integration: a real listening server against the embedded FerretDB (one per run, one database per file)
 * - process: the real server process under failure (kill -9 of its database under chat load, with
 *   timed health checks), alone after the integration tests: beside the demo seed's heavy writes
 *   its database did not come back within the test's minute (twice in a row), alone it does in seconds
 * - browser: playwright-core driving Debian's Chromium through the built app
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['shared/src/**/*.test.ts', 'server/src/**/*.unit.test.ts', 'scripts/**/*.unit.test.ts', 'web/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['server/src/**/*.int.test.ts', 'server/test/**/*.int.test.ts', 'scripts/**/*.int.test.ts'],
          exclude: [...configDefaults.exclude, 'server/test/process.int.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // FerretDB on SQLite serialises writes; two files at once keeps both cores busy without timeouts.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'process',
          sequence: { groupOrder: 2 },
          include: ['server/test/process.int.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          sequence: { groupOrder: 3 },
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})

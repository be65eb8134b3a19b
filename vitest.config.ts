import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// When UNIBUS_TEST_RESULTS_DIR is set (scripts/test-all.mjs and .ci/run set it), every vitest
// run also writes a JSON report there; scripts/test-summary.mjs sums them into the final
// `N passed, N failed` line. UNIBUS_TEST_SUITE names the report (the npm script that ran it).
const resultsDir = process.env['UNIBUS_TEST_RESULTS_DIR'];
const suite = (process.env['UNIBUS_TEST_SUITE'] ?? 'vitest').replace(/[^A-Za-z0-9._-]/g, '_');

// Unit and integration tests run in Node; tests that need a real nats-server or
// keyring start them themselves (see test-support/).
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'eslint-rules/**/*.test.{js,ts}'],
    // The real-keychain suite needs the private D-Bus session of scripts/with-keyring.sh:
    // it runs only via `npm run test:keychain` (vitest.keychain.config.ts).
    exclude: [
      ...configDefaults.exclude,
      '**/*.keychain.test.ts',
      // Own suites with their own configs: npm run test:security, npm run test:e2e.
      'test/security/**',
      'test/e2e/**',
    ],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: resultsDir ? ['default', 'json'] : ['default'],
    ...(resultsDir
      ? {
          outputFile: {
            json: join(resultsDir, `vitest-${suite}-${process.pid}-${Date.now()}.json`),
          },
        }
      : {}),
  },
});

import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The black-box security acceptance suite (`npm run test:security`): test/security/** only,
// each file starts its own node. Same JSON report pattern as vitest.config.ts: when
// UNIBUS_TEST_RESULTS_DIR is set, a JSON report goes there for scripts/test-summary.mjs.
const resultsDir = process.env['UNIBUS_TEST_RESULTS_DIR'];
const suite = (process.env['UNIBUS_TEST_SUITE'] ?? 'security').replace(/[^A-Za-z0-9._-]/g, '_');

export default defineConfig({
  test: {
    include: ['test/security/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // One file at a time: each file starts a node and floods it, measures its RSS and waits on
    // its timeouts; two files side by side on a 2-core machine would measure each other.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
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

import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// `npm run test:e2e` (scripts/e2e.mjs builds the renderer and checks Chromium first): the UI in
// Debian's Chromium through the web shell, one file at a time (each file starts its own browser
// and web shells; the machine has few cores). See test/e2e/README.md.
//
// When UNIBUS_TEST_RESULTS_DIR is set (scripts/test-all.mjs and .ci/run set it), the run also
// writes a JSON report there, as in vitest.config.ts.
const resultsDir = process.env['UNIBUS_TEST_RESULTS_DIR'];
const suite = (process.env['UNIBUS_TEST_SUITE'] ?? 'e2e').replace(/[^A-Za-z0-9._-]/g, '_');

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
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

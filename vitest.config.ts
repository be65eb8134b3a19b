import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node; tests that need a real nats-server or
// keyring start them themselves (see test-support/).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eslint-rules/**/*.test.{js,ts}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

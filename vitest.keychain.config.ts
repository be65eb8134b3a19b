import { defineConfig } from 'vitest/config';

// The real OS-keychain suite (keytar → libsecret → gnome-keyring). It needs the private
// D-Bus session and unlocked collection from scripts/with-keyring.sh, so it runs only via
// `npm run test:keychain`; the default config excludes `**/*.keychain.test.ts`.
export default defineConfig({
  test: {
    include: ['src/**/*.keychain.test.ts', 'test/**/*.keychain.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

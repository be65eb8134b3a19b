import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import local from './eslint-rules/index.js';

/** Test code may reach for Node (fixtures, vectors on disk, child processes): layering applies to shipped code. */
const TEST_FILES = ['**/*.test.{ts,tsx,js,mjs}', '**/test/**', '**/__tests__/**'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'resources/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Import layering between the process folders (eslint-rules/layering.js has the table).
    files: ['src/**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    ignores: TEST_FILES,
    plugins: { local },
    rules: { 'local/layering': 'error' },
  },
);

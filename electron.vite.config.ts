/**
 * Three builds (electron-vite): main (ESM, Node + Electron; two entries: the app and the embedded
 * node's utility process), preload (one CommonJS file, because a sandboxed preload can only
 * `require('electron')` — no ESM, no npm packages, no sibling chunks), renderer (browser bundle
 * behind a strict CSP). Output goes to out/{main,preload,renderer}; src/main/index.ts loads
 * ../preload/index.cjs and ../renderer/index.html from there.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // The embedded node's utilityProcess entry: the `unibus` CLI (src/cli/main.ts), run as
          // bin/unibus.mjs runs it. Built to out/main/cli.js, next to index.js.
          cli: resolve(root, 'src/main/electron/node-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything (src/shared included) into the single file; only `electron` stays external.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'src/preload/index.ts'), formats: ['cjs'] },
      rollupOptions: {
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          inlineDynamicImports: true,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    // React 19 automatic runtime via esbuild; no Babel plugin needed for a production build.
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
  },
});

/**
 * Three builds (electron-vite): main (ESM, Node + Electron), preload (one CommonJS file, because a
 * sandboxed preload can only `require('electron')` — no ESM, no npm packages, no sibling chunks),
 * renderer (browser bundle behind a strict CSP). Output goes to out/{main,preload,renderer};
 * src/main/index.ts loads ../preload/index.cjs and ../renderer/index.html from there.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: { input: { index: resolve(root, 'src/main/index.ts') } },
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

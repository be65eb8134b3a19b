#!/usr/bin/env node
// `npm run web -- --profile DIR [--port N]`: builds the renderer when it is missing or older than
// its sources, then runs the web shell (src/main/web-shell/main.ts) under tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'renderer', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = [join(root, 'src', 'renderer'), join(root, 'src', 'shared')];
const stale =
  !existsSync(built) || sources.some((dir) => newestMtime(dir) > statSync(built).mtimeMs);
// UNIBUS_WEB_SKIP_BUILD=1: the caller built it (test:e2e starts several shells at once).
if (stale && process.env.UNIBUS_WEB_SKIP_BUILD !== '1') {
  process.stderr.write('unibus web: building the renderer (electron-vite build)…\n');
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
register();
await import('../src/main/web-shell/main.ts');

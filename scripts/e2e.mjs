#!/usr/bin/env node
// `npm run test:e2e [-- vitest args]`: the UI in Debian's Chromium through the web shell.
//   1. checks Chromium is there (and, as root, the unprivileged user it runs as);
//   2. builds the renderer (npx electron-vite build) when out/renderer is missing or older than
//      its sources (src/renderer, src/shared, the build config, the lock file). The web shell runs
//      main from source (tsx), so only the renderer bundle can be stale;
//   3. runs vitest with vitest.e2e.config.ts, passing every extra argument through.
// See test/e2e/README.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.UNIBUS_E2E_CHROMIUM ?? '/usr/bin/chromium';
const user = process.env.UNIBUS_E2E_USER ?? 'unibus-e2e';

function fail(message) {
  console.error(`test:e2e: ${message}`);
  process.exit(1);
}

/** Newest modification time (ms) of a file or of any file under a folder. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

// 1. The browser (cheap checks first).
if (!existsSync(chromium)) {
  fail(
    `Chromium not found at ${chromium}. Install Debian's package: apt-get install -y chromium` +
      ' (or set UNIBUS_E2E_CHROMIUM). Do not run `npx playwright install`.',
  );
}
if (process.getuid?.() === 0) {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
  } catch {
    fail(
      `running as root: Chromium refuses its sandbox as root, so it runs as '${user}', which` +
        ` does not exist. Create it: useradd --system --create-home --shell /usr/sbin/nologin ${user}`,
    );
  }
}

// 2. The renderer the web shell serves.
const builtIndex = join(root, 'out', 'renderer', 'index.html');
const built = statSync(builtIndex, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(
  newest(join(root, 'src', 'renderer')),
  newest(join(root, 'src', 'shared')),
  newest(join(root, 'electron.vite.config.ts')),
  newest(join(root, 'package-lock.json')),
);
if (built === 0 || built < sources) {
  console.log(
    `test:e2e: ${built === 0 ? 'out/renderer is missing' : 'out/renderer is older than its sources'}: npx electron-vite build`,
  );
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail(`electron-vite build failed (exit ${build.status ?? build.signal})`);
  if (!existsSync(builtIndex)) fail('electron-vite build wrote no out/renderer/index.html');
} else {
  console.log('test:e2e: out/renderer is up to date');
}

// 3. The tests.
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(
  process.execPath,
  [vitest, 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { UNIBUS_TEST_SUITE: 'test:e2e', ...process.env } },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

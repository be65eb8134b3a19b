/**
 * The web shell's bridge token stays secret (issue 12, attack 7). Whoever holds it drives the
 * whole app (identity, rooms, files), so it must not show up in the browser's console, in the
 * shell's logs or in any error text — in particular not when the shell restarts and the page
 * keeps trying to reconnect. The one deliberate place is the `web-ready` line on stdout: the
 * link the user opens. Real Chromium (sandboxed, never root) through the e2e harness.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TID } from '../../src/renderer/src/testids';
import { openShellPage, PROJECT_ROOT, useE2E } from '../e2e/harness';
import { sleep } from './toolkit';

/** Newest modification time under `path` (node_modules skipped). */
function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry !== 'node_modules') latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** The shell serves out/renderer: build it when it is missing or older than its sources (as test:e2e does). */
function ensureRendererBuilt(): void {
  const built = newest(join(PROJECT_ROOT, 'out', 'renderer', 'index.html'));
  const sources = Math.max(
    newest(join(PROJECT_ROOT, 'src', 'renderer')),
    newest(join(PROJECT_ROOT, 'src', 'shared')),
    newest(join(PROJECT_ROOT, 'electron.vite.config.ts')),
  );
  if (built !== 0 && built >= sources) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  if (build.status !== 0) throw new Error(`electron-vite build failed: ${build.stderr.toString()}`);
}

describe('the web shell never prints its token (issue 12, attack 7)', () => {
  const e2e = useE2E();

  beforeAll(() => ensureRendererBuilt(), 120_000);

  it('R-12.7: across a shell restart, neither token appears in the page console, page errors or the shell output', async () => {
    const first = await e2e.startWebShell({ name: 'token-first' });
    // Opened outside the shell's own page list, so stopping the shell leaves the page open.
    const ui = await openShellPage(await e2e.browser(), first.url);
    await ui.page.getByTestId(TID.firstRun).waitFor({ state: 'visible', timeout: 30_000 });

    // Restart on the same port and profile: the page keeps reconnecting while the shell is down
    // and then meets a shell with a new token.
    const attemptsBefore = ui.log.filter((l) => l.includes('websocket opened')).length;
    await first.stop();
    await sleep(1_500);
    const second = await e2e.startWebShell({
      name: 'token-second',
      port: first.port,
      profileDir: first.profileDir,
    });
    // Wait for the page to try the restarted shell a few times (its backoff grows to 10 s).
    for (let i = 0; i < 150; i++) {
      if (ui.log.filter((l) => l.includes('websocket opened')).length >= attemptsBefore + 4) break;
      await sleep(100);
    }
    await sleep(1_000);

    const tokens = [first.token, second.token];
    const console_ = ui.log.join('\n');
    const pageText = await ui.page.innerText('body');
    // The shell's own output, minus the one deliberate line (the link on stdout).
    const shellOutput = [first.output(), second.output()]
      .join('\n')
      .split('\n')
      .filter((line) => !line.includes('"event":"web-ready"'))
      .join('\n');
    const leaks = {
      console: tokens.filter((t) => console_.includes(t)).length,
      consoleErrors: tokens.filter((t) => ui.errors.join('\n').includes(t)).length,
      pageText: tokens.filter((t) => pageText.includes(t)).length,
      shellOutput: tokens.filter((t) => shellOutput.includes(t)).length,
    };
    console.log(
      `R-12.7: ${ui.log.length} console/page events, ${ui.errors.length} errors; leaks ${JSON.stringify(leaks)}; first error: ${ui.errors[0]?.replace(first.token, '<TOKEN-1>').replace(second.token, '<TOKEN-2>').slice(0, 200)}`,
    );
    expect(ui.log.filter((l) => l.includes('websocket opened')).length).toBeGreaterThan(
      attemptsBefore,
    );
    expect(leaks).toEqual({ console: 0, consoleErrors: 0, pageText: 0, shellOutput: 0 });
    // The page says what happened in words (it cannot reconnect to a shell with a new token).
    await ui.page
      .getByTestId(TID.bridgeDisconnected)
      .waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('web-shell-token-after-restart');
    await ui.close();
  });
});

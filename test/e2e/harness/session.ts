/**
 * `useE2E()`: the hooks every e2e file wants, registered in the calling describe block.
 *
 *   const e2e = useE2E();
 *   test('…', async () => {
 *     const peer = await e2e.startWebShell();
 *     const ui = await peer.openPage(await e2e.browser());
 *   });
 *
 * - one Chromium per file, launched on first use (launchBrowser: sandboxed, never as root);
 * - after a failed test: every web shell's output, and a screenshot plus the console log of every
 *   open page, in test-results/e2e/artifacts/<test name>/;
 * - afterAll: the scope's web shells stopped (SIGTERM, then SIGKILL) with their pages and temp
 *   profiles, its browser closed; the outermost scope then sweeps any leftover child and temp dir.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { launchBrowser } from './browser';
import { ARTIFACTS_DIR, ensureDir, safeName } from './paths';
import { cleanupAll } from './processes';
import { startWebShell, startedShells, type WebShell, type WebShellOptions } from './web-shell';

/** useE2E scopes whose afterAll has not run yet (nested describes each may have one). */
let openScopes = 0;

/** The test's name without the file: `describe > test`. */
function testLabel(fullName: string): string {
  const parts = fullName.split(' > ');
  return (parts.length > 1 && /\.[cm]?[jt]s$/.test(parts[0] ?? '') ? parts.slice(1) : parts).join(
    ' > ',
  );
}

export interface E2E {
  /** The file's Chromium (launched on first call). */
  browser(): Promise<Browser>;
  startWebShell(options?: WebShellOptions): Promise<WebShell>;
}

export function useE2E(): E2E {
  let browser: Promise<Browser> | undefined;
  let firstShellOfTest = 0;
  const ownShells: WebShell[] = [];
  openScopes++;

  beforeEach(() => {
    firstShellOfTest = startedShells().length;
  });

  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    const dir = ensureDir(join(ARTIFACTS_DIR, safeName(testLabel(context.task.fullName))));
    const shells = startedShells().filter(
      (shell, index) => index >= firstShellOfTest || shell.running,
    );
    for (const shell of shells) {
      shell.saveOutput(dir);
      for (const [index, page] of shell.pages.entries()) {
        const base = `${safeName(shell.name)}-page${index + 1}`;
        writeFileSync(join(dir, `${base}.console.log`), page.log.join('\n') + '\n');
        try {
          await page.page.screenshot({ path: join(dir, `${base}.png`), fullPage: true });
        } catch (error) {
          writeFileSync(join(dir, `${base}.screenshot-failed.txt`), String(error));
        }
      }
    }
    console.error(`e2e: artifacts of the failed test in ${dir}`);
  });

  afterAll(async () => {
    const launched = browser;
    browser = undefined;
    await Promise.all(ownShells.map((shell) => shell.stop()));
    if (launched !== undefined) await (await launched.catch(() => undefined))?.close();
    // The outermost scope also sweeps whatever is left (shells started without useE2E, temp dirs).
    if (--openScopes === 0) await cleanupAll();
  });

  return {
    browser() {
      browser ??= launchBrowser();
      return browser;
    },
    async startWebShell(options) {
      const shell = await startWebShell(options);
      ownShells.push(shell);
      return shell;
    },
  };
}

/**
 * The README's first command on a fresh machine: a clone of this checkout, a clean HOME (and XDG
 * folders), no UNIBUS_* variable, no nats-server on PATH, Go present. `npm ci && npm start` must
 * build the pinned nats-server itself, open the UI (the web shell: there is no desktop session
 * here) and print its address; Chromium loads that address and sees the first-run screen. Then
 * the new user creates an identity and hosts a node, which runs the nats-server just built.
 *
 * Only download caches are shared with this machine (npm's and Go's module cache, which .ci/run
 * has warmed): they hold packages, not settings, so nothing is downloaded twice. Go's build cache
 * is fresh, so the nats-server build is a real one. Takes a few minutes; timings are printed.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { TID } from '../../src/renderer/src/testids';
import {
  PINNED_NATS_SERVER_VERSION,
  natsServerCacheDir,
  reportedVersion,
} from '../../src/main/node/nats-server/resolve';
import { processesUsing, waitUntilUnused } from '../../test-support/processes';
import { PROJECT_ROOT, freePort, makeTempDir, openShellPage, useE2E } from './harness';
import { removeTempDir, spawnTracked } from './harness/processes';

const PASSPHRASE = 'fresh clone passphrase, long enough';
const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+/;
/** npm ci (downloads from the shared cache), a nats-server build, the renderer build. */
const START_TIMEOUT_MS = 20 * 60_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * This machine's PATH without every folder that holds a nats-server; node, npm, npx, go and git
 * stay reachable (linked into `bin` when their folder had to go).
 */
function pathWithoutNatsServer(bin: string): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const kept = dirs.filter((dir) => !existsSync(join(dir, 'nats-server')));
  mkdirSync(bin, { recursive: true });
  for (const tool of ['node', 'npm', 'npx', 'go', 'git']) {
    const found = dirs.map((dir) => join(dir, tool)).find(isExecutable);
    if (found === undefined) throw new Error(`the fresh-clone check needs ${tool} on PATH`);
    if (!kept.includes(dirname(found))) symlinkSync(found, join(bin, tool));
  }
  return [bin, ...kept].join(delimiter);
}

/** A new user's environment: nothing of this one but PATH (minus nats-server) and the caches. */
function freshEnv(home: string, path: string): NodeJS.ProcessEnv {
  const goModCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return {
    HOME: home,
    USER: process.env['USER'] ?? 'root',
    LOGNAME: process.env['LOGNAME'] ?? process.env['USER'] ?? 'root',
    LANG: 'C.UTF-8',
    PATH: path,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    npm_config_cache: process.env['npm_config_cache'] ?? join(homedir(), '.npm'),
    GOMODCACHE: goModCache,
  };
}

/** Everything the command printed, and a way to wait for a line. */
class Transcript {
  text = '';
  private waiters: (() => void)[] = [];
  readonly started = Date.now();
  readonly marks: Record<string, number> = {};

  push(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first match of `re`; rejects when `failed()` says why or on timeout. */
  async waitFor(re: RegExp, timeoutMs: number, failed: () => string | null): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = re.exec(this.text);
      if (match) return match[0];
      const why = failed();
      if (why !== null || Date.now() > deadline) {
        throw new Error(`${why ?? `no ${re} within ${timeoutMs} ms`}\n${this.text.slice(-4000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  mark(name: string): void {
    this.marks[name] = Math.round((Date.now() - this.started) / 1000);
  }
}

async function createIdentityAndHost(page: Page): Promise<void> {
  const byId = (id: string) => page.getByTestId(id);
  await byId(TID.createIdentityHandle).fill('newcomer');
  if ((await byId(TID.keyProtection).getAttribute('data-protection')) === 'passphrase-file') {
    await byId(TID.createIdentityPassphrase).fill(PASSPHRASE);
    await byId(TID.createIdentityPassphraseRepeat).fill(PASSPHRASE);
  }
  await byId(TID.createIdentitySubmit).click();
  await byId(TID.hostChoice).click();
  await byId(TID.hostHttpPort).fill(String(await freePort()));
  await byId(TID.hostNatsPort).fill(String(await freePort()));
  await byId(TID.hostButton).click();
  await byId(TID.hostResult).waitFor({ timeout: 120_000 });
}

describe('a fresh clone', () => {
  const e2e = useE2E();

  test(
    'npm ci && npm start with a clean HOME, no UNIBUS_* and no nats-server on PATH reaches the first-run screen',
    async () => {
      const work = makeTempDir('unibus-fresh-clone-');
      const clone = join(work, 'unibus');
      const home = join(work, 'home');
      mkdirSync(home);
      const head = execFileSync('git', ['-C', PROJECT_ROOT, 'rev-parse', 'HEAD'], {
        encoding: 'utf8',
      }).trim();
      const dirty = execFileSync('git', ['-C', PROJECT_ROOT, 'status', '--porcelain'], {
        encoding: 'utf8',
      }).trim();
      if (dirty !== '')
        console.log(`[fresh-clone] checks commit ${head}; uncommitted changes are not part of it`);
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', PROJECT_ROOT, clone]);
      execFileSync('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);

      const env = freshEnv(home, pathWithoutNatsServer(join(work, 'bin')));
      expect(Object.keys(env).filter((name) => name.startsWith('UNIBUS_'))).toEqual([]);
      expect(
        env['PATH']!.split(delimiter).filter((dir) => existsSync(join(dir, 'nats-server'))),
      ).toEqual([]);
      const cached = join(
        natsServerCacheDir({ env, platform: process.platform, arch: process.arch }),
        'nats-server',
      );
      expect(existsSync(cached)).toBe(false);

      const out = new Transcript();
      const child = spawnTracked('sh', ['-c', 'npm ci && npm start'], {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => out.push(d));
      const exited = () =>
        child.exitCode !== null || child.signalCode !== null
          ? `npm ci && npm start exited (code ${child.exitCode}, signal ${child.signalCode})`
          : null;
      try {
        await out.waitFor(/added \d+ packages/, START_TIMEOUT_MS, exited);
        out.mark('npm ci');
        await out.waitFor(/nats-server v\d+\.\d+\.\d+: built in \d+ s/, START_TIMEOUT_MS, exited);
        out.mark('nats-server built');
        const url = await out.waitFor(URL_RE, START_TIMEOUT_MS, exited);
        out.mark('address printed');

        // The address the user was given, in a real (sandboxed) Chromium.
        const ui = await openShellPage(await e2e.browser(), url);
        try {
          await ui.page.getByTestId(TID.firstRun).waitFor({ timeout: 60_000 });
          out.mark('first-run screen');
          await ui.screenshot('fresh-clone-first-run');
          expect(reportedVersion(cached)).toBe(PINNED_NATS_SERVER_VERSION);

          // Hosting runs the nats-server that was just built (nothing else is on PATH).
          await createIdentityAndHost(ui.page);
          out.mark('hosting');
          expect(processesUsing(work).map((p) => p.command)).toContainEqual(
            expect.stringMatching(new RegExp(`^${cached} -c `)),
          );
          await ui.screenshot('fresh-clone-hosting');
          expect(ui.errors).toEqual([]);
        } finally {
          await ui.close();
        }
      } finally {
        // Ctrl-C, as a user would: the whole process group (npm, start.mjs, the web shell, its
        // node and nats-server) gets the signal; then nothing may run in the clone or its HOME.
        if (child.pid !== undefined && exited() === null) process.kill(-child.pid, 'SIGTERM');
        await waitUntilUnused(work, 30_000);
        out.mark('stopped');
        await removeTempDir(work); // the clone's node_modules and Go's fresh build cache
        out.mark('removed');
        console.log(
          `[fresh-clone] seconds from start: ${Object.entries(out.marks)
            .map(([what, s]) => `${what} ${s}`)
            .join(', ')}`,
        );
      }
      expect(existsSync(work)).toBe(false);
    },
    START_TIMEOUT_MS + 5 * 60_000,
  );
});

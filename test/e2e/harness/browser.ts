/**
 * Debian's Chromium, driven by playwright-core, always with its sandbox on.
 *
 * Chromium refuses its sandbox as root. As root the harness therefore launches it through
 * chromium-as-user.sh, which drops to the unprivileged user `unibus-e2e` (UNIBUS_E2E_USER) with
 * setpriv and execs Chromium: same pid, and the --remote-debugging-pipe on fds 3/4 that Playwright
 * speaks survives the exec. Not root: Chromium is launched directly, sandbox on. Never
 * --no-sandbox (the wrapper refuses it). See ../README.md.
 */
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from './paths';
import { makeTempDir, removeTempDir } from './processes';

export const CHROMIUM = process.env['UNIBUS_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
export const E2E_USER = process.env['UNIBUS_E2E_USER'] ?? 'unibus-e2e';
export const CHROMIUM_AS_USER = join(PROJECT_ROOT, 'test', 'e2e', 'harness', 'chromium-as-user.sh');

export const isRoot = (): boolean => process.getuid?.() === 0;

function userIds(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** The executable Playwright should start, after checking what it needs. Throws a readable error. */
function browserExecutable(): { executablePath: string; user?: { uid: number; gid: number } } {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)` +
        ' or point UNIBUS_E2E_CHROMIUM at a Chromium binary. Never `npx playwright install`.',
    );
  }
  if (!isRoot()) return { executablePath: CHROMIUM };

  const user = userIds(E2E_USER);
  if (user === undefined) {
    throw new Error(
      `running as root, and Chromium refuses its sandbox as root: create the unprivileged user` +
        ` '${E2E_USER}' (useradd --system --create-home --shell /usr/sbin/nologin ${E2E_USER})` +
        ' or run the tests as a normal user.',
    );
  }
  if (user.uid === 0) throw new Error(`UNIBUS_E2E_USER=${E2E_USER} is root`);
  // Playwright puts the browser profile under os.tmpdir(); the user must be able to reach it.
  if ((statSync(tmpdir()).mode & 0o001) === 0) {
    throw new Error(`${tmpdir()} is not searchable by ${E2E_USER}: set TMPDIR to e.g. /tmp`);
  }
  // A checkout can lose the executable bit; Playwright spawns the wrapper directly.
  try {
    accessSync(CHROMIUM_AS_USER, constants.X_OK);
  } catch {
    chmodSync(CHROMIUM_AS_USER, 0o755);
  }
  return { executablePath: CHROMIUM_AS_USER, user };
}

/**
 * Launches headless Chromium with its sandbox. Downloads go to a temp folder the browser's user
 * owns (`downloadsDir`), removed when the browser disconnects.
 */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, user } = browserExecutable();
  const downloadsDir = makeTempDir('unibus-e2e-downloads-');
  if (user !== undefined) chownSync(downloadsDir, user.uid, user.gid);
  const browser = await chromium.launch({
    executablePath,
    chromiumSandbox: true,
    headless: true,
    downloadsPath: downloadsDir,
    env: { ...process.env, UNIBUS_E2E_USER: E2E_USER, UNIBUS_E2E_CHROMIUM: CHROMIUM },
  });
  // A failure here is retried by cleanupAll, which reports it.
  browser.once('disconnected', () => void removeTempDir(downloadsDir).catch(() => undefined));
  return browser;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly uid: number;
  readonly command: string;
}

/**
 * The Chromium processes this worker launched (its direct children named chromium, and theirs):
 * lets a test check which user the browser really runs as.
 */
export function chromiumProcesses(rootPid: number = process.pid): ProcessInfo[] {
  const all = new Map<number, { ppid: number; uid: number; command: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      all.set(Number(entry), { ppid, uid, command });
    } catch {
      // The process ended while we looked.
    }
  }
  const found: ProcessInfo[] = [];
  const walk = (parent: number, inside: boolean): void => {
    for (const [pid, info] of all) {
      if (info.ppid !== parent) continue;
      const isChromium = /chromium/.test(info.command);
      if (isChromium) found.push({ pid, uid: info.uid, command: info.command });
      if (isChromium || inside) walk(pid, true);
    }
  };
  walk(rootPid, false);
  return found;
}

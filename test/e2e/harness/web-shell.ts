/**
 * One web shell (`npm run web -- --profile DIR --port N`) = one peer with its own profile.
 *
 * The command is read from package.json's `web` script and run without npm in between (so the
 * harness signals the shell itself); stdout/stderr are kept in memory and written to the
 * artifacts folder when a test fails or the shell does not come up. Ready = the JSON line
 * `{"event":"web-ready","url":"http://127.0.0.1:PORT/#token=TOKEN"}` on stdout.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { openShellPage, type ShellPage } from './page';
import { ARTIFACTS_DIR, PROJECT_ROOT, ensureDir, safeName } from './paths';
import { freePort } from './ports';
import { hasExited, makeTempDir, removeTempDir, spawnTracked, stopChild } from './processes';

/** Keep at most this much output per shell in memory (the head and the most recent part). */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export interface WebShellOptions {
  /** Label in logs and artifact names (default `peer1`, `peer2`, …). */
  readonly name?: string;
  /** Profile folder. Default: a fresh temp folder, deleted by stop(). A given one is kept. */
  readonly profileDir?: string;
  /** HTTP port on 127.0.0.1. Default: a free one (retried if it was taken meanwhile). */
  readonly port?: number;
  /** Extra environment for the shell. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the web-ready line (default 90 s: tsx compiles on first start). */
  readonly readyTimeoutMs?: number;
}

export interface WebShell {
  readonly name: string;
  /** The URL to open, with the token in its fragment. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly profileDir: string;
  readonly pid: number;
  /** Resolves when the shell's process exits (by stop(), a crash, or a kill from the test). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the shell printed so far (stdout and stderr, interleaved, prefixed). */
  output(): string;
  /** Opens the shell's URL in a new isolated browser context. */
  openPage(browser: Browser): Promise<ShellPage>;
  /** Pages opened with openPage that are still open. */
  readonly pages: readonly ShellPage[];
  readonly running: boolean;
  /** Writes the output into `dir` (created) as `<name>.log`; returns the path. */
  saveOutput(dir: string): string;
  /** SIGTERM, then SIGKILL to its process group; deletes the profile if the harness made it. */
  stop(): Promise<void>;
}

export interface WebShellCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly source: string;
}

const SHELL_META = /[;&|<>()$`'"\\*?~{}[\]]/;

/**
 * How to start one web shell: package.json's `web` script, run directly when it is a plain
 * `node …`; UNIBUS_E2E_WEB_SHELL_COMMAND overrides it (debugging only).
 */
export function webShellCommand(): WebShellCommand {
  // Debugging aid only (e.g. a stand-in while the shell is rewritten): a whitespace-split command.
  const override = process.env['UNIBUS_E2E_WEB_SHELL_COMMAND']?.trim();
  if (override) {
    const [first = '', ...rest] = override.split(/\s+/);
    return {
      command: first === 'node' ? process.execPath : first,
      args: rest,
      source: `UNIBUS_E2E_WEB_SHELL_COMMAND (not npm run web): ${override}`,
    };
  }
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const script = pkg.scripts?.['web'];
  if (script === undefined) throw new Error('no web shell: package.json has no `web` script');
  const words = script.trim().split(/\s+/);
  if (words[0] === 'node' && !SHELL_META.test(script)) {
    return { command: process.execPath, args: words.slice(1), source: `package.json: ${script}` };
  }
  // Anything fancier: let npm run it (the process group is still killed as a whole).
  return {
    command: 'npm',
    args: ['run', '--silent', 'web', '--'],
    source: `npm run web (${script})`,
  };
}

let shellCount = 0;

class Output {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  private dropped = 0;

  append(prefix: string, text: string): void {
    const lines = text.replace(/\n$/, '').split('\n');
    const chunk = lines.map((line) => `${prefix} ${line}\n`).join('');
    if (this.head.length < OUTPUT_LIMIT / 4) {
      this.head += chunk;
      return;
    }
    this.tail.push(chunk);
    this.tailLength += chunk.length;
    while (this.tailLength > OUTPUT_LIMIT && this.tail.length > 1) {
      const removed = this.tail.shift() ?? '';
      this.tailLength -= removed.length;
      this.dropped += removed.length;
    }
  }

  text(): string {
    const gap = this.dropped > 0 ? `[… ${this.dropped} characters left out …]\n` : '';
    return this.head + gap + this.tail.join('');
  }
}

interface Ready {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
}

/** Parses and checks the web-ready URL: loopback http, the expected port, a token in the fragment. */
export function parseReadyUrl(raw: string, expectedPort: number): Ready {
  const url = new URL(raw);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new Error(`web-ready url is not http://127.0.0.1: ${raw}`);
  }
  const port = Number(url.port);
  if (port !== expectedPort)
    throw new Error(`web-ready on port ${port}, asked for ${expectedPort}`);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  if (token === null || token === '') throw new Error(`web-ready url has no #token=: ${raw}`);
  if (url.search !== '') throw new Error(`web-ready url has a query string: ${raw}`);
  return { url: raw, origin: url.origin, port, token };
}

function waitForReady(child: ChildProcess, port: number, timeoutMs: number): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onData = (data: Buffer): void => {
      buffered += data.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        if (
          typeof event === 'object' &&
          event !== null &&
          (event as { event?: unknown }).event === 'web-ready'
        ) {
          cleanup();
          try {
            resolve(parseReadyUrl(String((event as { url?: unknown }).url), port));
          } catch (error) {
            reject(error as Error);
          }
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`web shell exited before it was ready (code ${code}, signal ${signal})`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`web shell printed no web-ready line within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

const liveShells = new Set<WebShell>();
/** Every shell started in this file (stopped ones too), for the failure artifacts. */
const allShells: WebShell[] = [];

export function startedShells(): readonly WebShell[] {
  return allShells;
}

/** Stops every shell still running (afterAll). */
export async function stopAllShells(): Promise<void> {
  await Promise.all([...liveShells].map((shell) => shell.stop()));
}

/**
 * Starts a web shell and resolves once it printed its web-ready line. On failure the output is
 * saved under test-results/e2e/artifacts/startup-<name>/ and quoted (its end) in the error.
 */
export async function startWebShell(options: WebShellOptions = {}): Promise<WebShell> {
  const name = options.name ?? `peer${++shellCount}`;
  const ownProfile = options.profileDir === undefined;
  const profileDir = options.profileDir ?? makeTempDir(`unibus-e2e-${safeName(name)}-`);
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnce(name, profileDir, ownProfile, port, options);
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) break;
    }
  }
  if (ownProfile) await removeTempDir(profileDir);
  throw lastError ?? new Error('web shell did not start');
}

async function startOnce(
  name: string,
  profileDir: string,
  ownProfile: boolean,
  port: number,
  options: WebShellOptions,
): Promise<WebShell> {
  const { command, args, source } = webShellCommand();
  const output = new Output();
  output.append('#', `${source} --profile ${profileDir} --port ${port}`);
  const child = spawnTracked(command, [...args, '--profile', profileDir, '--port', String(port)], {
    cwd: PROJECT_ROOT,
    // scripts/e2e.mjs built the renderer once; shells started together must not rebuild it.
    env: { ...process.env, UNIBUS_WEB_SKIP_BUILD: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const verbose = process.env['UNIBUS_E2E_VERBOSE'] === '1';
  child.stdout?.on('data', (data: Buffer) => {
    output.append('out|', data.toString('utf8'));
    if (verbose) process.stderr.write(`[${name}] ${data.toString('utf8')}`);
  });
  child.stderr?.on('data', (data: Buffer) => {
    output.append('err|', data.toString('utf8'));
    if (verbose) process.stderr.write(`[${name}] ${data.toString('utf8')}`);
  });
  child.on('exit', (code, signal) => output.append('#', `exited: code ${code}, signal ${signal}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  let ready: Ready;
  try {
    ready = await waitForReady(child, port, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    await stopChild(child);
    const text = output.text();
    const saved = saveText(join(ARTIFACTS_DIR, `startup-${safeName(name)}`), name, text);
    const tail = text.split('\n').slice(-40).join('\n');
    const inUse = /EADDRINUSE/.test(text) ? ' (EADDRINUSE)' : '';
    throw new Error(
      `${(error as Error).message}${inUse}\n  command: ${source}\n  output: ${saved}\n${tail}`,
    );
  }

  const pages: ShellPage[] = [];
  let stopping: Promise<void> | undefined;
  const shell: WebShell = {
    name,
    ...ready,
    profileDir,
    pid: child.pid ?? -1,
    exited,
    pages,
    get running() {
      return !hasExited(child);
    },
    output: () => output.text(),
    async openPage(browser) {
      const page = await openShellPage(browser, ready.url);
      pages.push(page);
      page.page.once('close', () => {
        const index = pages.indexOf(page);
        if (index >= 0) pages.splice(index, 1);
      });
      return page;
    },
    saveOutput: (dir) => saveText(dir, name, output.text()),
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(pages.map((page) => page.close()));
        await stopChild(child);
        liveShells.delete(shell);
        if (ownProfile) await removeTempDir(profileDir);
      })();
      return stopping;
    },
  };
  liveShells.add(shell);
  allShells.push(shell);
  return shell;
}

function saveText(dir: string, name: string, text: string): string {
  const path = join(ensureDir(dir), `${safeName(name)}.log`);
  writeFileSync(path, text);
  return path;
}

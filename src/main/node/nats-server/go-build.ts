/**
 * Building the pinned nats-server once with `go install` (step 5 of ./resolve.ts).
 *
 * - Go builds into a fresh temp folder next to the target and the binary is renamed into place
 *   when it reports the right version: a build that is killed never leaves a half binary.
 * - A lock file (`.build.lock`, holding the builder's pid) keeps two starts from building at once:
 *   the second waits for the first and uses its binary. A lock whose process is gone is stale
 *   and taken over. (Two processes taking over the same stale lock at the same instant can both
 *   build; the renames are atomic, so the result is still one whole binary.)
 * - Progress is reported as events; `printBuildProgress` renders them as one line.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/** No usable nats-server and no way to build one here; the message says what to do. */
export class NatsServerMissingError extends Error {
  override readonly name = 'NatsServerMissingError';
}

/** Go was there but the build failed; the message carries the end of Go's output. */
export class NatsServerBuildError extends Error {
  override readonly name = 'NatsServerBuildError';
}

export interface BuildProgress {
  readonly stage: 'waiting' | 'building' | 'built';
  readonly version: string;
  readonly elapsedMs: number;
  /** building: Go's latest output line; waiting: the pid of the process that builds. */
  readonly detail?: string;
  /** built: where the binary is. */
  readonly path?: string;
}

export interface GoBuildOptions {
  readonly module: string;
  readonly version: string;
  /** Final folder; the binary is `<dir>/<exe>`. */
  readonly dir: string;
  readonly exe: string;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** True when `bin` is a finished binary of the wanted version. */
  readonly isBuilt: (bin: string) => boolean;
  readonly onProgress?: (progress: BuildProgress) => void;
  /** How long to wait for another process's build. Default 30 minutes. */
  readonly maxLockWaitMs?: number;
}

/** The oldest Go that fetches the Go release a module asks for by itself (GOTOOLCHAIN). */
const MIN_GO_MINOR = 21;
const LOCK_POLL_MS = 500;
/** A lock file still empty after this long was left by a process killed while writing it. */
const EMPTY_LOCK_STALE_MS = 10_000;

/** The one sentence a user needs when Go is missing. */
export function goMissingSentence(version: string, platform: NodeJS.Platform): string {
  const command =
    platform === 'darwin'
      ? '`brew install go`'
      : platform === 'win32'
        ? '`winget install GoLang.Go`'
        : '`sudo apt-get install golang-go` on Debian 13, Ubuntu 24.04 or newer';
  return `Hosting a node needs nats-server ${version}, and Go is not installed to build it: install Go 1.${MIN_GO_MINOR} or later (${command}, or from https://go.dev/dl/) and try again.`;
}

function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string | null {
  const exe = platform === 'win32' ? `${name}.exe` : name;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, exe), constants.X_OK);
      if (statSync(join(dir, exe)).isFile()) return join(dir, exe);
    } catch {
      // not here
    }
  }
  return null;
}

function goVersion(go: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(go, ['env', 'GOVERSION'], { env, timeout: 30_000 }, (error, stdout) =>
      resolve(error ? null : stdout.trim()),
    );
  });
}

const inFlight = new Map<string, Promise<string>>();

/** Builds (once per target, also across concurrent calls in this process); returns the path. */
export function buildNatsServerWithGo(options: GoBuildOptions): Promise<string> {
  const target = join(options.dir, options.exe);
  let build = inFlight.get(target);
  if (build === undefined) {
    build = buildOnce(options, target).finally(() => inFlight.delete(target));
    inFlight.set(target, build);
  }
  return build;
}

async function buildOnce(options: GoBuildOptions, target: string): Promise<string> {
  const { version, platform } = options;
  const go = findOnPath('go', options.env, platform);
  if (go === null) throw new NatsServerMissingError(goMissingSentence(version, platform));
  const goRelease = await goVersion(go, options.env);
  const minor = /^go1\.(\d+)/.exec(goRelease ?? '')?.[1];
  if (minor !== undefined && Number(minor) < MIN_GO_MINOR) {
    throw new NatsServerMissingError(
      `${goRelease} is too old to build nats-server ${version}: install Go 1.${MIN_GO_MINOR} or later (https://go.dev/dl/) and try again.`,
    );
  }
  await mkdir(options.dir, { recursive: true });
  const started = Date.now();
  const report = (p: Omit<BuildProgress, 'version' | 'elapsedMs'>): void =>
    options.onProgress?.({ ...p, version, elapsedMs: Date.now() - started });
  const release = await acquireLock(join(options.dir, '.build.lock'), options, report);
  try {
    if (options.isBuilt(target)) return target; // another process built it while we waited
    await removeLeftoverBuilds(options.dir); // from builds that were killed
    const temp = await mkdtemp(join(options.dir, '.build-'));
    try {
      const built = await goInstall(go, options, temp, report);
      if (!options.isBuilt(built)) {
        throw new NatsServerBuildError(
          `go install wrote ${built}, which is not nats-server ${version}`,
        );
      }
      await chmod(built, 0o755);
      await rename(built, target);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    report({ stage: 'built', path: target });
    return target;
  } finally {
    await release();
  }
}

async function goInstall(
  go: string,
  options: GoBuildOptions,
  gobin: string,
  report: (p: Omit<BuildProgress, 'version' | 'elapsedMs'>) => void,
): Promise<string> {
  const toolchain = options.env['GOTOOLCHAIN'];
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    GOBIN: gobin,
    CGO_ENABLED: '0',
    // The module names the Go release it needs; let an older Go fetch it (Debian's Go sets
    // GOTOOLCHAIN=local in its go.env).
    GOTOOLCHAIN: toolchain && toolchain !== 'local' ? toolchain : 'auto',
  };
  const pkg = `${options.module}@${options.version}`;
  const child = spawn(go, ['install', '-trimpath', '-ldflags=-s -w', pkg], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let last = `go install ${pkg}`;
  const onLine = (line: string): void => {
    if (line.trim() === '') return;
    last = line.trim();
    tail.push(last);
    if (tail.length > 15) tail.shift();
    report({ stage: 'building', detail: last });
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  report({ stage: 'building', detail: last });
  // Go is silent while it compiles: keep the elapsed time moving.
  const ticker = setInterval(() => report({ stage: 'building', detail: last }), 1_000);
  try {
    const [code, signal] = (await Promise.race([
      once(child, 'exit'),
      once(child, 'error').then(([error]) => Promise.reject(error as Error)),
    ])) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new NatsServerBuildError(
        `building nats-server ${options.version} with Go failed (go install ${code === null ? `killed by ${signal}` : `exit ${code}`}):\n${tail.join('\n')}`,
      );
    }
  } finally {
    clearInterval(ticker);
  }
  return join(gobin, options.exe);
}

async function removeLeftoverBuilds(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.build-')) await rm(join(dir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the lock, or null when the lock is stale (or gone). */
function lockHolder(file: string): number | null {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(file, 'utf8').trim();
    ageMs = Date.now() - statSync(file).mtimeMs;
  } catch {
    return null;
  }
  if (text === '') return ageMs > EMPTY_LOCK_STALE_MS ? null : -1;
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  // Our own pid: left by an earlier process that had it (builds in this process are joined
  // through `inFlight` before they reach the lock).
  if (pid === process.pid) return null;
  return isAlive(pid) ? pid : null;
}

async function acquireLock(
  file: string,
  options: GoBuildOptions,
  report: (p: Omit<BuildProgress, 'version' | 'elapsedMs'>) => void,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + (options.maxLockWaitMs ?? 30 * 60_000);
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(file);
    if (holder === null) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new NatsServerBuildError(
        `another process (pid ${holder}) has been building nats-server ${options.version} for too long; if no build is running, remove ${file} and start again`,
      );
    }
    report({ stage: 'waiting', detail: String(holder) });
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * Renders progress as one line: redrawn in place on a terminal; elsewhere (logs, pipes) one line
 * when a build (or the wait for one) begins and one when it is done.
 */
export function printBuildProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
): (progress: BuildProgress) => void {
  let printed: BuildProgress['stage'] | null = null;
  return (p) => {
    const seconds = Math.round(p.elapsedMs / 1000);
    const text =
      p.stage === 'built'
        ? `nats-server ${p.version}: built in ${seconds} s (${p.path ?? ''})`
        : p.stage === 'waiting'
          ? `nats-server ${p.version}: waiting for another start to finish building it (pid ${p.detail ?? '?'}, ${seconds} s)`
          : `nats-server ${p.version}: building it once with Go, a minute or two (${seconds} s): ${p.detail ?? ''}`;
    if (stream.isTTY) {
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[2K${text.slice(0, width)}${p.stage === 'built' ? '\n' : ''}`);
      return;
    }
    if (p.stage !== printed) {
      stream.write(`${p.stage === 'building' ? text.replace(/\s+\(\d+ s\).*$/, '…') : text}\n`);
      printed = p.stage;
    }
  };
}

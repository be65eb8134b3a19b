/**
 * Which nats-server binary the node runs: one resolver for the node, the tests and the scripts.
 *
 *   1. an explicit path: the caller's option, else `$UNIBUS_NATS_SERVER` (used as given);
 *   2. the packaged app's copy: `<resourcesPath>/nats-server/<platform>-<arch>/nats-server`;
 *   3. the cached build of the pinned release:
 *      `<user cache>/unibus/nats-server/<pin>/<platform>-<arch>/nats-server`;
 *   4. `nats-server` on PATH, only when its `--version` is the pinned release;
 *   5. `ensureNatsServer` only: build the pinned release once with `go install` into the cache
 *      (./go-build.ts).
 *
 * The pin is resources/nats-server/VERSION (read by .ci/run and scripts/build-nats-server.mjs);
 * a unit test keeps PINNED_NATS_SERVER_VERSION equal to it, because a bundled app cannot find
 * that file next to its code.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { buildNatsServerWithGo, NatsServerMissingError, type BuildProgress } from './go-build.js';
import { parseNatsServerVersion } from './version.js';

export const PINNED_NATS_SERVER_VERSION = 'v2.14.9';
export const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';
export { NatsServerMissingError };
export const NATS_SERVER_ENV = 'UNIBUS_NATS_SERVER';

export interface NatsServerLookup {
  /** An explicit binary: wins over everything, used as given. */
  readonly bin?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** Electron's `process.resourcesPath` (a packaged app ships nats-server there). */
  readonly resourcesPath?: string;
  /** Default PINNED_NATS_SERVER_VERSION (`vX.Y.Z`). */
  readonly version?: string;
}

export type NatsServerSource = 'option' | 'env' | 'bundled' | 'cache' | 'path' | 'built';

export interface FoundNatsServer {
  readonly path: string;
  readonly source: NatsServerSource;
  /** Candidates that were passed over and why (e.g. a nats-server on PATH of another version). */
  readonly notes: readonly string[];
}

interface Resolved {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly version: string;
  readonly exe: string;
}

function resolved(lookup: NatsServerLookup): Resolved {
  const platform = lookup.platform ?? process.platform;
  return {
    env: lookup.env ?? process.env,
    platform,
    arch: lookup.arch ?? process.arch,
    version: lookup.version ?? PINNED_NATS_SERVER_VERSION,
    exe: platform === 'win32' ? 'nats-server.exe' : 'nats-server',
  };
}

/** The user's cache folder (XDG on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows). */
export function userCacheRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = (platform === 'win32' ? env['USERPROFILE'] : env['HOME']) || homedir();
  if (platform === 'win32') return env['LOCALAPPDATA'] || join(home, 'AppData', 'Local');
  if (platform === 'darwin') return join(home, 'Library', 'Caches');
  const xdg = env['XDG_CACHE_HOME'];
  return xdg && isAbsolute(xdg) ? xdg : join(home, '.cache');
}

/** Folder of the cached build of one release for one platform. */
export function natsServerCacheDir(lookup: NatsServerLookup = {}): string {
  const r = resolved(lookup);
  const root = userCacheRoot(r.env, r.platform);
  return join(root, 'unibus', 'nats-server', r.version, `${r.platform}-${r.arch}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const versionMemo = new Map<string, string | null>();

/** `vX.Y.Z` as the binary reports it, or null when it cannot say (memoized per file state). */
export function reportedVersion(bin: string): string | null {
  let key: string;
  try {
    const s = statSync(bin);
    key = `${bin}\0${s.mtimeMs}\0${s.size}`;
  } catch {
    return null;
  }
  const memo = versionMemo.get(key);
  if (memo !== undefined) return memo;
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  let version: string | null = null;
  try {
    if (run.status === 0) version = `v${parseNatsServerVersion(run.stdout || run.stderr).text}`;
  } catch {
    version = null;
  }
  versionMemo.set(key, version);
  return version;
}

/** Steps 1–4 (no build). `path: null` with the notes when nothing usable is there. */
export function findNatsServer(
  lookup: NatsServerLookup = {},
): FoundNatsServer | { readonly path: null; readonly notes: readonly string[] } {
  const r = resolved(lookup);
  const explicit: [string | undefined, NatsServerSource, string][] = [
    [lookup.bin, 'option', 'the nats-server given'],
    [r.env[NATS_SERVER_ENV], 'env', NATS_SERVER_ENV],
  ];
  for (const [path, source, what] of explicit) {
    if (!path) continue;
    if (!isExecutable(path))
      throw new NatsServerMissingError(`${what} (${path}) is not executable`);
    return { path, source, notes: [] };
  }
  const notes: string[] = [];
  const resourcesPath =
    lookup.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) {
    const bundled = join(resourcesPath, 'nats-server', `${r.platform}-${r.arch}`, r.exe);
    if (isExecutable(bundled)) return { path: bundled, source: 'bundled', notes };
  }
  const cached = join(natsServerCacheDir(lookup), r.exe);
  if (isExecutable(cached)) {
    const version = reportedVersion(cached);
    if (version === r.version) return { path: cached, source: 'cache', notes };
    notes.push(`the cached ${cached} reports ${version ?? 'no version'}, not ${r.version}`);
  }
  for (const dir of (r.env['PATH'] ?? '').split(delimiter)) {
    const candidate = dir ? join(dir, r.exe) : '';
    if (!candidate || !isExecutable(candidate)) continue;
    const version = reportedVersion(candidate);
    if (version === r.version) return { path: candidate, source: 'path', notes };
    notes.push(
      `${candidate} on PATH is ${version ?? 'of unknown version'}, not the pinned ${r.version}`,
    );
  }
  return { path: null, notes };
}

/**
 * Steps 1–4, synchronously (the supervisor's default and the test launcher). Throws
 * NatsServerMissingError naming the way to get the binary.
 */
export function resolveNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const found = findNatsServer({ env });
  if (found.path !== null) return found.path;
  const why = found.notes.length > 0 ? ` (${found.notes.join('; ')})` : '';
  throw new NatsServerMissingError(
    `nats-server ${PINNED_NATS_SERVER_VERSION} is not built yet${why}: run \`node scripts/nats-server.mjs\` (or \`npm start\`) once, which builds it with Go, or set ${NATS_SERVER_ENV} to a nats-server binary`,
  );
}

export interface EnsureOptions extends NatsServerLookup {
  /** One-line progress of a build (or of waiting for another process's build). */
  readonly onProgress?: (progress: BuildProgress) => void;
}

/** Steps 1–5: finds the binary, or builds the pinned release once into the user's cache. */
export async function ensureNatsServer(options: EnsureOptions = {}): Promise<FoundNatsServer> {
  const found = findNatsServer(options);
  if (found.path !== null) return found;
  const r = resolved(options);
  const path = await buildNatsServerWithGo({
    module: NATS_SERVER_MODULE,
    version: r.version,
    dir: natsServerCacheDir(options),
    exe: r.exe,
    env: r.env,
    platform: r.platform,
    isBuilt: (bin) => isExecutable(bin) && reportedVersion(bin) === r.version,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { path, source: 'built', notes: found.notes };
}

/**
 * The nats-server resolver with stand-in binaries: shell scripts that print a version, and a
 * stand-in `go` that "builds" one. The real `go install` runs in test/e2e/fresh-clone.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NatsServerBuildError,
  NatsServerMissingError,
  printBuildProgress,
  type BuildProgress,
} from '../go-build.js';
import {
  PINNED_NATS_SERVER_VERSION as PIN,
  ensureNatsServer,
  findNatsServer,
  natsServerCacheDir,
  resolveNatsServerBinary,
  userCacheRoot,
} from '../resolve.js';

const root = mkdtempSync(join(tmpdir(), 'unibus-resolve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const fresh = (name: string): string => {
  const dir = join(root, `${name}-${++seq}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
/** A stand-in nats-server that only answers --version. */
const fakeServer = (dir: string, version: string): string =>
  script(join(dir, 'nats-server'), `echo "nats-server: ${version}"`);

/**
 * A stand-in Go: `go env GOVERSION` prints `release`; `go install` records its environment in
 * `<dir>/calls`, optionally waits for `<dir>/go-on` to exist, then writes a nats-server of
 * `builds` into $GOBIN (or fails with exit 1 when `builds` is 'fail').
 */
function fakeGo(dir: string, release: string, builds: string, waitForFile = false): string {
  const calls = join(dir, 'calls');
  const wait = waitForFile
    ? `i=0; while [ ! -e "${dir}/go-on" ] && [ $i -lt 600 ]; do /bin/sleep 0.05; i=$((i+1)); done`
    : '';
  const install =
    builds === 'fail'
      ? 'echo "go: github.com/nats-io/nats-server/v2: no route to proxy.golang.org" >&2; exit 1'
      : `printf '#!/bin/sh\\necho "nats-server: ${builds}"\\n' > "$GOBIN/nats-server"; /bin/chmod 755 "$GOBIN/nats-server"`;
  return script(
    join(dir, 'go'),
    [
      `if [ "$1" = env ]; then echo ${release}; exit 0; fi`,
      `echo "GOBIN=$GOBIN GOTOOLCHAIN=$GOTOOLCHAIN CGO_ENABLED=$CGO_ENABLED args=$*" >> "${calls}"`,
      wait,
      'echo "go: downloading github.com/nats-io/nats-server/v2" >&2',
      install,
    ].join('\n'),
  );
}

/** An environment with only `pathDirs` on PATH and the user cache under `home`. */
const envOf = (home: string, ...pathDirs: string[]): NodeJS.ProcessEnv => ({
  HOME: home,
  PATH: pathDirs.join(':'),
  GOTOOLCHAIN: 'local',
});

const callsOf = (goDir: string): string[] =>
  existsSync(join(goDir, 'calls'))
    ? readFileSync(join(goDir, 'calls'), 'utf8').trim().split('\n')
    : [];

describe('the pin', () => {
  it('is resources/nats-server/VERSION', () => {
    const file = join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      '..',
      '..',
      'resources',
      'nats-server',
    );
    expect(readFileSync(join(file, 'VERSION'), 'utf8').trim()).toBe(PIN);
  });
});

describe('the cache folder', () => {
  it('follows each platform', () => {
    expect(userCacheRoot({ HOME: '/h' }, 'linux')).toBe('/h/.cache');
    expect(userCacheRoot({ HOME: '/h', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x');
    expect(userCacheRoot({ HOME: '/h', XDG_CACHE_HOME: 'relative' }, 'linux')).toBe('/h/.cache');
    expect(userCacheRoot({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Caches');
    expect(userCacheRoot({ LOCALAPPDATA: 'C:\\L' }, 'win32')).toBe('C:\\L');
    expect(natsServerCacheDir({ env: { HOME: '/h' }, platform: 'linux', arch: 'x64' })).toBe(
      `/h/.cache/unibus/nats-server/${PIN}/linux-x64`,
    );
  });
});

describe('findNatsServer', () => {
  it('passes over a nats-server on PATH of another version and says why', () => {
    const home = fresh('home');
    const wrong = fresh('wrong');
    const right = fresh('right');
    fakeServer(wrong, 'v2.9.10');
    fakeServer(right, PIN);
    const found = findNatsServer({ env: envOf(home, wrong, right) });
    expect(found).toMatchObject({ path: join(right, 'nats-server'), source: 'path' });
    expect(found.notes).toEqual([
      `${join(wrong, 'nats-server')} on PATH is v2.9.10, not the pinned ${PIN}`,
    ]);
    const none = findNatsServer({ env: envOf(home, wrong) });
    expect(none.path).toBeNull();
    expect(() => resolveNatsServerBinary(envOf(home, wrong))).toThrow(
      /is not built yet \(.*v2\.9\.10, not the pinned.*node scripts\/nats-server\.mjs/,
    );
    expect(() => resolveNatsServerBinary(envOf(home, wrong))).toThrow(NatsServerMissingError);
  });

  it('a script that prints no version is not taken for the pinned one', () => {
    const dir = fresh('noversion');
    script(join(dir, 'nats-server'), 'echo hello');
    const found = findNatsServer({ env: envOf(fresh('home'), dir) });
    expect(found.path).toBeNull();
    expect(found.notes[0]).toMatch(/of unknown version/);
  });

  it('order: explicit option, $UNIBUS_NATS_SERVER, bundled, cache, PATH', () => {
    const home = fresh('home');
    const onPath = fresh('path');
    fakeServer(onPath, PIN);
    const resources = fresh('resources');
    const bundledDir = join(resources, 'nats-server', `${process.platform}-${process.arch}`);
    mkdirSync(bundledDir, { recursive: true });
    const bundled = fakeServer(bundledDir, 'v2.14.8'); // the app ships what it ships
    const cacheDir = natsServerCacheDir({ env: envOf(home) });
    mkdirSync(cacheDir, { recursive: true });
    const cached = fakeServer(cacheDir, PIN);
    const fromEnv = fakeServer(fresh('env'), 'v2.12.1');
    const option = fakeServer(fresh('option'), 'v2.12.2');
    const env: NodeJS.ProcessEnv = { ...envOf(home, onPath), UNIBUS_NATS_SERVER: fromEnv };
    const lookup = { env, resourcesPath: resources };
    expect(findNatsServer({ ...lookup, bin: option })).toMatchObject({ path: option });
    expect(findNatsServer(lookup)).toMatchObject({ path: fromEnv, source: 'env' });
    delete env.UNIBUS_NATS_SERVER;
    expect(findNatsServer(lookup)).toMatchObject({ path: bundled, source: 'bundled' });
    expect(findNatsServer({ env })).toMatchObject({ path: cached, source: 'cache' });
    rmSync(cached);
    expect(findNatsServer({ env })).toMatchObject({ source: 'path' });
  });

  it('an explicit path that is not executable is an error, not a silent fallback', () => {
    const env = { ...envOf(fresh('home')), UNIBUS_NATS_SERVER: join(root, 'missing') };
    expect(() => findNatsServer({ env })).toThrow(
      /UNIBUS_NATS_SERVER \(.*missing\) is not executable/,
    );
  });

  it('a cached binary of another version is passed over', () => {
    const home = fresh('home');
    const cacheDir = natsServerCacheDir({ env: envOf(home) });
    mkdirSync(cacheDir, { recursive: true });
    fakeServer(cacheDir, 'v2.14.1');
    const found = findNatsServer({ env: envOf(home) });
    expect(found.path).toBeNull();
    expect(found.notes[0]).toMatch(/reports v2\.14\.1, not/);
  });
});

describe('ensureNatsServer builds the pinned release with Go', () => {
  it('once, through a temp folder inside the cache, with GOTOOLCHAIN=auto', async () => {
    const home = fresh('home');
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.22.4', PIN);
    const wrong = fresh('wrong');
    fakeServer(wrong, 'v2.9.10');
    const env = envOf(home, goDir, wrong);
    const progress: BuildProgress[] = [];
    const [a, b] = await Promise.all([
      ensureNatsServer({ env, onProgress: (p) => progress.push(p) }),
      ensureNatsServer({ env }),
    ]);
    const cacheDir = natsServerCacheDir({ env });
    expect(a).toMatchObject({ path: join(cacheDir, 'nats-server'), source: 'built' });
    expect(a.notes[0]).toMatch(/v2\.9\.10, not the pinned/);
    expect(b.path).toBe(a.path);
    const calls = callsOf(goDir);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(
      new RegExp(
        `^GOBIN=${cacheDir}/\\.build-\\w+ GOTOOLCHAIN=auto CGO_ENABLED=0 args=install .*github\\.com/nats-io/nats-server/v2@${PIN}$`,
      ),
    );
    expect(readdirSync(cacheDir).sort()).toEqual(['nats-server']); // no lock, no temp folder
    expect(progress.map((p) => p.stage)).toContain('building');
    expect(progress.at(-1)).toMatchObject({ stage: 'built', path: a.path, version: PIN });
    // Afterwards it is found in the cache, without Go.
    expect(findNatsServer({ env: envOf(home) })).toMatchObject({ source: 'cache' });
    await ensureNatsServer({ env });
    expect(callsOf(goDir)).toHaveLength(1);
  });

  it('waits for another process that holds the lock and uses its binary', async () => {
    const home = fresh('home');
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.26.0', PIN);
    const env = envOf(home, goDir);
    const cacheDir = natsServerCacheDir({ env });
    mkdirSync(cacheDir, { recursive: true });
    const other = spawn('/bin/sleep', ['60']); // a live process "building"
    try {
      writeFileSync(join(cacheDir, '.build.lock'), `${other.pid}\n`);
      let waiting: () => void = () => {};
      const sawWaiting = new Promise<void>((resolve) => (waiting = resolve));
      const ensured = ensureNatsServer({
        env,
        onProgress: (p) => {
          if (p.stage === 'waiting' && p.detail === String(other.pid)) waiting();
        },
      });
      await sawWaiting;
      // The other process finishes: its binary appears, then its lock goes.
      fakeServer(cacheDir, PIN);
      rmSync(join(cacheDir, '.build.lock'));
      expect(await ensured).toMatchObject({ path: join(cacheDir, 'nats-server') });
      expect(callsOf(goDir)).toEqual([]);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that is gone, and clears a killed build', async () => {
    const home = fresh('home');
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.26.0', PIN);
    const env = envOf(home, goDir);
    const cacheDir = natsServerCacheDir({ env });
    mkdirSync(join(cacheDir, '.build-killed'), { recursive: true });
    writeFileSync(join(cacheDir, '.build-killed', 'nats-server'), '#!/bin/sh\n# half'); // killed mid-write
    const gone = spawn('/bin/true');
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(cacheDir, '.build.lock'), `${gone.pid}\n`);
    const found = await ensureNatsServer({ env });
    expect(found.source).toBe('built');
    expect(readdirSync(cacheDir)).toEqual(['nats-server']);
    expect(callsOf(goDir)).toHaveLength(1);
  });

  it('a failed build leaves nothing behind and shows the end of Go output', async () => {
    const home = fresh('home');
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.26.0', 'fail');
    const env = envOf(home, goDir);
    const error = await ensureNatsServer({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsServerBuildError);
    expect((error as Error).message).toMatch(/exit 1\):\n.*\n.*no route to proxy\.golang\.org/);
    expect(readdirSync(natsServerCacheDir({ env }))).toEqual([]);
  });

  it('a build that writes another version is refused and not cached', async () => {
    const home = fresh('home');
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.26.0', 'v2.10.1');
    const env = envOf(home, goDir);
    await expect(ensureNatsServer({ env })).rejects.toThrow(/which is not nats-server v2\.14/);
    expect(readdirSync(natsServerCacheDir({ env }))).toEqual([]);
  });

  it('without Go: one sentence naming the command that fixes it', async () => {
    const env = envOf(fresh('home'), fresh('empty'));
    const error = await ensureNatsServer({ env, platform: 'linux' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsServerMissingError);
    expect((error as Error).message).toBe(
      `Hosting a node needs nats-server ${PIN}, and Go is not installed to build it: install Go 1.21 or later (\`sudo apt-get install golang-go\` on Debian 13, Ubuntu 24.04 or newer, or from https://go.dev/dl/) and try again.`,
    );
  });

  it('with a Go too old to fetch the release the module needs: says so', async () => {
    const goDir = fresh('go');
    fakeGo(goDir, 'go1.19.8', PIN);
    const env = envOf(fresh('home'), goDir);
    await expect(ensureNatsServer({ env })).rejects.toThrow(
      /^go1\.19\.8 is too old to build nats-server v2\.14\.\d+: install Go 1\.21 or later/,
    );
    expect(callsOf(goDir)).toEqual([]);
  });
});

describe('printBuildProgress', () => {
  const progress = (stage: BuildProgress['stage'], elapsedMs: number, detail?: string) => ({
    stage,
    version: PIN,
    elapsedMs,
    ...(detail !== undefined ? { detail } : {}),
    ...(stage === 'built' ? { path: '/c/nats-server' } : {}),
  });
  const run = (isTTY: boolean): string => {
    let out = '';
    const stream = { isTTY, columns: 200, write: (s: string) => ((out += s), true) };
    const print = printBuildProgress(stream as unknown as NodeJS.WriteStream);
    print(progress('building', 0, 'go install x'));
    print(progress('building', 1_000, 'go: downloading y'));
    print(progress('built', 61_400));
    return out;
  };

  it('off a terminal: one line when the build starts, one when it is done', () => {
    expect(run(false)).toBe(
      `nats-server ${PIN}: building it once with Go, a minute or two…\n` +
        `nats-server ${PIN}: built in 61 s (/c/nats-server)\n`,
    );
  });

  it('on a terminal: one line redrawn in place', () => {
    const out = run(true);
    expect(out.split('\n')).toHaveLength(2); // one finished line
    expect(out.split('\r\x1b[2K')).toHaveLength(4);
    expect(out).toContain('(1 s): go: downloading y');
  });
});

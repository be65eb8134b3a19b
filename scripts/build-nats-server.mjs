#!/usr/bin/env node
// Cross-compiles the pinned nats-server for the platforms the app ships on, into
// resources/nats-server/<platform>-<arch>/nats-server[.exe] (Node's platform/arch names, the ones
// electron-builder's `${platform}-${arch}` and Electron's process.platform/arch use).
//
//   node scripts/build-nats-server.mjs                        all targets
//   node scripts/build-nats-server.mjs --target linux/amd64   one target (Go's os/arch; repeatable)
//   node scripts/build-nats-server.mjs --out DIR              another output folder
//
// The version comes from resources/nats-server/VERSION (also read by .ci/run). Each target is a
// `go install module@version` with CGO_ENABLED=0 and GOOS/GOARCH into a throwaway GOPATH, so the
// build resolves dependencies exactly as `go install` does (the module's own go.mod), reuses the
// warm module and build caches, and leaves nothing behind but the binary.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';
export const VERSION_FILE = join(projectRoot, 'resources', 'nats-server', 'VERSION');

/** Go os/arch → the folder name the app looks in (Node platform-arch). */
export const TARGETS = Object.freeze({
  'linux/amd64': 'linux-x64',
  'linux/arm64': 'linux-arm64',
  'darwin/amd64': 'darwin-x64',
  'darwin/arm64': 'darwin-arm64',
  'windows/amd64': 'win32-x64',
});

export function readPinnedVersion(file = VERSION_FILE) {
  const version = readFileSync(file, 'utf8').trim();
  if (!/^v\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${file}: expected a version like v2.14.9, found ${JSON.stringify(version)}`);
  }
  return version;
}

function parseArgs(argv) {
  const targets = [];
  let out = join(projectRoot, 'resources', 'nats-server');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--target') targets.push(value());
    else if (arg.startsWith('--target=')) targets.push(arg.slice('--target='.length));
    else if (arg === '--out') out = resolve(value());
    else if (arg.startsWith('--out=')) out = resolve(arg.slice('--out='.length));
    else if (arg === '--help' || arg === '-h') return { help: true, targets, out };
    else throw new Error(`unknown argument: ${arg}`);
  }
  for (const target of targets) {
    if (!Object.hasOwn(TARGETS, target)) {
      throw new Error(`unknown target ${target}; one of: ${Object.keys(TARGETS).join(', ')}`);
    }
  }
  return { help: false, targets: targets.length > 0 ? targets : Object.keys(TARGETS), out };
}

/** The value `go env NAME` reports (module cache, host os/arch). */
function goEnv(name) {
  const result = spawnSync('go', ['env', name], { encoding: 'utf8' });
  if (result.error) throw new Error(`go is not installed or not on PATH (${result.error.message})`);
  if (result.status !== 0) throw new Error(`go env ${name} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Builds one target; returns the path of the binary it wrote. */
export function buildTarget(target, { version, out }) {
  const [goos, goarch] = target.split('/');
  const exe = goos === 'windows' ? 'nats-server.exe' : 'nats-server';
  const gopath = mkdtempSync(join(tmpdir(), 'unibus-nats-build-'));
  try {
    const env = {
      ...process.env,
      GOPATH: gopath,
      // Keep the machine's (warm) module cache although GOPATH is a fresh folder.
      GOMODCACHE: goEnv('GOMODCACHE'),
      GOBIN: '', // `go install` refuses GOBIN for a cross-compiled binary
      GOOS: goos,
      GOARCH: goarch,
      CGO_ENABLED: '0',
      GOFLAGS: [process.env.GOFLAGS ?? '', '-buildvcs=false'].join(' ').trim(),
      // The module names the Go release it needs; fetch it if the local one is older.
      GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
    };
    const pkg = `${NATS_SERVER_MODULE}@${version}`;
    process.stderr.write(`build-nats-server: ${pkg} for ${target}\n`);
    const result = spawnSync('go', ['install', '-trimpath', '-ldflags=-s -w', pkg], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.error)
      throw new Error(`go is not installed or not on PATH (${result.error.message})`);
    if (result.status !== 0) throw new Error(`go install ${pkg} for ${target} failed`);
    // Native builds land in $GOPATH/bin, cross builds in $GOPATH/bin/<goos>_<goarch>.
    const native = goEnv('GOHOSTOS') === goos && goEnv('GOHOSTARCH') === goarch;
    const built = native ? join(gopath, 'bin', exe) : join(gopath, 'bin', `${goos}_${goarch}`, exe);
    const destination = join(out, TARGETS[target], exe);
    mkdirSync(dirname(destination), { recursive: true });
    copyFileSync(built, destination);
    chmodSync(destination, 0o755);
    return destination;
  } finally {
    // The module cache is read-only by design; the temporary GOPATH holds only bin/.
    rmSync(gopath, { recursive: true, force: true });
  }
}

function main(argv) {
  const { help, targets, out } = parseArgs(argv);
  if (help) {
    process.stdout.write(
      `usage: node scripts/build-nats-server.mjs [--target OS/ARCH]... [--out DIR]\n` +
        `targets: ${Object.keys(TARGETS).join(', ')} (default: all)\n`,
    );
    return;
  }
  const version = readPinnedVersion();
  for (const target of targets) {
    const binary = buildTarget(target, { version, out });
    process.stdout.write(`${binary}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`build-nats-server: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}

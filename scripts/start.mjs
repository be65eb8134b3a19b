#!/usr/bin/env node
// `npm start`: the app on its embedded default, with nothing else to set up.
//   1. nats-server at the pinned release (hosting a node needs it): found, or built once with Go
//      into the user's cache (src/main/node/nats-server/resolve.ts). Without Go this says what to
//      install and goes on: joining a team needs no nats-server.
//   2. the Electron app (electron-vite preview), when Electron can start here: its binary is there
//      or can be downloaded, and (Linux) there is a desktop session;
//   3. otherwise the same UI in the browser: the web shell on the default profile
//      ($UNIBUS_HOME/profile, default ~/.local/share/unibus/profile). It prints the address (with
//      its one-time token) and opens the browser where there is a desktop session. The UI asks
//      for the passphrase itself.
// `npx unibus node start` is the headless way to host a node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(projectRoot, 'package.json'));
/** Time allowed for Electron's first-use download before giving up. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

const say = (line) => process.stderr.write(`unibus: ${line}\n`);

/** Step 1. Never fails `npm start`: the UI works without it until someone hosts a node. */
async function prepareNatsServer() {
  register();
  const { ensureNatsServer } = await import('../src/main/node/nats-server/resolve.ts');
  const { printBuildProgress } = await import('../src/main/node/nats-server/go-build.ts');
  try {
    const found = await ensureNatsServer({ onProgress: printBuildProgress(process.stderr) });
    say(`nats-server ${found.path}`);
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    say('You can still join a team; hosting one needs nats-server.');
  }
}

/** Linux without DISPLAY or WAYLAND_DISPLAY has no screen for a window (or a browser). */
function hasDesktopSession() {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/**
 * `require('electron')` in a child process: it returns the binary's path (downloading it on first
 * use). A child keeps the download's output and any thrown error out of this process.
 */
function resolveElectronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) {
    return existsSync(process.env.ELECTRON_EXEC_PATH) ? process.env.ELECTRON_EXEC_PATH : null;
  }
  try {
    require.resolve('electron');
  } catch {
    return null; // the package itself is not installed
  }
  const probe = spawnSync(
    process.execPath,
    ['-e', "process.stdout.write('\\n' + require('electron'))"],
    {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: DOWNLOAD_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (probe.status !== 0 || typeof probe.stdout !== 'string') return null;
  const binary = probe.stdout.trim().split('\n').at(-1)?.trim();
  return binary && existsSync(binary) ? binary : null;
}

/** Runs `child` in the foreground: signals go to it, its exit is ours. */
function foreground(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function launchElectron(binary) {
  const electronVite = join(
    projectRoot,
    'node_modules',
    'electron-vite',
    'bin',
    'electron-vite.js',
  );
  // `preview` builds all three targets, then launches Electron on the build output.
  const child = spawn(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_EXEC_PATH: binary },
  });
  foreground(child);
}

function onPath(name) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, name)));
}

/** The desktop's "open this address" command, where there is a desktop session. */
function openInBrowser(url) {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  if (process.platform === 'linux' && !onPath('xdg-open')) return false;
  const opener = spawn(command, args, { stdio: 'ignore', detached: true });
  opener.on('error', () => say('could not open the browser: open the address above yourself.'));
  opener.unref();
  return true;
}

function startWebShell(why) {
  const home = process.env.UNIBUS_HOME ?? join(homedir(), '.local', 'share', 'unibus');
  const profileDir = join(home, 'profile');
  say(`${why}, so the app opens in your browser instead (the web shell, profile ${profileDir}).`);
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'scripts', 'web.mjs'), '--profile', profileDir],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      process.stdout.write(`${line}\n`);
      return;
    }
    if (event?.event !== 'web-ready' || typeof event.url !== 'string') return;
    const opened = hasDesktopSession() && openInBrowser(event.url);
    process.stdout.write(
      [
        '',
        `  unibus is running: ${opened ? 'your browser opens' : 'open this address in a browser on this computer'}`,
        `      ${event.url}`,
        '  (the address carries a key for this run only; Ctrl-C stops unibus)',
        '',
      ].join('\n') + '\n',
    );
  });
  foreground(child);
}

await prepareNatsServer();
if (!hasDesktopSession()) {
  startWebShell('there is no desktop session here (DISPLAY and WAYLAND_DISPLAY are not set)');
} else {
  const binary = resolveElectronBinary();
  if (binary === null) {
    startWebShell('the Electron binary is missing here and could not be downloaded');
  } else {
    launchElectron(binary);
  }
}

#!/usr/bin/env node
// `npm start`: build and launch the Electron app with electron-vite, or explain clearly why it
// cannot run here. Electron's npm package downloads its binary lazily; on machines without
// access to the download (our build machines) there is no binary: then the app's embedded default
// (hosting a node on this computer) runs headless, and the web shell (`npm run web`) is the way
// to run the UI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(projectRoot, 'package.json'));
/** Time allowed for Electron's first-use download before giving up. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

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

/**
 * No Electron here: still run the app's embedded default — host a node on this computer —
 * headless, through the same code the app uses (`unibus node start`), and say how to reach it.
 */
function hostNodeHeadless() {
  const home = process.env.UNIBUS_HOME ?? join(homedir(), '.local', 'share', 'unibus');
  const handle = (process.env.USER ?? 'host').replace(/[^A-Za-z0-9_.-]/g, '') || 'host';
  process.stderr.write(
    [
      '',
      'unibus: the Electron binary is missing on this machine and could not be downloaded, so',
      'the desktop window cannot open here.',
      '',
      '  For the app in your browser, run the web shell instead (stop this first, Ctrl-C):',
      '      npm run web -- --profile DIR',
      '',
      `Meanwhile hosting the bus headless (profile and data in ${home}).`,
      'If you have an Electron binary, set ELECTRON_EXEC_PATH to it and run npm start again.',
      '',
    ].join('\n'),
  );
  const cli = join(projectRoot, 'bin', 'unibus.mjs');
  const args = [
    '--profile',
    join(home, 'profile'),
    'node',
    'start',
    '--data-dir',
    join(home, 'node'),
  ];
  const child = spawn(process.execPath, [cli, ...args, '--handle', handle], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = resolveElectronBinary();
if (binary === null) {
  hostNodeHeadless();
} else {
  launchElectron(binary);
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
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

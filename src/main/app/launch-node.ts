/**
 * The default way to run the embedded node in its own process: a Node child process running the
 * `unibus` CLI (`bin/unibus.mjs`). Electron passes its own launcher (utilityProcess) instead.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { NodeLauncher } from './types';

const CLI_ENTRY = fileURLToPath(new URL('../../../bin/unibus.mjs', import.meta.url));

export const launchNodeChild: NodeLauncher = (args, env) => {
  // stdin stays open: the node stops by itself when it closes (this process died).
  const child = spawn(process.execPath, [CLI_ENTRY, ...args, '--stop-on-stdin-close'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    stop: () => {
      child.kill('SIGTERM');
    },
  };
};

/**
 * `AppServiceOptions.launchNode` for Electron: the embedded node runs the CLI (`unibus node start
 * ...`) in a utilityProcess, so a busy node never blocks the UI and the node's privileged NATS
 * credentials never live in the peer's process.
 */
import { PassThrough, type Readable } from 'node:stream';
import { utilityProcess } from 'electron';
import type { NodeLauncher, NodeProcess } from '../app/types';
import { NODE_STOP_MESSAGE, withArgsMarker } from './node-args';

// No `--stop-on-stdin-close` here (the child-process launcher adds it): a utility process has no
// stdin, and Chromium ends utility processes together with the app. That end is abrupt when the
// app itself is killed: the nats-server the node supervised may outlive it, and the next start
// stops it through the node lock (src/main/node/runtime/node-lock.ts).
/** Windows: how long an ordered stop may take before the process is terminated. */
export const STOP_GRACE_MS = 15_000;

export interface UtilityNodeLauncherOptions {
  /** The built CLI entry (out/main/cli.js). */
  readonly entry: string;
  /** The bundled nats-server; used unless the environment names one (UNIBUS_NATS_SERVER). */
  readonly natsServer: string | null;
  readonly platform?: NodeJS.Platform;
}

function pipeOf(stream: NodeJS.ReadableStream | null): Readable {
  const out = new PassThrough();
  if (stream === null) out.end();
  else stream.pipe(out);
  return out;
}

export function createUtilityNodeLauncher(options: UtilityNodeLauncherOptions): NodeLauncher {
  const platform = options.platform ?? process.platform;
  return (args, env): NodeProcess => {
    const childEnv: NodeJS.ProcessEnv = { ...env };
    if (options.natsServer !== null && !childEnv['UNIBUS_NATS_SERVER']) {
      childEnv['UNIBUS_NATS_SERVER'] = options.natsServer;
    }
    const child = utilityProcess.fork(options.entry, withArgsMarker(args), {
      env: childEnv,
      stdio: 'pipe',
      serviceName: 'unibus node',
    });
    let done = false;
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        done = true;
        resolve(code);
      });
    });
    return {
      stdout: pipeOf(child.stdout),
      stderr: pipeOf(child.stderr),
      exited,
      stop: () => {
        if (done) return;
        if (platform !== 'win32') {
          child.kill(); // SIGTERM: the node stops its nats-server and exits in order
          return;
        }
        child.postMessage(NODE_STOP_MESSAGE);
        const timer = setTimeout(() => {
          if (!done) child.kill();
        }, STOP_GRACE_MS);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      },
    };
  };
}

/**
 * Every child process and temp folder the harness creates is registered here, so that nothing
 * outlives the test file: `stopChild` (SIGTERM, then SIGKILL to the whole process group),
 * `cleanupAll` for afterAll, and a last-resort synchronous kill + delete when the worker exits.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntilUnused } from '../../../test-support/processes';

const SETPRIV = '/usr/bin/setpriv';

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/**
 * Spawns `command` as the leader of its own process group (so the group can be killed with
 * everything it started). Where setpriv exists the child also gets a parent-death signal: if this
 * test worker is killed outright, the child is sent SIGTERM instead of being orphaned.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const [file, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', command, ...args]]
    : [command, [...args]];
  const child = spawn(file, argv, { ...options, detached: true });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * SIGTERM to the child (it may shut down what it started), up to `graceMs` to exit, then SIGKILL
 * to its whole process group, which also takes down anything it left behind in the group.
 */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (!hasExited(child) && child.pid !== undefined) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, graceMs))) {
      killGroup(child, 'SIGKILL');
      await waitForExit(child, 5_000);
    }
  }
  killGroup(child, 'SIGKILL');
  liveChildren.delete(child);
}

/** A fresh temp folder, deleted by `removeTempDir` or at the latest by `cleanupAll`. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/**
 * Deletes it once no process uses it any more (a shell's node and nats-server are SIGKILLed with
 * its process group, and a killed process can still be writing while it dies).
 */
export async function removeTempDir(dir: string): Promise<void> {
  await waitUntilUnused(dir);
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops every live child (in parallel) and deletes every temp folder. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...liveChildren].map((child) => stopChild(child)));
  for (const dir of [...tempDirs]) await removeTempDir(dir);
}

process.once('exit', () => {
  for (const child of liveChildren) killGroup(child, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Teardown that does not race: a test folder is removed only after every process working in it
 * has exited.
 *
 * Removing a node's data folder while its nats-server is still shutting down fails with
 * `ENOTEMPTY rmdir …/jetstream/…/msgs` (the server writes while `rm` walks the tree), and a
 * node that was SIGKILLed leaves its nats-server running on a deleted folder. So:
 *
 *   afterAll(() => removeWhenUnused(root, { children: [node] }));
 *
 * stops the given children (SIGTERM: a node stops its nats-server in order, then exits), waits
 * until no process uses the folder any more — its command line names a path inside it (a node's
 * `--data-dir`, nats-server's `-c …/nats-server.conf`), its working folder is inside it, or it
 * has a file open inside it (a daemon such as gnome-keyring) — SIGKILLs what is still there after
 * the grace period, and only then removes the folder. Where /proc is missing (not Linux), only
 * the children are waited for.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

export interface ProcessUsingDir {
  readonly pid: number;
  readonly command: string;
  readonly how: 'command line' | 'working folder' | 'open file';
}

const POLL_MS = 25;

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + sep);
}

/** Every other process whose command line, working folder or open files lie inside `dir`. */
export function processesUsing(dir: string): ProcessUsingDir[] {
  const target = resolve(dir);
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: ProcessUsingDir[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (args.length === 0) continue; // a zombie or a kernel thread: nothing left to wait for
    const command = args.join(' ').slice(0, 200);
    const mentions = args.some((arg) =>
      arg.split(/[=\s]/).some((part) => part.startsWith('/') && inside(part, target)),
    );
    if (mentions) {
      found.push({ pid, command, how: 'command line' });
      continue;
    }
    try {
      if (inside(readlinkSync(`/proc/${entry}/cwd`), target)) {
        found.push({ pid, command, how: 'working folder' });
        continue;
      }
    } catch {
      // another user's process (not root) or gone
    }
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        let link: string;
        try {
          link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue;
        }
        if (inside(link, target)) {
          found.push({ pid, command, how: 'open file' });
          break;
        }
      }
    } catch {
      // not ours to look at, or gone
    }
  }
  return found;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once `child` has exited, false after `ms`. */
export function waitForChildExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolvePromise(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolvePromise(false);
    }, ms);
    child.once('exit', onExit);
  });
}

export interface StopOptions {
  readonly signal?: NodeJS.Signals;
  /** Time allowed for an orderly exit before SIGKILL. Default 15 s. */
  readonly graceMs?: number;
}

/** `signal` (default SIGTERM), up to `graceMs` for the exit, then SIGKILL and wait for it. */
export async function stopChild(child: ChildProcess, options: StopOptions = {}): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  child.kill(options.signal ?? 'SIGTERM');
  if (await waitForChildExit(child, options.graceMs ?? 15_000)) return;
  child.kill('SIGKILL');
  if (!(await waitForChildExit(child, 10_000))) {
    throw new Error(`process ${child.pid} did not exit after SIGKILL`);
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

/**
 * Waits until no process uses `dir`; after `graceMs` SIGKILLs the ones still there. Throws,
 * naming them, if they survive that too.
 */
export async function waitUntilUnused(dir: string, graceMs = 15_000): Promise<void> {
  const killAt = Date.now() + graceMs;
  let giveUpAt = Number.POSITIVE_INFINITY;
  for (;;) {
    const users = processesUsing(dir);
    if (users.length === 0) return;
    const now = Date.now();
    if (now > giveUpAt) {
      const list = users.map((u) => `${u.pid} (${u.how}: ${u.command})`).join(', ');
      throw new Error(`still using ${dir} after SIGKILL: ${list}`);
    }
    if (now > killAt && giveUpAt === Number.POSITIVE_INFINITY) {
      for (const user of users) if (isAlive(user.pid)) process.kill(user.pid, 'SIGKILL');
      giveUpAt = now + 10_000;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_MS));
  }
}

export interface RemoveOptions extends StopOptions {
  /** Processes this test started that work in the folder; stopped first, in order. */
  readonly children?: readonly (ChildProcess | undefined | null)[];
}

/** Stops `children`, waits until no process uses `dir`, then removes it. */
export async function removeWhenUnused(dir: string, options: RemoveOptions = {}): Promise<void> {
  for (const child of options.children ?? []) if (child) await stopChild(child, options);
  await waitUntilUnused(dir, options.graceMs);
  await rm(dir, { recursive: true, force: true });
}
